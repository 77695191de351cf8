// The learner's own data: rows as CSV text, the format `nnlab train --data` reads
// (any header; the column `label` is the target and `split` says train or test).
// Pure functions: no DOM, tested with node --test.

/**
 * CSV text of the session's rows: `x1,x2,...,label,split` (`base` 0: `x0,x1,...` as nnlab's own
 * CSV files), training rows first.
 */
export function rowsToCsv(train, test, columns = 2, base = 1) {
  const names = Array.from({ length: columns }, (_, j) => `x${j + base}`);
  const lines = [[...names, 'label', 'split'].join(',')];
  for (const row of train || []) lines.push(rowLine(row, 'train'));
  for (const row of test || []) lines.push(rowLine(row, 'test'));
  return `${lines.join('\n')}\n`;
}

function rowLine(row, split) {
  return `${row.map((v) => String(v)).join(',')},${split}`;
}

/** The rows with a new training row (x1, x2, target) appended (copies; the input is kept). */
export function addRow(rows, x1, x2, target) {
  return [...rows, [x1, x2, target]];
}

/** Whether a CSV text's header names a `split` column. */
export function hasSplitColumn(text) {
  const header = String(text).split(/\r?\n/, 1)[0] || '';
  return header.split(',').some((c) => c.trim().replace(/^"|"$/g, '').toLowerCase() === 'split');
}

/** Rows in a CSV text (the header is not counted; blank lines neither). */
export function countRows(text) {
  return String(text).split(/\r?\n/).slice(1).filter((l) => l.trim() !== '').length;
}

/** A class index or a value, from the picker's text; null when it is not a number. */
export function parseTarget(text, task) {
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) return null;
  if (task === 'regression') return v;
  return Number.isInteger(v) && v >= 0 ? v : null;
}
