// The training history the page has received: one entry per epoch, kept as columns of numbers
// (a long run has hundreds of thousands of epochs; columns are lighter than objects and ready
// for the charts). Pure: no DOM, tested with node --test.

import { epochLine } from './format.js';

export class History {
  constructor() {
    this.clear();
  }

  clear() {
    this.epoch = [];
    this.loss = [];
    this.testLoss = [];
    this.trainAcc = [];
    this.testAcc = [];
  }

  get length() {
    return this.epoch.length;
  }

  /** The epoch after the last one received (0 when there is none). */
  get next() {
    return this.length ? this.epoch[this.length - 1] + 1 : 0;
  }

  /** A frame's record: {epoch, loss, train_accuracy, test_accuracy} or {..., test_loss}. */
  push(record) {
    this.epoch.push(record.epoch);
    this.loss.push(record.loss);
    this.testLoss.push(record.test_loss ?? null);
    this.trainAcc.push(record.train_accuracy ?? null);
    this.testAcc.push(record.test_accuracy ?? null);
  }

  /** Forgets the epochs from `epoch` on; says whether there were any. */
  dropFrom(epoch) {
    let n = this.length;
    while (n > 0 && this.epoch[n - 1] >= epoch) n--;
    if (n === this.length) return false;
    for (const column of [this.epoch, this.loss, this.testLoss, this.trainAcc, this.testAcc]) column.length = n;
    return true;
  }

  /** Entry i as a record (the shape the frames send). */
  record(i) {
    const r = { epoch: this.epoch[i], loss: this.loss[i] };
    if (this.trainAcc[i] !== null) r.train_accuracy = this.trainAcc[i];
    if (this.testAcc[i] !== null) r.test_accuracy = this.testAcc[i];
    if (this.testLoss[i] !== null) r.test_loss = this.testLoss[i];
    return r;
  }

  last() {
    return this.length ? this.record(this.length - 1) : null;
  }

  /** The notebook's lines for every `every`-th epoch, the last `keep` of them. */
  logLines(engine, every = 10, keep = 200) {
    const lines = [];
    for (let i = this.length - 1; i >= 0 && lines.length < keep; i--) {
      if (this.epoch[i] % every === 0) lines.push(epochLine(this.record(i), engine));
    }
    return lines.reverse();
  }
}
