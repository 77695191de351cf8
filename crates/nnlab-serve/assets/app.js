// The playground page's entry point: sessions, the live stream, drawing, and the controls'
// wiring. (The shared state is in page.js, the form in form.js, own data in own.js, the backprop
// view in view-backprop.js, the second engine in view-compare.js, the maps' timeline and its GIF
// in view-timeline.js.)
//
// The server trains; the page shows. A session is one run (config + data + weights). Changing any
// setting except the learning rate makes a new session, paused at epoch 0 (as TensorFlow
// Playground resets when the architecture changes); the learning rate can change mid-run.
// Frames arrive on an EventSource; each brings the epochs' records since the last frame and the
// newest maps, and the page redraws at most once per animation frame.
//
// The address holds the settings that differ from the playground's start (?lr=0.1&hidden=8,4),
// so a link shares a setup. `hide=` lists control groups to hide, by the names in the page's
// data-group attributes: preset, playback, lr, optimizer, activation, regularization (or l1, l2),
// batch, task (or problem), more, data, datasets, ratio, noise, samples, seed, seeds, own-data,
// add-points, layers, features (only the features in use are shown, fixed), charts, log, replay,
// downloads.

import { api } from './api.js';
import { fixed, epochLine, percent } from './format.js';
import {
  applyChanges, sendable, encodeState, decodeState, datasetTask, changeLayers, changeUnits, toggleInput,
  setLayerActivation,
} from './config.js';
import { NetworkView } from './view-network.js';
import { OutputMap, drawCharts, layoutChanged } from './view-output.js';
import { BackpropView } from './view-backprop.js';
import { CompareView } from './view-compare.js';
import { TimelineView } from './view-timeline.js';
import { decodeMap } from './maps.js';
import {
  $, state, actions, limits, showError, clearError, guarded,
} from './page.js';
import {
  renderForm, showLr, noiseText, mapHint, numberChange, drawThumbs,
} from './form.js';
import { renderAddPicker, onUpload, onMapClick } from './own.js';

const FILES = [
  ['model.safetensors', 'the weights (PyTorch loads them with load_state_dict)'],
  ['run.json', 'every setting of the run'],
  ['history.csv', 'loss and accuracies per epoch'],
  ['data.csv', 'the rows with their split'],
  ['dataset.png', 'the data'],
  ['training.png', 'the training curves'],
  ['boundary.png', 'the decision boundary'],
];
const LOG_EVERY = 10;
const LOG_KEEP = 200;

const network = new NetworkView($('net'), $('inspector'), {
  toggleInput: (name) => change({ inputs: toggleInput(state.session.network.inputs, name, state.options.inputs) }),
  units: (layer, delta) => change({ hidden: changeUnits(state.config.hidden, layer, delta, limits()) }),
  activation: (layer, name) => change({
    activation: setLayerActivation(state.config.activation, state.config.hidden.length, layer, name),
  }),
  select: (layer, unit) => backprop.select(layer, unit),
});
const output = new OutputMap($('output-map'), { x: $('axis-x'), y: $('axis-y') });
const backprop = new BackpropView($('backprop'), network, {
  state: () => state,
  control: (action, body) => control(action, body),
  ready: () => state.starting,
});
const compare = new CompareView($('compare-box'), () => scheduleRender());
const timeline = new TimelineView(
  { slider: $('timeline'), label: $('timeline-label'), button: $('export-gif') },
  () => scheduleRender(),
  () => (state.session && state.session.map ? api.timeline(state.session.id) : null),
);

// ---------------------------------------------------------------- sessions

/**
 * Makes a session from `config` (and own data `csv`) and, if it is still the newest asked for,
 * makes it the page's: the old one is closed and deleted. Returns whether it worked.
 */
function startSession(config, csv = state.csv) {
  const made = makeSession(config, csv);
  state.starting = made; // play, step, reset and lr wait for it: they are meant for the new one
  return made;
}

