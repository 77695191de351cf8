// What the page's modules share: its state, the element lookup, the error line, and the
// actions app.js provides (so that form.js and own.js can start sessions without importing it).

import { History } from './history.js';

export const $ = (id) => document.getElementById(id);

export const state = {
  options: null, // GET /api/options
  preset: null, // presets.playground: the URL records what differs from it
  session: null, // the live session, as POST /api/sessions answered
  config: null, // its resolved config: what the form shows
  desired: null, // the config being made (changes pile up on it while a POST is under way)
  csv: null, // own data as CSV text, when the learner brought some
  events: null, // the EventSource of the live session
  history: new History(), // every epoch's record received, in order
  log: [], // the notebook's lines shown
  frame: null, // the latest frame, maps included
  epoch: 0,
  run: 'paused', // paused, playing, done, diverged
  framesSeen: 0,
  pending: [], // points clicked on the map, not yet in a session
  hide: [], // the control groups hidden by the URL's hide=
  ticket: 0, // the newest session asked for; older answers are dropped
  starting: null, // the promise of the session being made, if any
  creating: false, // whether a POST /api/sessions is under way
  lastDataset: null, // the generator to go back to from own data
};

/**
 * Filled in by app.js: change(changes) and start(config, csv) make a new session; redraw()
 * draws the page again at the next animation frame.
 */
export const actions = {
  change: async () => false,
  start: async () => false,
  redraw: () => {},
};

/** The server's limits (max_layers, max_units, max_samples, ...). */
export const limits = () => (state.options && state.options.limits) || {};

/** Shows or hides an element, keeping hidden what the URL's hide= hides. */
export function show(element, visible) {
  const groups = (element.dataset.group || '').split(' ').filter(Boolean);
  element.hidden = !visible || groups.some((g) => state.hide.includes(g));
}

export function showError(message) {
  $('error').textContent = message;
  $('error-bar').hidden = !message;
}

export function clearError() {
  showError('');
}

/** Runs an API call; on failure shows its message and returns undefined. */
export async function guarded(call) {
  try {
    const value = await call();
    clearError();
    return value === undefined ? null : value;
  } catch (e) {
    showError(e.message);
    return undefined;
  }
}
