// The learner's own data: a CSV upload, and points added by clicking the output map. Both send
// the rows as CSV text with a new session; clicked points start from the session's own rows.

import { $, state, actions, limits, showError } from './page.js';
import { short } from './format.js';
import { applyChanges, testShare } from './config.js';
import { pixelToData, featureBase } from './maps.js';
import { rowsToCsv, hasSplitColumn, countRows, parseTarget } from './owndata.js';
import { classColor, css } from './colors.js';

export function renderOwnStatus() {
  const box = $('own-status');
  box.replaceChildren();
  const s = state.session;
  box.append(`Your data: ${s.data.train.length} training and ${s.data.test.length} test rows. `);
  const back = document.createElement('button');
  back.className = 'link-button';
  back.textContent = 'Back to the generated data';
  back.addEventListener('click', () => actions.start(applyChanges(state.desired, {
    dataset: state.lastDataset || state.preset.dataset,
    test_size: state.preset.test_size,
    samples: state.preset.samples,
  }), null));
  box.append(back);
}

export async function onUpload(file) {
  if (!file) return;
  const max = limits().max_upload_bytes;
  if (max && file.size > max) {
    showError(`${file.name} is ${file.size} bytes; the server takes files up to ${max} bytes.`);
    return;
  }
  const text = await file.text();
  const split = hasSplitColumn(text);
  const share = testShare(state.config) ?? 0.2;
  const changes = { dataset: null, task: null, test_size: split ? null : share };
  if (await actions.start(applyChanges(state.desired, changes), text)) {
    $('own-status').hidden = false;
    renderOwnStatus();
    $('own-status').prepend(`${file.name}: ${countRows(text)} rows. `);
  }
  $('upload').value = '';
}

/** The class (or value) picker for points added by clicking the map. */
export function renderAddPicker() {
  const box = $('add-picker');
  const s = state.session;
  box.hidden = !$('add-mode').checked || !s.map;
  $('output-map').classList.toggle('adding', !box.hidden);
  if (box.hidden) return;
  const previous = box.querySelector('input:checked, input[type=number]');
  const keep = previous ? previous.value : '0';
  box.replaceChildren();
  if (s.task === 'regression') {
    const label = document.createElement('label');
    label.append('Value of the new points: ');
    const input = document.createElement('input');
    const [lo, hi] = s.data.value_range || [0, 1];
    Object.assign(input, { type: 'number', step: 'any', value: previous ? keep : short((lo + hi) / 2), id: 'add-value' });
    label.append(input);
    box.append(label);
  } else {
    box.append('Class of the new points: ');
    for (let k = 0; k < (s.classes || 2); k++) {
      const label = document.createElement('label');
      label.className = 'class-choice';
      const radio = document.createElement('input');
      Object.assign(radio, { type: 'radio', name: 'add-class', value: String(k), checked: String(k) === keep });
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = css(classColor(k));
      label.append(radio, swatch, ` ${k}`);
      box.append(label);
    }
    if (!box.querySelector('input:checked')) box.querySelector('input').checked = true;
  }
  const note = document.createElement('p');
  note.className = 'hint';
  note.textContent = 'Each click adds a training row to the current data and starts again from epoch 0.';
  box.append(note);
}

let addTimer = 0;
export function onMapClick(event) {
  const s = state.session;
  if (!$('add-mode').checked || !s || !s.map) return;
  const canvas = $('output-map');
  const r = canvas.getBoundingClientRect();
  const [x1, x2] = pixelToData(event.clientX - r.left, event.clientY - r.top, s.data.domain, r.width, r.height);
  const text = s.task === 'regression'
    ? ($('add-value') || {}).value
    : (document.querySelector('input[name=add-class]:checked') || {}).value;
  const target = parseTarget(String(text ?? ''), s.task);
  if (target === null) {
    showError('Pick the class (or type the value) of the point to add.');
    return;
  }
  state.pending.push([round(x1), round(x2), target]);
  actions.redraw();
  // A burst of clicks makes one new session.
  clearTimeout(addTimer);
  addTimer = setTimeout(() => {
    const cur = state.session;
    const base = featureBase(state.options.inputs);
    const csv = rowsToCsv([...cur.data.train, ...state.pending], cur.data.test, cur.data.columns, base);
    actions.start(applyChanges(state.desired, { dataset: null, task: null, test_size: null }), csv);
  }, 300);
}

const round = (v) => Number(v.toPrecision(6));
