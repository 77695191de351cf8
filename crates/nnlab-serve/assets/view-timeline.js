// The boundary's timeline under the output map: a slider back through the maps kept
// (timeline.js), and "Export GIF", which turns them into an animated boundary.gif
// (boundary-gif.js, gif.js) in the browser. Live maps arrive at most 30 a second, so before the
// learner scrubs, when a run stops, and before a GIF, the server's timeline (the map after every
// epoch, or every `stride` in a long run) replaces them.

import { Timeline } from './timeline.js';
import { boundaryGif } from './boundary-gif.js';
import { decodeMap } from './maps.js';

/** How many maps are kept; more are thinned out evenly over the run. */
export const KEEP = 300;

function megabytes(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;
}

export class TimelineView {
  /**
   * `slider`, `label`, `button`: the elements; `redraw()`: asks the page to draw again;
   * `load()`: the session's timeline from the server ({stride, frames}), or null when none.
   */
  constructor({ slider, label, button }, redraw, load) {
    this.slider = slider;
    this.label = label;
    this.button = button;
    this.redraw = redraw;
    this.load = load;
    this.timeline = new Timeline(KEEP);
    this.scrub = null; // the kept map shown instead of the live one, or null (live)
    this.said = ''; // the export's last words
    this.generation = 0; // one more at each clear: a timeline loaded before is stale
    this.syncing = null; // the load under way
    slider.addEventListener('input', () => {
      if (!this.scrub) this.sync(); // starts scrubbing
      this.pick(Number(slider.value));
    });
    slider.addEventListener('change', () => {
      if (Number(slider.value) >= this.timeline.length - 1) this.live();
    });
  }

  /** A new map arrived (decoded) for `epoch`. */
  add(epoch, map) {
    this.timeline.add(epoch, map);
  }

  /** The run started over (a reset or a new session): the maps kept are forgotten. */
  clear() {
    this.generation += 1;
    this.timeline.clear();
    this.scrub = null;
    this.said = '';
  }

  /** Replaces the maps kept with the server's timeline (the live ones newer than it stay). */
  sync() {
    if (this.syncing) return this.syncing;
    const generation = this.generation;
    this.syncing = (async () => {
      try {
        const answer = await this.load();
        if (!answer || generation !== this.generation) return;
        const items = answer.frames.map((f) => ({ epoch: f.epoch, map: decodeMap(f.map) }));
        this.timeline.replace(items, answer.stride);
        this.redraw();
      } catch (e) {
        console.warn('The timeline could not be loaded; the live maps stay.', e);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  /** Back to the live map. */
  live() {
    if (!this.scrub) return;
    this.scrub = null;
    this.redraw();
  }

  pick(i) {
    const n = this.timeline.length;
    this.scrub = i >= n - 1 ? null : this.timeline.at(i);
    this.said = '';
    this.redraw();
  }

  /** The frame to draw: the live one, or the kept map chosen with the slider. */
  shown(frame) {
    return this.scrub ? { map: this.scrub.map } : frame;
  }

  /** The words on the map while it shows the past, else null. */
  badge() {
    return this.scrub ? `epoch ${this.scrub.epoch}` : null;
  }

  /** Puts the slider and its words in line with the maps kept. */
  render(hasMap) {
    const t = this.timeline;
    const n = t.length;
    this.slider.disabled = n < 2;
    this.button.disabled = n < 1 || !hasMap;
    this.slider.max = String(Math.max(0, n - 1));
    if (this.scrub) {
      const i = t.indexOf(this.scrub);
      this.scrub = i >= 0 && i < n - 1 ? t.at(i) : null; // thinned out: the nearest kept one
      if (this.scrub) this.slider.value = String(i);
    }
    if (!this.scrub) this.slider.value = String(Math.max(0, n - 1));
    let words;
    if (!hasMap) words = 'No maps for this data.';
    else if (this.said) words = this.said;
    else if (this.scrub) words = `Epoch ${this.scrub.epoch} of ${t.last().epoch} — drag to the right end (or press play) for live.`;
    else if (n < 2) words = 'Live. Train a few epochs, then drag back through the maps.';
    else words = `Live. ${n} maps kept, epochs ${t.at(0).epoch}–${t.last().epoch}: drag back through them.`;
    if (this.label.textContent !== words) this.label.textContent = words;
    this.label.classList.toggle('scrubbing', Boolean(this.scrub));
  }

  /**
   * Encodes the kept maps into boundary.gif (200 × 200, 10 frames a second, looping) with the
   * dots as the page shows them, and downloads it. `opts`: {discrete, showTest, pending}.
   */
  async exportGif(session, opts) {
    await this.sync();
    const items = this.timeline.items.slice();
    if (!items.length || !session.map) return;
    this.said = `Encoding ${items.length} frames…`;
    this.render(true);
    await new Promise((resolve) => setTimeout(resolve, 30)); // let the words show first
    const regression = session.task === 'regression';
    const points = session.data.train.map((r) => ({ x: r[0], y: r[1], target: r[r.length - 1], rim: regression ? 'grey' : 'white' }));
    if (opts.showTest) for (const r of session.data.test) points.push({ x: r[0], y: r[1], target: r[r.length - 1], rim: 'ink' });
    for (const r of opts.pending || []) points.push({ x: r[0], y: r[1], target: r[r.length - 1], rim: 'ink', radius: 3 });
    const scene = {
      task: session.task,
      classes: session.classes || 2,
      discrete: opts.discrete,
      valueRange: session.data.value_range,
      domain: session.data.domain,
      points,
      radius: session.data.train.length > 1500 ? 1.4 : 1.9,
    };
    let bytes;
    try {
      bytes = boundaryGif(items, scene, { size: 200, fps: 10 });
    } catch (e) {
      this.said = `The GIF could not be made: ${e.message}`;
      this.render(true);
      return;
    }
    const url = URL.createObjectURL(new Blob([bytes], { type: 'image/gif' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'boundary.gif';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    this.said = `boundary.gif: ${items.length} frames (epochs ${items[0].epoch}–${items[items.length - 1].epoch}), ${megabytes(bytes.length)}.`;
    this.lastGif = bytes; // for the browser console (and tests)
    this.render(true);
  }
}
