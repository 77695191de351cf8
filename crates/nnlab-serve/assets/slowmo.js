// Slow motion: one epoch of training told in four stages, about 0.8 s each —
//   forward   the inputs flow to the output, layer by layer (the neuron's z and a appear when
//             the wave reaches its layer),
//   loss      the output is compared with the targets,
//   backward  the error flows back, layer by layer (the neuron's dz, dW and db appear when the
//             wave reaches it),
//   update    the neuron's incoming weights take their step (W − lr·dW).
// Pure: the plan is a list of timed steps, and stepAt says which one shows at a time. No DOM,
// tested with node --test.

export const STAGES = ['forward', 'loss', 'backward', 'update'];
export const STAGE_MS = 800;

/**
 * The steps of one epoch for a net of `widths` (the inputs first) and the neuron `unit` of
 * `layer` (0 = the first layer after the inputs, as the backprop endpoint counts). Each step:
 * {stage, start, end (ms), links: link layers lit (link layer k joins node layer k to k + 1;
 * node layer 0 is the inputs), nodes: node layers lit, direction: 'forward' | 'backward' | null,
 * focus: whether only the neuron's incoming links are lit, reveal: the numbers shown so far}.
 */
export function slowMotionPlan(widths, layer, { stageMs = STAGE_MS } = {}) {
  const depth = Math.max(1, widths.length - 1); // link layers
  const out = [];
  let t = 0;
  const add = (step, duration) => {
    out.push({ ...step, start: t, end: t + duration });
    t += duration;
  };
  const range = (a, b) => Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
  const forward = ['w', 'b'];
  for (let k = 0; k < depth; k++) {
    if (k === layer) forward.push('z', 'a');
    add({
      stage: 'forward', links: range(0, k), nodes: range(0, k + 1), direction: 'forward', focus: false, reveal: [...forward],
    }, stageMs / depth);
  }
  const afterForward = ['w', 'b', 'z', 'a'];
  add({
    stage: 'loss', links: [], nodes: [depth], direction: null, focus: false, reveal: [...afterForward, 'loss'],
  }, stageMs);
  const backward = [...afterForward, 'loss'];
  for (let k = depth - 1; k >= 0; k--) {
    if (k === layer) backward.push('dz', 'dw', 'db');
    add({
      stage: 'backward', links: range(k, depth - 1), nodes: range(k + 1, depth), direction: 'backward', focus: false, reveal: [...backward],
    }, stageMs / depth);
  }
  add({
    stage: 'update', links: [layer], nodes: [layer + 1], direction: null, focus: true, reveal: [...backward, 'dz', 'dw', 'db', 'update'].filter((v, i, a) => a.indexOf(v) === i),
  }, stageMs);
  return out;
}

/** The step showing at `ms` after the start (null once the plan is over). */
export function stepAt(plan, ms) {
  for (const step of plan) if (ms >= step.start && ms < step.end) return step;
  return null;
}

/** How long the plan lasts, in ms. */
export function planLength(plan) {
  return plan.length ? plan[plan.length - 1].end : 0;
}