async function makeSession(config, csv) {
  const ticket = ++state.ticket;
  state.desired = config;
  let session;
  try {
    state.creating = true;
    session = await api.create(sendable(config), csv || undefined);
  } catch (e) {
    if (ticket === state.ticket) {
      showError(e.message);
      state.desired = state.config;
      renderForm(); // back to the live session's settings
    }
    return false;
  } finally {
    if (ticket === state.ticket) state.creating = false;
  }
  if (ticket !== state.ticket) {
    api.remove(session.id).catch(() => {}); // a newer change overtook this one
    return false;
  }
  adopt(session, csv);
  clearError();
  return true;
}

/** Lays `changes` over the settings and starts a session from them (if they change anything). */
function change(changes) {
  if (!state.desired) return Promise.resolve(false);
  const next = applyChanges(state.desired, changes);
  if (JSON.stringify(next) === JSON.stringify(state.desired)) return Promise.resolve(false);
  return startSession(next);
}

function adopt(session, csv) {
  const old = state.session;
  if (state.events) state.events.close();
  if (old) api.remove(old.id).catch(() => {});
  Object.assign(state, {
    session, config: session.config, desired: session.config, csv: csv || null,
    log: [], frame: null, epoch: 0, run: 'paused', pending: [],
  });
  state.history.clear();
  timeline.clear();
  if (session.config.dataset) state.lastDataset = session.config.dataset;
  $('command').textContent = session.command || '';
  $('implementation').textContent = session.implementation || '';
  network.build(session, state.options, { hideFeatures: state.hide.includes('features') });
  output.setDomain(session.map ? session.data.domain : null);
  renderForm();
  layoutChanged();
  renderDownloads();
  updateUrl();
  openEvents(session.id);
  backprop.sessionChanged();
  // The second engine follows every new session (any setting change makes both anew).
  if ($('compare').checked) compare.start(session.config, csv);
  render();
}

function openEvents(id) {
  const events = new EventSource(api.eventsUrl(id));
  events.addEventListener('frame', (e) => {
    if (!state.session || state.session.id !== id) return;
    let frame;
    try {
      frame = JSON.parse(e.data);
    } catch {
      return;
    }
    onFrame(frame);
  });
  events.addEventListener('error', () => {
    if (state.events !== events) return;
    if (events.readyState === EventSource.CLOSED) {
      showError('The live stream from the server stopped. Reload the page to go on.');
    }
  });
  state.events = events;
}

// ---------------------------------------------------------------- frames and records

function onFrame(frame) {
  state.framesSeen += 1;
  // The server marks the first frame of a stream, and the first after a reset, with "reset":
  // its records are the whole history (not in API.md, so the records' epochs are checked too).
  if (frame.reset) {
    state.history.clear();
    state.log = [];
    timeline.clear();
    compare.mainReset();
  }
  // Maps are decoded once: the live map, the timeline and the GIF share the bytes.
  if (frame.map) {
    frame.map = decodeMap(frame.map);
    timeline.add(frame.epoch, frame.map);
  }
  addRecords(withTestLosses(frame.records || [], frame.test_losses), frame.epoch);
  state.epoch = frame.epoch;
  state.run = frame.state;
  // A run that stops gets the map of every epoch (the frames brought at most 30 a second).
  const before = state.frame && state.frame.state;
  if (before && frame.state !== before && (frame.state === 'paused' || frame.state === 'done')) timeline.sync();
  // A frame may leave out what did not change: keep the last maps and parameters.
  state.frame = { ...(state.frame || {}), ...frame };
  if (typeof frame.lr === 'number' && state.config && frame.lr !== state.config.lr) {
    state.config = { ...state.config, lr: frame.lr };
    state.desired = { ...state.desired, lr: frame.lr };
    showLr(frame.lr);
  }
  scheduleRender();
}

/**
 * A classification's test loss comes beside its records (the records are what `nnlab train`
 * records); it is laid into them here, for the test loss curve and number.
 */
function withTestLosses(records, testLosses) {
  if (!testLosses || testLosses.length !== records.length) return records;
  return records.map((r, i) => ({ ...r, test_loss: testLosses[i] }));
}

