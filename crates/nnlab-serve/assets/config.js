// The run's config on the page: changing a field, and the page's state in the URL.
// Pure functions: no DOM, tested with node --test.
//
// The page always holds the config the server resolved for the live session (every default
// filled in) and sends it back whole with the changed fields laid over it. A field sent as null is
// removed, and the server fills it with its default again. So when a field changes, the fields
// that depend on it are sent as null: a new seed must not keep the old data seed, a new dataset
// must not keep the old dataset's noise, and so on.

/** The fields to reset to their defaults when a field changes. */
export const DEPENDENTS = {
  dataset: ['data', 'noise', 'factor', 'centers', 'cluster_std', 'features', 'classes', 'task'],
  seed: ['data_seed', 'split_seed', 'init_seed', 'shuffle_seed'],
  optimizer: ['momentum', 'nesterov', 'betas', 'eps', 'weight_decay'],
  batch_size: ['shuffle_seed'],
  classes: ['task'], // 3 spiral arms are no longer a binary task
  centers: ['task'],
};

/**
 * The fields a page may send (the server refuses others, e.g. `device` or `data`, which its
 * resolved configs carry).
 */
export const FIELDS = [
  'dataset', 'samples', 'noise', 'factor', 'centers', 'cluster_std', 'features', 'classes',
  'no_shuffle', 'inputs', 'test_size', 'seed', 'data_seed', 'split_seed', 'init_seed', 'hidden',
  'activation', 'lr', 'epochs', 'task', 'batch_size', 'shuffle_seed', 'optimizer',
  'momentum', 'nesterov', 'betas', 'eps', 'weight_decay', 'l1', 'l2', 'engine', 'init', 'dtype',
  'readable',
];

/** The config as the page sends it: only the fields the server takes. */
export function sendable(config) {
  const out = {};
  for (const f of FIELDS) if (f in config) out[f] = config[f];
  return out;
}

/** The type of each field the page knows, for reading it back from a URL. */
const TYPES = {
  dataset: 'string', activation: 'string', task: 'string', optimizer: 'string',
  engine: 'string', init: 'string', dtype: 'string',
  samples: 'number', noise: 'number', factor: 'number', centers: 'number',
  cluster_std: 'number', features: 'number', classes: 'number', test_size: 'number',
  seed: 'number', data_seed: 'number', split_seed: 'number', init_seed: 'number',
  lr: 'number', epochs: 'number', batch_size: 'number', shuffle_seed: 'number',
  momentum: 'number', eps: 'number', weight_decay: 'number', l1: 'number', l2: 'number',
  no_shuffle: 'bool', nesterov: 'bool', readable: 'bool',
  hidden: 'numbers', betas: 'numbers', inputs: 'strings',
};

/**
 * `config` with `changes` laid over it: first every dependent of a changed field becomes null
 * (unless `changes` sets it too), then the changes themselves.
 */
export function applyChanges(config, changes) {
  const next = { ...config };
  for (const field of Object.keys(changes)) {
    for (const dep of DEPENDENTS[field] || []) next[dep] = null;
  }
  // One activation per layer ("relu,tanh") cannot outlive a change of the layer count.
  if ('hidden' in changes && typeof next.activation === 'string' && next.activation.includes(',')) {
    const per = next.activation.split(',');
    if (per.length !== (changes.hidden || []).length) next.activation = per[0];
  }
  return Object.assign(next, changes);
}

/** Fields whose values differ between two configs: {field: value in `b`, or null if absent}. */
export function configDiff(a, b) {
  const diff = {};
  const fields = new Set([...Object.keys(a || {}), ...Object.keys(b || {})]);
  for (const f of fields) {
    const va = a ? a[f] : undefined;
    const vb = b ? b[f] : undefined;
    if (!same(va, vb)) diff[f] = vb === undefined ? null : vb;
  }
  return diff;
}

function same(x, y) {
  if (x === undefined || x === null) return y === undefined || y === null;
  return JSON.stringify(x) === JSON.stringify(y);
}

/**
 * The query string that rebuilds `config` from the playground preset: only the fields that
 * differ, known fields only, and none that the server re-derives anyway (a seed equal to `seed`,
 * a dependent cleared by its changed parent). `hide` (a list of control groups) is kept.
 */
