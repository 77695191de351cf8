// The network drawing's numbers: which weight joins which two neurons, and how big a neuron is
// drawn. Pure functions: no DOM, tested with node --test.

/**
 * The weight matrices of a frame's `parameters`, one per layer, as lists of links
 * {layer, from, to, w}: `from` is a unit of layer `layer` (0 = the inputs), `to` a unit of the
 * next layer. A weight's shape is PyTorch's [out, in] (`network.0.weight` of an 8-unit layer on
 * 2 inputs is [8, 2]); [in, out] is read too when only that fits the widths.
 */
export function links(parameters, widths) {
  const weights = (parameters || []).filter((p) => p.shape && p.shape.length === 2);
  const out = [];
  weights.forEach((p, layer) => {
    const nin = widths[layer];
    const nout = widths[layer + 1];
    const [rows, cols] = p.shape;
    const values = p.values.flat(Infinity);
    const outIn = rows === nout && cols === nin;
    if (!outIn && !(rows === nin && cols === nout)) return; // not this network's: draw nothing
    for (let to = 0; to < nout; to++) {
      for (let from = 0; from < nin; from++) {
        const w = outIn ? values[to * cols + from] : values[from * cols + to];
        out.push({ layer, from, to, w });
      }
    }
  });
  return out;
}

/** The largest |w| among links (0 when there are none, or all are 0). */
export function maxAbsWeight(list) {
  let m = 0;
  for (const l of list) if (Number.isFinite(l.w)) m = Math.max(m, Math.abs(l.w));
  return m;
}

/** The side of a neuron's square, in CSS pixels, so that the tallest column fits `height`. */
export function neuronSide(maxUnits, height = 330, gap = 8) {
  const side = Math.floor(height / Math.max(1, maxUnits)) - gap;
  return Math.max(14, Math.min(40, side));
}

/** "2 hidden layers", "1 neuron": a count with its noun. */
export function plural(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
