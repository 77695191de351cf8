// Comparing the two engines: the second session's config, the engines' names, and the largest
// difference between the two runs' losses at the same epoch. Pure: no DOM, tested with node --test.

/** The engine that is not `engine`. */
export function otherEngine(engine) {
  return engine === 'autograd' ? 'manual' : 'autograd';
}

/** The config of the second session: the same, but the other engine (same init, same dtype). */
export function compareConfig(config) {
  return { ...config, engine: otherEngine(config.engine) };
}

/** An engine in words: "hand-written (numpy)", "autograd (candle)". */
export function engineLabel(engine) {
  return { manual: 'hand-written (numpy)', autograd: 'autograd (candle)' }[engine] || String(engine);
}

/**
 * The largest |loss_a − loss_b| over the epochs both histories ({epoch: [], loss: []}, epochs
 * ascending) have, continuing `from` (the answer of the call before: {max, next, count}; `next`
 * is the first epoch not yet compared). NaN losses on both sides count as equal; on one side as
 * an infinite gap.
 */
export function lossGap(a, b, from = { max: 0, next: 0, count: 0 }) {
  let { max, count } = from;
  let i = lowerBound(a.epoch, from.next);
  let j = lowerBound(b.epoch, from.next);
  let next = from.next;
  while (i < a.epoch.length && j < b.epoch.length) {
    const ea = a.epoch[i];
    const eb = b.epoch[j];
    if (ea < eb) i++;
    else if (eb < ea) j++;
    else {
      const x = a.loss[i];
      const y = b.loss[j];
      const gap = Number.isNaN(x) && Number.isNaN(y) ? 0 : Math.abs(x - y);
      max = Math.max(max, Number.isNaN(gap) ? Infinity : gap);
      count++;
      next = ea + 1;
      i++;
      j++;
    }
  }
  return { max, next, count };
}

function lowerBound(xs, value) {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A gap for the page, rounded up (it follows "≤"): 2.2e-16 -> "3e-16", 0 -> "0",
 * 0.0123 -> "0.013".
 */
export function gapText(gap) {
  if (gap === 0) return '0';
  if (!Number.isFinite(gap)) return 'inf';
  const digits = gap < 1e-3 ? 1 : 2;
  const power = 10 ** (Math.floor(Math.log10(gap)) - digits + 1);
  const up = Number((Math.ceil(gap / power - 1e-9) * power).toPrecision(digits + 1));
  return gap < 1e-3 ? up.toExponential(0).replace('e+', 'e') : String(up);
}
