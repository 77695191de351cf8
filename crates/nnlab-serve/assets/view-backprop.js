// The backprop view: the selected neuron's numbers in one training step (forward, loss,
// backward, update), each beside the notebook's line that computes it, and slow motion, which
// tells a step in four stages before it takes it. The numbers come from
// GET /api/sessions/{id}/backprop; the words from backprop.js, the stages from slowmo.js.

import { api } from './api.js';
import { traceSections, traceTitle, incomingNames, refreshDue } from './backprop.js';
import {
  slowMotionPlan, stepAt, planLength, STAGES, STAGE_MS,
} from './slowmo.js';

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class BackpropView {
  /**
   * `root`: the panel (#backprop); `network`: the NetworkView; `page`: {state() (the page's
   * state), control(action, body) (drives the sessions), ready() (the session being made)}.
   */
  constructor(root, network, page) {
    this.root = root;
    this.network = network;
    this.page = page;
    this.title = root.querySelector('#backprop-title');
    this.meta = root.querySelector('#backprop-meta');
    this.body = root.querySelector('#backprop-body');
    this.note = root.querySelector('#backprop-note');
    this.stages = root.querySelector('#backprop-stages');
    root.querySelector('#backprop-close').addEventListener('click', () => this.close());
    this.selected = null; // {layer, unit}: layer 0 is the first after the inputs
    this.trace = null; // the latest answer shown
    this.fetched = null; // {key, epoch, at}: what was last asked for
    this.busy = false; // an answer is awaited
    this.playing = 0; // the slow-motion run going on (0: none); a new one or a close stops it
    this.error = '';
    this.stageMs = STAGE_MS; // how long a stage of slow motion shows
  }

  get slow() {
    return this.playing !== 0;
  }

  /** Selects a neuron and opens the panel (a second click on it closes it). */
  select(layer, unit) {
    if (this.selected && this.selected.layer === layer && this.selected.unit === unit && !this.slow) {
      this.close();
      return;
    }
    this.stopSlow();
    if (!this.network.select(layer, unit)) return;
    this.selected = { layer, unit };
    this.trace = null;
    this.fetched = null;
    this.root.hidden = false;
    this.renderEmpty('Asking the server for this neuron’s numbers…');
    this.tick();
  }

  close() {
    this.stopSlow();
    this.selected = null;
    this.trace = null;
    this.fetched = null;
    this.network.select(null);
    this.root.hidden = true;
  }

  /** A new session: keeps the selection when the network still has that neuron. */
  sessionChanged() {
    this.stopSlow();
    this.fetched = null;
    this.trace = null;
    if (!this.selected) return;
    if (!this.network.select(this.selected.layer, this.selected.unit)) this.close();
    else this.renderEmpty('Asking the server for this neuron’s numbers…');
  }

  key() {
    const s = this.page.state();
    if (!this.selected || !s.session) return null;
    return `${s.session.id}:${this.selected.layer}:${this.selected.unit}:${s.config.lr}`;
  }

  /** Called on each redraw: asks for fresh numbers when they are due (see refreshDue). */
  tick() {
    const s = this.page.state();
    if (!this.selected || !s.session) return;
    const key = this.key();
    if (!refreshDue({ key, epoch: s.epoch, run: s.run, now: performance.now(), fetched: this.fetched, busy: this.busy || this.slow || s.creating })) return;
    this.fetched = { key, epoch: s.epoch, at: performance.now() };
    this.load(key);
  }

  async load(key) {
    const s = this.page.state();
    const { layer, unit } = this.selected;
    this.busy = true;
    let trace = null;
    try {
      trace = await api.backprop(s.session.id, layer, unit);
      this.error = '';
    } catch (e) {
      this.error = e.message;
    } finally {
      this.busy = false;
    }
    if (key !== this.key() || this.slow) return; // the selection or session moved on meanwhile
    if (trace) {
      this.trace = trace;
      this.render(trace, null);
    } else {
      this.renderEmpty(`The server could not give these numbers: ${this.error}`);
    }
  }

  renderEmpty(message) {
    const s = this.page.state();
    const layers = s.session ? s.session.network.widths.length - 1 : 1;
    this.title.textContent = this.selected ? traceTitle(this.selected.layer, this.selected.unit, layers) : 'Backprop';
    this.meta.textContent = '';
    this.body.replaceChildren(el('p', 'hint', message));
    this.note.textContent = '';
    this.showStage(null);
  }

  /** Shows a trace; `step` (slow motion) veils the numbers not reached yet. */
  render(trace, step) {
    const s = this.page.state();
    const { widths, inputs } = s.session.network;
    this.title.textContent = traceTitle(trace.layer, trace.unit, widths.length - 1);
    // The drawing's name for the layer's activation (a multi-class output says softmax).
    const activation = s.session.network.activations[trace.layer] || trace.activation;
    this.meta.textContent = `the weights after ${trace.epoch} epoch${trace.epoch === 1 ? '' : 's'} · ${trace.rows} rows · ${activation}`;
    const names = incomingNames(trace.layer, trace.forward.w.length, inputs);
    const sections = traceSections(trace, { names, task: s.session.task });
    this.body.replaceChildren(...sections.map((section) => this.section(section, step)));
    this.note.textContent = trace.update.note ? `Update: ${trace.update.note}.` : '';
    this.showStage(step);
  }

  section(section, step) {
    const box = el('div', 'bp-section');
    box.dataset.stage = section.stage;
    if (step) {
      const at = STAGES.indexOf(step.stage);
      const mine = STAGES.indexOf(section.stage);
      box.classList.toggle('current', at === mine);
      box.classList.toggle('later', mine > at);
    }
    box.append(el('h4', 'bp-stage-title', section.title));
    for (const row of section.rows) {
      const line = el('div', 'bp-row');
      line.dataset.key = row.key;
      if (step && !step.reveal.includes(row.key)) line.classList.add('veiled');
      const left = el('div', 'bp-eq');
      if (row.eq) {
        left.append(el('code', 'bp-math', row.eq.math));
        if (row.eq.code) left.append(el('code', 'bp-code', row.eq.code));
      } else {
        left.append(el('code', 'bp-math', row.label));
        if (row.hint) left.append(el('span', 'bp-hint', row.hint));
      }
      line.append(left, this.values(row));
      box.append(line);
    }
    return box;
  }

  values(row) {
    const box = el('div', 'bp-values');
    const more = row.more > 0 ? el('span', 'bp-label', `… and ${row.more} more`) : null;
    if (row.rows) {
      const first = el('div', 'bp-line bp-rows');
      first.append(el('span', 'bp-label', `rows 1–${row.rows.length}`));
      for (const v of row.rows) first.append(el('span', 'bp-num', v));
      const mean = el('div', 'bp-line bp-rows');
      mean.append(el('span', 'bp-label', 'mean'), el('span', 'bp-num', row.mean));
      box.append(first, mean);
    } else if (row.pairs) {
      const line = el('div', 'bp-line bp-pairs');
      for (const p of row.pairs) {
        const pair = el('span', 'bp-pair');
        pair.append(el('span', 'bp-label', p.name), el('span', 'bp-num', p.value));
        line.append(pair);
      }
      if (more) line.append(more);
      box.append(line);
    } else if (row.table) {
      const table = el('table', 'bp-table');
      const head = el('tr');
      for (const h of row.table.head) head.append(el('th', '', h));
      table.append(head);
      for (const r of row.table.rows) {
        const tr = el('tr');
        r.forEach((v, i) => tr.append(el(i === 0 ? 'th' : 'td', i === 3 ? 'bp-next' : '', v)));
        table.append(tr);
      }
      box.append(table);
      if (more) box.append(more);
    } else {
      const line = el('div', 'bp-line');
      line.append(el('span', 'bp-num bp-big', row.value));
      if (row.hint && row.eq) line.append(el('span', 'bp-label', row.hint));
      box.append(line);
    }
    return box;
  }

  /** Marks the stage list: the current stage, and the ones done. */
  showStage(step) {
    this.stages.hidden = !step;
    const at = step ? STAGES.indexOf(step.stage) : -1;
    for (const item of this.stages.querySelectorAll('li')) {
      const i = STAGES.indexOf(item.dataset.stage);
      item.classList.toggle('current', i === at);
      item.classList.toggle('done', at >= 0 && i < at);
    }
  }

  stopSlow() {
    if (!this.playing) return;
    this.playing = 0;
    this.network.light(null);
    if (this.trace) this.render(this.trace, null);
  }

  /**
   * Slow motion: one epoch told in four stages with the numbers of the step to come, then the
   * step itself (POST /step), after which the panel shows the new numbers.
   */
  async slowStep() {
    if (this.slow) return;
    const run = Date.now();
    this.playing = run;
    const alive = () => this.playing === run;
    try {
      await this.page.ready();
      const s = this.page.state();
      if (!s.session || s.run === 'diverged') {
        await this.page.control('step', { epochs: 1 });
        return;
      }
      if (s.run === 'playing') {
        await this.page.control('pause');
        // The training thread stops after its epoch: wait for the frame that says so, so that
        // the numbers below are those of the step to come.
        const until = performance.now() + 2000;
        while (s.frame && s.frame.state === 'playing' && performance.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      if (!alive()) return;
      const widths = s.session.network.widths;
      if (!this.selected) {
        // The output neuron tells the whole story: its z is the prediction, its dz the error.
        this.selected = { layer: widths.length - 2, unit: 0 };
        this.network.select(this.selected.layer, this.selected.unit);
        this.root.hidden = false;
      }
      let trace;
      try {
        trace = await api.backprop(s.session.id, this.selected.layer, this.selected.unit);
      } catch (e) {
        this.renderEmpty(`The server could not give these numbers: ${e.message}`);
        return;
      }
      if (!alive()) return;
      this.trace = trace;
      const plan = slowMotionPlan(widths, trace.layer, { stageMs: this.stageMs });
      await this.animate(plan, trace, alive);
      if (!alive()) return;
      this.network.light(null);
      this.render(trace, null);
      this.fetched = null; // the step's new numbers are due when its frame arrives
      await this.page.control('step', { epochs: 1 });
    } finally {
      if (alive()) {
        this.playing = 0;
        this.network.light(null);
        this.tick();
      }
    }
  }

  /** Plays the plan's steps at their times; resolves when it is over or stopped. */
  animate(plan, trace, alive) {
    const length = planLength(plan);
    return new Promise((resolve) => {
      const started = performance.now();
      let shown = null;
      const frame = () => {
        if (!alive()) {
          resolve();
          return;
        }
        const t = performance.now() - started;
        const step = stepAt(plan, t);
        if (!step || t >= length) {
          resolve();
          return;
        }
        if (step !== shown) {
          shown = step;
          this.network.light(step);
          this.render(trace, step);
        }
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
  }
}