/**
 * Appends records in epoch order. A record that does not follow the last one (after a reset, or
 * when the stream reconnects and sends the history again) replaces the records from its epoch on;
 * records beyond the frame's epoch count are dropped (a reset's frame says epoch 0).
 */
function addRecords(records, epoch) {
  const { history } = state;
  const engine = state.config ? state.config.engine : 'manual';
  let rebuilt = false;
  for (const r of records) {
    if (history.dropFrom(r.epoch)) rebuilt = true;
    history.push(r);
    if (!rebuilt && r.epoch % LOG_EVERY === 0) {
      state.log.push(epochLine(r, engine));
      if (state.log.length > LOG_KEEP * 2) state.log = state.log.slice(-LOG_KEEP);
    }
  }
  if (typeof epoch === 'number' && history.dropFrom(epoch)) rebuilt = true;
  if (rebuilt) state.log = history.logLines(engine, LOG_EVERY, LOG_KEEP);
}

// ---------------------------------------------------------------- drawing

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render() {
  const { session, frame } = state;
  if (!session) return;
  $('epoch').textContent = String(state.epoch);
  // Each part on its own: one that fails (and says so in the console) leaves the others drawn.
  safely(renderRunState);
  safely(renderMetrics);
  safely(() => drawCharts($('loss-chart'), $('acc-chart'), state.history, session.task));
  const look = {
    discrete: $('discretize').checked,
    showTest: $('show-test').checked,
    pending: state.pending,
  };
  safely(() => output.draw(session, timeline.shown(frame), { ...look, badge: timeline.badge() }));
  safely(() => timeline.render(Boolean(session.map)));
  safely(() => compare.draw(state.history, look));
  safely(() => backprop.tick());
  if (frame) {
    safely(() => network.update(frame, session.network.widths));
    if (frame.command) $('command').textContent = frame.command;
  }
  safely(renderDivergence);
  safely(renderLog);
}

function safely(part) {
  try {
    part();
  } catch (e) {
    console.error(e);
  }
}

function renderLog() {
  const log = $('notebook-log');
  const text = state.log.slice(-LOG_KEEP).join('\n');
  if (log.textContent !== text) {
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.textContent = text;
    if (atEnd) log.scrollTop = log.scrollHeight;
  }
}

function renderRunState() {
  const words = {
    paused: 'paused',
    playing: 'training…',
    done: `done at epoch ${state.config.epochs}`,
    diverged: 'diverged',
  };
  $('run-state').textContent = words[state.run] || state.run;
  const play = $('play');
  play.dataset.state = state.run;
  const playing = state.run === 'playing';
  play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
  play.title = playing ? 'Pause' : 'Play: train until paused';
}

function renderMetrics() {
  const last = state.history.last();
  const regression = state.session.task === 'regression';
  $('loss').textContent = last ? fixed(last.loss) : '—';
  $('test-loss').textContent = last && last.test_loss != null ? fixed(last.test_loss) : '—';
  $('train-acc').textContent = last && !regression ? fixed(last.train_accuracy) : '—';
  $('test-acc').textContent = last && !regression ? fixed(last.test_accuracy) : '—';
}

function renderDivergence() {
  const box = $('divergence');
  const d = state.frame && state.frame.divergence;
  if (!d) {
    box.hidden = true;
    return;
  }
  const text = `Training stopped at epoch ${d.epoch}: ${d.message}`;
  if (box.dataset.text !== text) {
    box.dataset.text = text;
    box.replaceChildren();
    const title = document.createElement('strong');
    title.textContent = `The run stopped at epoch ${d.epoch}.`;
    const message = document.createElement('span');
    message.textContent = d.message;
    const tip = document.createElement('p');
    tip.className = 'hint';
    tip.textContent = 'Choosing a smaller learning rate above starts the run again from epoch 0.';
    box.append(title, message, tip);
  }
  box.hidden = false;
}

// ---------------------------------------------------------------- the rest of the page

