// The boundary's timeline: the output maps kept as they arrive, each with its epoch, for the
// slider under the map and the GIF. At most `max` are kept: when full, every other one is
// dropped and only maps at least `spacing` epochs apart are kept from then on, so that the
// timeline always covers the whole run evenly; its last entry is always the newest map.
// Pure: no DOM, tested with node --test.

export class Timeline {
  constructor(max = 300) {
    this.max = Math.max(4, max);
    this.clear();
  }

  clear() {
    this.items = []; // [{epoch, map}], oldest first
    this.spacing = 0; // the fewest epochs between two kept maps (but the newest)
  }

  get length() {
    return this.items.length;
  }

  /** Adds the map of `epoch` (a newer map of the same epoch replaces the older one). */
  add(epoch, map) {
    const items = this.items;
    const item = { epoch, map };
    const n = items.length;
    if (n && epoch < items[n - 1].epoch) {
      // An older epoch than the last (a reset that the caller did not say): start over.
      this.clear();
      this.items.push(item);
      return item;
    }
    // The newest map always shows; it replaces the last one while that one is too close to
    // the one before it.
    if (n && (items[n - 1].epoch === epoch || (n >= 2 && items[n - 1].epoch - items[n - 2].epoch < this.spacing))) {
      items[n - 1] = item;
      return item;
    }
    items.push(item);
    if (items.length > this.max) this.thin();
    return item;
  }

  /**
   * Takes the server's timeline (`items`: [{epoch, map}] from epoch 0, one every `stride` epochs)
   * in place of the maps kept, with the live maps newer than its last one after it.
   */
  replace(items, stride = 1) {
    const end = items.length ? items[items.length - 1].epoch : -1;
    this.items = items.concat(this.items.filter((it) => it.epoch > end));
    this.spacing = stride;
    while (this.items.length > this.max) this.thin();
  }

  /** Drops every other map (keeping the first and the newest) and doubles the spacing. */
  thin() {
    const items = this.items;
    const last = items[items.length - 1];
    const kept = items.filter((_, i) => i % 2 === 0);
    if (kept[kept.length - 1] !== last) kept.push(last);
    this.items = kept;
    const span = last.epoch - kept[0].epoch;
    this.spacing = Math.max(this.spacing * 2, Math.ceil(span / Math.max(1, kept.length - 1)));
  }

  /** The index of `item`, or of the kept map nearest its epoch when it was dropped. */
  indexOf(item) {
    const i = this.items.indexOf(item);
    if (i >= 0 || !item) return i;
    let best = 0;
    this.items.forEach((it, k) => {
      if (Math.abs(it.epoch - item.epoch) < Math.abs(this.items[best].epoch - item.epoch)) best = k;
    });
    return this.items.length ? best : -1;
  }

  at(i) {
    return this.items[i] || null;
  }

  last() {
    return this.items.length ? this.items[this.items.length - 1] : null;
  }
}
