// Both engines side by side: a second session with the same config but the other engine (the
// same data, the same initial weights), driven by the same buttons, drawn small under the main
// output with its own numbers and the largest loss difference between the two so far.

import { api } from './api.js';
import { sendable } from './config.js';
import {
  compareConfig, engineLabel, otherEngine, lossGap, gapText,
} from './compare.js';
import { History } from './history.js';
import { decodeMap } from './maps.js';
import { fixed } from './format.js';
import { OutputMap } from './view-output.js';

const NO_GAP = { max: 0, next: 0, count: 0 };

export class CompareView {
  /** `box`: the #compare box; `redraw()`: asks the page to draw again. */
  constructor(box, redraw) {
    this.box = box;
    this.redraw = redraw;
    this.map = new OutputMap(box.querySelector('#compare-map'), null, { dotScale: 0.55 });
    this.ticket = 0;
    this.starting = null; // the promise of the session being made
    this.clear();
  }

  clear() {
    this.session = null;
    this.events = null;
    this.history = new History();
    this.frame = null;
    this.epoch = 0;
    this.run = 'paused';
    this.gap = NO_GAP;
    this.message = '';
    this.frames = 0; // frames received
  }

  /**
   * Makes the second session for the main session's `config` (and own data `csv`); the buttons
   * pressed meanwhile wait for it.
   */
  start(config, csv) {
    this.starting = this.make(config, csv);
    return this.starting;
  }

  async make(config, csv) {
    this.stop();
    const ticket = ++this.ticket;
    const other = compareConfig(config);
    this.message = `Starting the ${engineLabel(other.engine)} engine…`;
    this.box.hidden = false;
    this.redraw();
    let session;
    try {
      session = await api.create(sendable(other), csv || undefined);
    } catch (e) {
      if (ticket === this.ticket) {
        this.message = `The ${engineLabel(other.engine)} engine could not start: ${e.message}`;
        this.redraw();
      }
      return;
    }
    if (ticket !== this.ticket) {
      api.remove(session.id).catch(() => {});
      return;
    }
    this.session = session;
    this.message = '';
    this.open(session.id, ticket);
    this.redraw();
  }

  /** Closes the second session (and deletes it on the server). */
  stop() {
    this.ticket += 1;
    if (this.events) this.events.close();
    if (this.session) api.remove(this.session.id).catch(() => {});
    this.clear();
    this.box.hidden = true;
  }

  open(id, ticket) {
    const events = new EventSource(api.eventsUrl(id));
    events.addEventListener('frame', (e) => {
      if (ticket !== this.ticket) return;
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      this.onFrame(frame);
    });
    events.addEventListener('error', () => {
      if (ticket === this.ticket && events.readyState === EventSource.CLOSED) {
        this.message = 'The second engine’s stream stopped (the server may have freed its session).';
        this.redraw();
      }
    });
    this.events = events;
  }

  onFrame(frame) {
    this.frames += 1;
    if (frame.reset) {
      this.history.clear();
      this.gap = NO_GAP;
    }
    for (const r of frame.records || []) {
      this.history.dropFrom(r.epoch);
      this.history.push(r);
    }
    if (typeof frame.epoch === 'number') this.history.dropFrom(frame.epoch);
    if (frame.map) frame.map = decodeMap(frame.map);
    this.frame = { ...(this.frame || {}), ...frame };
    this.epoch = frame.epoch;
    this.run = frame.state;
    this.redraw();
  }

  /** The main run started over: the loss gap is measured afresh. */
  mainReset() {
    this.gap = NO_GAP;
  }

  /** play, pause, step or reset, as the main session got it. */
  async control(action, body) {
    await this.starting;
    if (!this.session) return;
    const id = this.session.id;
    const seen = this.frames;
    try {
      const answer = await api.control(id, action, body);
      // A frame that came meanwhile knows better than the answer (as for the main session).
      const fresh = this.session && this.session.id === id && this.frames === seen;
      if (action === 'reset' && fresh) {
        this.history.clear();
        this.gap = NO_GAP;
      }
      if (answer && answer.state && fresh) this.run = answer.state;
    } catch (e) {
      this.message = e.message;
    }
    this.redraw();
  }

  async lr(lr) {
    await this.starting;
    if (!this.session) return;
    try {
      await api.lr(this.session.id, lr);
    } catch (e) {
      this.message = e.message;
      this.redraw();
    }
  }

  /** Draws the small map and the numbers; `main`: the main session's History. */
  draw(main, opts) {
    if (this.box.hidden) return;
    const $ = (id) => this.box.querySelector(`#${id}`);
    const s = this.session;
    $('compare-message').textContent = this.message;
    $('compare-message').hidden = !this.message;
    $('compare-body').hidden = !s;
    $('compare-hint').hidden = !s;
    if (!s) {
      $('compare-title').textContent = 'The other engine';
      $('compare-state').textContent = '';
      return;
    }
    this.gap = lossGap(main, this.history, this.gap);
    $('compare-title').textContent = `${engineLabel(s.config.engine)}, ${s.config.dtype}`;
    const words = { paused: 'paused', playing: 'training…', done: 'done', diverged: 'diverged' };
    $('compare-state').textContent = `epoch ${this.epoch} · ${words[this.run] || this.run}`;
    const mainEngine = `${engineLabel(otherEngine(s.config.engine))}, ${s.config.dtype}`;
    const hint = `Same data and initial weights as the main map (${mainEngine}); the same buttons drive both. `
      + '|Δ loss|: the largest loss difference at the same epoch so far.'
      + (s.task === 'regression' ? '' : ' Train accuracy may differ: as in the notebook, the hand-written loop measures it after the update, autograd before it.');
    if ($('compare-hint').textContent !== hint) $('compare-hint').textContent = hint;
    const last = this.history.last();
    const regression = s.task === 'regression';
    $('compare-loss').textContent = last ? fixed(last.loss) : '—';
    $('compare-train').textContent = last && !regression ? fixed(last.train_accuracy) : '—';
    $('compare-test').textContent = last ? fixed(regression ? last.test_loss : last.test_accuracy) : '—';
    $('compare-test-label').textContent = regression ? 'Test loss' : 'Test acc';
    $('compare-train').closest('tr').hidden = regression;
    const gap = this.gap.count
      ? `|Δ loss| ≤ ${gapText(this.gap.max)}\nover ${this.gap.count} epoch${this.gap.count === 1 ? '' : 's'}`
      : '|Δ loss|: —';
    $('compare-gap').textContent = gap;
    if (s.map) this.map.draw(s, this.frame, opts);
  }

  /** The second session's id, to free it when the page goes away. */
  get id() {
    return this.session ? this.session.id : null;
  }
}