function renderDownloads() {
  const list = $('downloads');
  list.replaceChildren();
  for (const [name, what] of FILES) {
    const item = document.createElement('li');
    const a = document.createElement('a');
    a.href = api.fileUrl(state.session.id, name);
    a.download = name;
    a.textContent = name;
    item.append(a, ` ${what}`);
    list.append(item);
  }
}

/** Puts the settings that differ from the playground's start in the address (not own data). */
function updateUrl() {
  if (!state.preset) return;
  $('share-hint').hidden = Boolean(state.csv);
  $('share-own').hidden = !state.csv;
  if (state.csv) return;
  // The task the dataset has anyway is left out: "auto" finds it again.
  const shown = { ...state.config };
  if (shown.task && shown.task === datasetTask(state.options, shown.dataset)) delete shown.task;
  const query = encodeState(shown, state.preset, state.hide);
  const url = `${location.pathname}${query}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
}

function applyHide(groups) {
  for (const name of groups) {
    document.body.classList.add(`hide-${name}`);
    for (const node of document.querySelectorAll(`[data-group~="${CSS.escape(name)}"]`)) node.hidden = true;
  }
}

async function copyText(text, done) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  done.textContent = 'Copied.';
  setTimeout(() => { done.textContent = ''; }, 2000);
}

// ---------------------------------------------------------------- controls

/** play, pause, step or reset: for the session, and for the second engine when it is on. */
async function control(action, body) {
  await state.starting;
  if (!state.session) return;
  if (action === 'play') timeline.live();
  if (action === 'play' || action === 'reset') backprop.stopSlow();
  const id = state.session.id;
  const seen = state.framesSeen;
  const [answer] = await Promise.all([guarded(() => api.control(id, action, body)), compare.control(action, body)]);
  if (!answer || !state.session || state.session.id !== id) return;
  // A frame that came meanwhile knows better than the answer: the server answers before its
  // training thread has acted (a short run may even be done already).
  if (state.framesSeen === seen) {
    if (action === 'reset') {
      state.history.clear();
      Object.assign(state, { log: [], epoch: 0 });
      if (state.frame) state.frame.divergence = null;
    } else if (typeof answer.epoch === 'number') {
      state.epoch = answer.epoch;
    }
    if (answer.state) state.run = answer.state;
  }
  scheduleRender();
}

/**
 * A new learning rate: mid-run the server takes it from the next epoch on (and the replay
 * command records when); before the first epoch, or after a divergence, it makes a new session.
 */
async function onLrChange() {
  const lr = Number($('lr').value);
  const live = !state.creating && state.session && state.epoch > 0 && state.run !== 'diverged';
  if (!live) {
    change({ lr }); // at once, so that a click on play right after waits for the new session
    return;
  }
  const id = state.session.id;
  const [answer] = await Promise.all([guarded(() => api.lr(id, lr)), compare.lr(lr)]);
  if (answer !== undefined && state.session && state.session.id === id) {
    state.config = { ...state.config, lr };
    state.desired = { ...state.desired, lr };
    updateUrl();
    scheduleRender(); // the backprop view's update uses the learning rate
  } else {
    showLr(state.config.lr);
  }
}

function wire() {
  $('play').addEventListener('click', () => control(state.run === 'playing' ? 'pause' : 'play'));
  $('step').addEventListener('click', () => {
    if ($('slow-motion').checked) backprop.slowStep();
    else control('step', { epochs: 1 });
  });
  $('compare').addEventListener('change', () => {
    if (!$('compare').checked) compare.stop();
    else if (state.session) compare.start(state.config, state.csv);
    scheduleRender();
  });
  $('export-gif').addEventListener('click', () => {
    if (!state.session) return;
    timeline.exportGif(state.session, {
      discrete: $('discretize').checked, showTest: $('show-test').checked, pending: state.pending,
    });
  });
  $('reset').addEventListener('click', () => control('reset'));
  $('preset-notebook').addEventListener('click', () => startSession(state.options.presets.notebook, null));
  $('lr').addEventListener('change', onLrChange);

  const select = (id, field, parse = (v) => v) => $(id).addEventListener('change', () => change({ [field]: parse($(id).value) }));
  select('optimizer', 'optimizer');
  select('activation', 'activation');
  select('l1', 'l1', Number);
  select('l2', 'l2', Number);
  select('task', 'task', (v) => (v === 'auto' ? null : v));
  select('engine', 'engine');
  select('init', 'init');
  select('dtype', 'dtype');
  select('ratio', 'test_size', (v) => Number((1 - Number(v) / 100).toFixed(2)));
  select('noise', 'noise', Number);
  $('ratio').addEventListener('input', () => {
    const train = Number($('ratio').value) / 100;
    $('ratio-value').textContent = `${percent(train)} train, ${percent(1 - train)} test`;
  });
  $('noise').addEventListener('input', () => {
    $('noise-value').textContent = noiseText({ ...state.config, noise: Number($('noise').value) });
  });
  const number = (id, field, integer = true) => $(id).addEventListener('change', () => numberChange(field, $(id).value, integer));
  number('batch', 'batch_size');
  number('epochs', 'epochs');
  number('samples', 'samples');
  number('seed', 'seed');
  number('data_seed', 'data_seed');
  number('split_seed', 'split_seed');
  number('init_seed', 'init_seed');
  number('momentum', 'momentum', false);
  $('regenerate').addEventListener('click', () => change({ data_seed: Math.floor(Math.random() * 4294967296) }));
  $('layer-add').addEventListener('click', () => change({ hidden: changeLayers(state.config.hidden, +1, limits()) }));
  $('layer-remove').addEventListener('click', () => change({ hidden: changeLayers(state.config.hidden, -1, limits()) }));
  $('upload').addEventListener('change', () => onUpload($('upload').files[0]));
  for (const id of ['show-test', 'discretize']) {
    $(id).addEventListener('change', () => {
      $('map-hint').textContent = mapHint();
      scheduleRender();
    });
  }
  $('add-mode').addEventListener('change', renderAddPicker);
  $('output-map').addEventListener('click', onMapClick);
  $('error-close').addEventListener('click', clearError);
  // "More settings" is a drop-down: a click elsewhere, or Escape, closes it.
  const more = document.querySelector('details.more');
  document.addEventListener('click', (e) => {
    if (more.open && !more.contains(e.target)) more.open = false;
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') more.open = false;
  });
  $('copy').addEventListener('click', () => copyText($('command').textContent, $('copied')));
  $('copy-link').addEventListener('click', () => copyText(location.href, $('copied')));
  window.addEventListener('resize', () => {
    layoutChanged();
    scheduleRender();
  });
  // Free the server's session when the page goes away (and start afresh if it comes back).
  window.addEventListener('pagehide', () => {
    for (const id of [state.session && state.session.id, compare.id]) {
      if (id) fetch(`/api/sessions/${id}`, { method: 'DELETE', keepalive: true }).catch(() => {});
    }
  });
  window.addEventListener('pageshow', (e) => {
    if (e.persisted) location.reload();
  });
}

async function main() {
  const url = decodeState(location.search || location.hash);
  state.hide = url.hide;
  applyHide(url.hide);
  wire();
  try {
    state.options = await api.options();
  } catch (e) {
    showError(`${e.message} (could not load /api/options)`);
    return;
  }
  const presets = state.options.presets || {};
  state.preset = presets.playground || presets.notebook;
  $('version').textContent = state.options.version ? `nnlab ${state.options.version}` : '';
  drawThumbs();
  const ok = await startSession(applyChanges(state.preset, url.changes), null);
  if (!ok && Object.keys(url.changes).length) {
    const why = $('error').textContent;
    if (await startSession(state.preset, null)) {
      showError(`The link's settings were not accepted (${why}); this is the playground's start instead.`);
    }
  } else if (url.ignored.length) {
    showError(`The link had settings this page does not know, left out: ${url.ignored.join(', ')}.`);
  }
}

actions.change = change;
actions.start = startSession;
actions.redraw = scheduleRender;
main();

// For the browser console: the page's state, to look at while learning how it works.
window.nnlab = {
  state, render, backprop, compare, timeline,
};