export function encodeState(config, preset, hide = []) {
  const diff = configDiff(preset, config);
  // Reading the URL back clears the dependents of every changed field, so those that have a
  // value must be written even when it equals the preset's (a data seed pinned to 42, say).
  for (const parent of Object.keys(diff)) {
    for (const dep of DEPENDENTS[parent] || []) {
      if (!(dep in diff) && config[dep] !== undefined && config[dep] !== null) diff[dep] = config[dep];
    }
  }
  const params = [];
  for (const [field, value] of Object.entries(diff)) {
    if (!(field in TYPES)) continue;
    if (isDerivedSeed(field, value, config)) continue;
    if (value === null && clearedByParent(field, diff)) continue;
    params.push(`${field}=${encodeValue(value)}`);
  }
  if (hide.length) params.push(`hide=${hide.map(encodeURIComponent).join(',')}`);
  return params.length ? `?${params.join('&')}` : '';
}

function isDerivedSeed(field, value, config) {
  const derived = ['data_seed', 'split_seed', 'init_seed', 'shuffle_seed'];
  return derived.includes(field) && value === config.seed;
}

function clearedByParent(field, diff) {
  return Object.keys(diff).some((parent) => (DEPENDENTS[parent] || []).includes(field));
}

function encodeValue(value) {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => encodeURIComponent(String(v))).join(',');
  return encodeURIComponent(String(value));
}

/**
 * Reads a query string (or hash) back: {changes, hide, ignored}. `changes` holds the config fields
 * (typed; an empty value means null, i.e. the server's default, except `hidden=` which means no
 * hidden layer); `ignored` lists parameters that were not understood.
 */
export function decodeState(query) {
  const text = String(query || '').replace(/^[?#]/, '');
  const changes = {};
  const ignored = [];
  let hide = [];
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const raw = eq < 0 ? '' : part.slice(eq + 1).replace(/\+/g, ' ');
    if (key === 'hide') {
      hide = raw.split(',').map((s) => decodeURIComponent(s).trim()).filter(Boolean);
      continue;
    }
    const type = TYPES[key];
    const value = type ? decodeValue(raw, type, key) : undefined;
    if (value === undefined) ignored.push(key);
    else changes[key] = value;
  }
  return { changes, hide, ignored };
}

function decodeValue(raw, type, key) {
  const items = raw.split(',').map((s) => decodeURIComponent(s));
  const text = items.join(',');
  if (type === 'numbers') {
    if (raw === '') return key === 'hidden' ? [] : null;
    const numbers = items.map(Number);
    return numbers.every(Number.isFinite) ? numbers : undefined;
  }
  if (raw === '') return null;
  if (type === 'strings') return items.filter(Boolean);
  if (type === 'number') {
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  }
  if (type === 'bool') {
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    return undefined;
  }
  return text;
}

/** The task a dataset has by default, from the options' dataset list. */
export function datasetTask(options, name) {
  const entry = (options.datasets || []).find((d) => d.name === name);
  return entry ? entry.task : null;
}

/** The test share a config asks for: test_size as a share, or a row count over the samples. */
export function testShare(config) {
  const t = config.test_size;
  if (typeof t !== 'number') return null;
  if (t > 0 && t < 1) return t;
  return config.samples ? t / config.samples : null;
}

/** The hidden layers after adding/removing a layer or a unit, within the server's limits. */
// nnlab's networks have at least one hidden layer (`--hidden` needs a width), so − stops at one.
export function changeLayers(hidden, delta, limits = {}) {
  const next = hidden.slice();
  if (delta > 0 && next.length < (limits.max_layers ?? 6)) next.push(next.length ? next[next.length - 1] : 4);
  if (delta < 0 && next.length > 1) next.pop();
  return next;
}

export function changeUnits(hidden, layer, delta, limits = {}) {
  const next = hidden.slice();
  const max = limits.max_units ?? 8;
  next[layer] = Math.min(max, Math.max(1, next[layer] + delta));
  return next;
}

/**
 * One hidden layer's activation changed: the config's `activation` (one name for every layer, or
 * one per layer as "relu,tanh") with layer `layer` (0-based) set to `name`, written back as one
 * name when every layer has the same.
 */
export function setLayerActivation(activation, layers, layer, name) {
  const given = String(activation || 'relu').split(',');
  const per = Array.from({ length: layers }, (_, i) => (given.length === layers ? given[i] : given[0]));
  per[layer] = name;
  return per.every((a) => a === per[0]) ? per[0] : per.join(',');
}

/** Toggles an input feature; the last one left cannot be switched off. */
export function toggleInput(inputs, name, order) {
  const on = new Set(inputs);
  if (on.has(name)) {
    if (on.size === 1) return inputs.slice();
    on.delete(name);
  } else {
    on.add(name);
  }
  return order.filter((n) => on.has(n));
}
