// Number formatting and the notebook's epoch line. Pure functions: no DOM, tested with node --test.

/**
 * `x` with `digits` decimals, rounded as Rust's `{:.4}` and Python's `f"{x:.4f}"` round: to the
 * nearest, and on an exact tie (0.03125 -> 0.0312) to the even digit. JavaScript's toFixed rounds
 * ties up (0.0313), so the page would otherwise disagree with the CLI on accuracies like 25/800.
 */
export function fixed(x, digits = 4) {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const abs = Math.abs(x);
  if (abs >= 1e21) return x.toExponential(digits); // toFixed gives up there too
  const rounded = abs.toFixed(digits); // nearest, ties away from zero
  // The exact decimal expansion (toFixed uses the double's exact value): a tie is "…5000…".
  const exact = abs.toFixed(Math.min(100, digits + 60));
  const cut = exact.indexOf('.') + 1 + digits;
  const rest = exact.slice(cut);
  let text = rounded;
  if (/^50*$/.test(rest)) {
    const truncated = exact.slice(0, digits === 0 ? cut - 1 : cut);
    const last = Number(truncated[truncated.length - 1]);
    if (last % 2 === 0) text = truncated; // a tie goes to the even neighbour
  }
  const negative = x < 0 || Object.is(x, -0);
  return negative ? `-${text}` : text;
}

/** The metrics part of the notebook's line (a regression shows its test loss instead). */
export function metricsText(record) {
  const loss = `Loss: ${fixed(record.loss)}`;
  if (isNum(record.train_accuracy) && isNum(record.test_accuracy)) {
    return `${loss}, Train Acc: ${fixed(record.train_accuracy)}, Test Acc: ${fixed(record.test_accuracy)}`;
  }
  if (isNum(record.test_loss)) return `${loss}, Test Loss: ${fixed(record.test_loss)}`;
  return loss;
}

/**
 * The notebook's epoch line, as `nnlab train` prints it. The numpy section (engine "manual")
 * right-aligns the epoch in 4 places, the PyTorch section ("autograd") in 3:
 *   Epoch    0, Loss: 1.3632, Train Acc: 0.1800, Test Acc: 0.2050
 *   Epoch   0, Loss: 0.6465, Train Acc: 0.5437, Test Acc: 0.6350
 */
export function epochLine(record, engine = 'manual') {
  const width = engine === 'autograd' ? 3 : 4;
  return `Epoch ${String(record.epoch).padStart(width)}, ${metricsText(record)}`;
}

/** The log's lines for these records: every `every`-th epoch, the last `keep` of them. */
export function logLines(records, engine, every = 10, keep = 200) {
  const lines = [];
  for (const r of records) if (r.epoch % every === 0) lines.push(epochLine(r, engine));
  return lines.slice(-keep);
}

/** A short readable number for labels and tick marks: 0.03, 1.2e-5, 1234, 0.5. */
export function short(x) {
  if (!isNum(x)) return '—';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e5 || abs < 1e-3) return x.toExponential(1).replace('e+', 'e');
  return String(Number(x.toPrecision(3)));
}

/** The learning-rate choices TensorFlow Playground offers, plus `current` if it is another. */
export function lrChoices(current) {
  const choices = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  if (isNum(current) && !choices.includes(current)) {
    choices.push(current);
    choices.sort((a, b) => a - b);
  }
  return choices;
}

/** A share of the rows as a percentage: 0.2 -> "20%". */
export function percent(share) {
  return `${Math.round(share * 100)}%`;
}

export function isNum(x) {
  return typeof x === 'number' && !Number.isNaN(x);
}
