// The network drawing: the input features, a column of neurons per layer (each a small heat map
// of what it computes over the plane), and the links between them (width ∝ |w|, blue positive,
// red negative). Hovering a neuron shows its map large; clicking one selects it (the backprop
// view), and slow motion lights links and neurons stage by stage.

import { neuronPixels, featurePixels, featureBase, featureLabel } from './maps.js';
import { links, maxAbsWeight, neuronSide, plural } from './network.js';
import { linkStyle } from './colors.js';
import { short } from './format.js';

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class NetworkView {
  /**
   * `root`: the container; `inspector`: the hover box (a canvas and a caption);
   * `on`: {toggleInput(name), units(layer, delta), select(layer, unit)} (select's layer counts
   * from the first layer after the inputs, as the backprop endpoint does).
   */
  constructor(root, inspector, on) {
    this.root = root;
    this.inspector = inspector;
    this.on = on;
    this.canvas = document.createElement('canvas'); // the links, under the neurons
    this.canvas.className = 'links';
    this.glow = document.createElement('canvas'); // slow motion's lit links, over the links
    this.glow.className = 'links glow';
    this.lit = null; // the slow-motion step shown (see slowmo.js), or null
    this.selected = null; // {layer, unit} in node layers (1 = the first after the inputs)
    this.nodes = []; // nodes[layer][unit]: the element of each neuron (layer 0: the inputs)
    this.ends = []; // ends[layer][unit]: {left, right, y} of each neuron, in the container's pixels
    this.weights = []; // the links of the latest frame: {layer, from, to, w}
    this.lastDrawn = 0;
    this.hovered = null;
    this.frame = null;
    new ResizeObserver(() => {
      this.layoutLinks();
      this.drawLinks();
      this.drawGlow();
    }).observe(root);
  }

  /** Builds the columns for a new session. */
  build(session, options, { hideFeatures = false } = {}) {
    const { widths, inputs, activations } = session.network;
    // Every feature the API offers for 2-column data (the active ones lit), else the columns.
    const all = session.data.columns === 2 && options.inputs ? options.inputs : inputs;
    const maxUnits = Math.max(...widths.slice(1), hideFeatures ? inputs.length : all.length);
    const side = neuronSide(maxUnits);
    this.root.style.setProperty('--node', `${side}px`);
    clearTimeout(this.trailing);
    this.root.replaceChildren(this.canvas, this.glow);
    this.lit = null;
    this.selected = null;
    this.nodes = [];
    this.frame = null;
    this.widths = widths;
    this.weights = [];

    // The inputs.
    const features = el('div', 'net-col features');
    const head = el('div', 'col-head');
    head.append(el('span', 'col-title', 'Features'), el('span', 'col-sub', 'what the net sees'));
    const units = el('div', 'units');
    this.base = featureBase(all);
    const inputNodes = [];
    for (const name of all) {
      const on = inputs.includes(name);
      if (hideFeatures && !on) continue;
      const node = el('div', `node feature${on ? '' : ' off'}`);
      node.title = on ? `${featureLabel(name)}: click to leave it out` : `click to add ${featureLabel(name)}`;
      node.append(el('span', 'node-label', featureLabel(name)));
      const canvas = el('canvas');
      node.append(canvas);
      if (session.map) this.paintFeature(canvas, name, session.data.domain);
      if (!hideFeatures && session.data.columns === 2) {
        node.addEventListener('click', () => this.on.toggleInput(name));
        node.classList.add('clickable');
      }
      this.hover(node, { kind: 'feature', name, domain: session.data.domain });
      units.append(node);
      if (on) inputNodes[inputs.indexOf(name)] = node;
    }
    features.append(head, units);
    this.root.append(features);
    this.nodes.push(inputNodes);

    // Hidden layers, then the output layer.
    for (let layer = 1; layer < widths.length; layer++) {
      const output = layer === widths.length - 1;
      const col = el('div', `net-col ${output ? 'output-layer' : 'hidden-layer'}`);
      const top = el('div', 'col-head');
      if (!output) {
        const buttons = el('span', 'unit-buttons');
        const add = el('button', 'mini', '+');
        const remove = el('button', 'mini', '−');
        add.title = 'Add a neuron to this layer';
        remove.title = 'Remove a neuron from this layer';
        add.addEventListener('click', () => this.on.units(layer - 1, +1));
        remove.addEventListener('click', () => this.on.units(layer - 1, -1));
        buttons.dataset.group = 'layers';
        buttons.append(add, remove);
        top.append(buttons);
      }
      top.append(el('span', 'col-title', output ? 'Output layer' : plural(widths[layer], 'neuron')));
      if (output || !options.activations) {
        top.append(el('span', 'col-sub', activations[layer - 1] || ''));
      } else {
        // Each hidden layer picks its own activation (the top bar's sets them all).
        const pick = el('select', 'col-act');
        pick.title = 'This layer\'s activation';
        pick.dataset.group = 'activation';
        for (const option of options.activations) {
          const name = typeof option === 'string' ? option : option.name;
          const item = el('option', '', name);
          item.value = name;
          pick.append(item);
        }
        pick.value = activations[layer - 1];
        pick.addEventListener('change', () => this.on.activation(layer - 1, pick.value));
        top.append(pick);
      }
      const column = el('div', 'units');
      const list = [];
      for (let unit = 0; unit < widths[layer]; unit++) {
        const node = el('div', 'node neuron');
        node.append(el('canvas'));
        node.tabIndex = 0;
        node.addEventListener('click', () => this.on.select(layer - 1, unit));
        node.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            this.on.select(layer - 1, unit);
          }
        });
        this.hover(node, { kind: 'neuron', layer, unit, output });
        column.append(node);
        list.push(node);
      }
      col.append(top, column);
      this.root.append(col);
      this.nodes.push(list);
    }
    this.layoutLinks();
    this.drawLinks();
  }

  /** Marks the neuron `unit` of `layer` (0: the first after the inputs) as selected; null: none. */
  select(layer, unit) {
    for (const node of this.root.querySelectorAll('.node.selected')) node.classList.remove('selected');
    const node = layer === null ? null : this.nodes[layer + 1] && this.nodes[layer + 1][unit];
    this.selected = node ? { layer: layer + 1, unit } : null;
    if (node) node.classList.add('selected');
    return Boolean(node);
  }

  /**
   * Lights a slow-motion step (slowmo.js: links and node layers lit, the direction, focus on the
   * selected neuron's incoming links), or nothing with null.
   */
  light(step) {
    this.lit = step;
    this.nodes.forEach((layer, k) => {
      const on = Boolean(step) && step.nodes.includes(k);
      for (const node of layer) {
        if (!node) continue;
        const mine = !step || !step.focus || (this.selected && k === this.selected.layer && node === this.nodes[k][this.selected.unit]);
        node.classList.toggle('lit', on && mine);
        node.classList.toggle('lit-back', on && mine && step.direction === 'backward');
      }
    });
    this.drawGlow();
  }

  /** Draws the lit links: teal going forward, amber coming back. */
  drawGlow() {
    const box = this.box;
    if (!box) return;
    const ctx = clearedContext(this.glow, box);
    const step = this.lit;
    if (!step) return;
    ctx.strokeStyle = step.direction === 'backward' ? '#d97706' : '#0f766e';
    ctx.globalAlpha = 0.55;
    ctx.lineWidth = 2.2;
    ctx.beginPath();
    for (const k of step.links) {
      const from = this.ends[k] || [];
      const to = this.ends[k + 1] || [];
      to.forEach((b, j) => {
        if (!b) return;
        if (step.focus && !(this.selected && this.selected.layer === k + 1 && this.selected.unit === j)) return;
        for (const a of from) {
          if (!a) continue;
          const mid = (a.right + b.left) / 2;
          ctx.moveTo(a.right, a.y);
          ctx.bezierCurveTo(mid, a.y, mid, b.y, b.left, b.y);
        }
      });
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  paintFeature(canvas, name, domain) {
    const n = 40;
    canvas.width = n;
    canvas.height = n;
    const pixels = featurePixels(name, domain, n, this.base);
    canvas.getContext('2d').putImageData(new ImageData(pixels, n, n), 0, 0);
  }

  /** Measures where each neuron's edges are (after a build, and when the page resizes). */
  layoutLinks() {
    const box = this.root.getBoundingClientRect();
    this.box = box;
    this.ends = this.nodes.map((layer) => layer.map((node) => {
      if (!node) return null;
      const r = (node.querySelector('canvas') || node).getBoundingClientRect();
      return { left: r.left - box.left, right: r.right - box.left, y: r.top + r.height / 2 - box.top };
    }));
  }

  /** Draws every link: a curve from neuron to neuron, the strongest on top. */
  drawLinks() {
    const box = this.box;
    if (!box) return;
    const ctx = clearedContext(this.canvas, box);
    // Before the first frame: thin grey links, so that the architecture shows.
    const known = this.weights.length > 0;
    const list = known ? this.weights : this.allLinks();
    const max = maxAbsWeight(list);
    // Links of about the same weight share one path (16 steps of |w| per sign): a few strokes
    // instead of one per link, so that big networks draw quickly. Weak ones first, strong on top.
    const STEPS = 16;
    const buckets = new Map();
    for (const { layer, from, to, w } of list) {
      const a = this.ends[layer] && this.ends[layer][from];
      const b = this.ends[layer + 1] && this.ends[layer + 1][to];
      if (!a || !b || !Number.isFinite(w)) continue;
      const step = max > 0 ? Math.round((Math.abs(w) / max) * STEPS) : 0;
      const key = (w < 0 ? -1 : 1) * (step + 1);
      if (!buckets.has(key)) buckets.set(key, []);
      buckets.get(key).push([a, b]);
    }
    const keys = [...buckets.keys()].sort((x, y) => Math.abs(x) - Math.abs(y));
    for (const key of keys) {
      const w = Math.sign(key) * ((Math.abs(key) - 1) / STEPS) * max;
      const style = known ? linkStyle(w, max) : { color: '#c5cad3', width: 1, opacity: 1 };
      ctx.strokeStyle = style.color;
      ctx.globalAlpha = style.opacity;
      ctx.lineWidth = style.width;
      ctx.beginPath();
      for (const [a, b] of buckets.get(key)) {
        const mid = (a.right + b.left) / 2;
        ctx.moveTo(a.right, a.y);
        ctx.bezierCurveTo(mid, a.y, mid, b.y, b.left, b.y);
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  /** Every link of the network, with no weight known yet. */
  allLinks() {
    const out = [];
    const widths = this.widths || [];
    for (let layer = 0; layer + 1 < widths.length; layer++) {
      for (let to = 0; to < widths[layer + 1]; to++) {
        for (let from = 0; from < widths[layer]; from++) out.push({ layer, from, to, w: 1 });
      }
    }
    return out;
  }

  /**
   * Draws a frame: every neuron's map and every link's weight. A big network (hundreds of
   * neurons, thousands of links) is drawn at most about 3 times a second, the latest frame last.
   */
  update(frame, widths) {
    this.frame = frame;
    const units = widths.reduce((s, w) => s + w, 0);
    const linkCount = widths.slice(1).reduce((s, w, i) => s + w * widths[i], 0);
    const big = units > 150 || linkCount > 3000;
    const now = performance.now();
    clearTimeout(this.trailing);
    if (big && now - this.lastDrawn < 300) {
      this.trailing = setTimeout(() => this.update(this.frame, widths), 300);
      return;
    }
    this.lastDrawn = now;
    (frame.neurons || []).forEach((layer, k) => {
      layer.forEach((neuron, unit) => {
        const node = this.nodes[k + 1] && this.nodes[k + 1][unit];
        if (node) this.paintNeuron(node.querySelector('canvas'), neuron, frame.neuron_size);
      });
    });
    if (frame.parameters && frame.parameters !== this.drawnParameters) {
      this.weights = links(frame.parameters, widths);
      this.drawnParameters = frame.parameters;
      this.drawLinks();
    }
    if (this.hovered) this.showInspector(this.hovered);
  }

  paintNeuron(canvas, neuron, size) {
    const n = size || Math.round(Math.sqrt(neuron.values.length * 0.75)); // base64: 4 chars per 3 bytes
    if (canvas.width !== n) {
      canvas.width = n;
      canvas.height = n;
    }
    canvas.getContext('2d').putImageData(new ImageData(neuronPixels(neuron), n, n), 0, 0);
  }

  /** Shows the node's map large while the pointer is over it. */
  hover(node, what) {
    node.addEventListener('mouseenter', () => {
      this.hovered = { node, ...what };
      this.showInspector(this.hovered);
    });
    node.addEventListener('mouseleave', () => {
      this.hovered = null;
      this.inspector.hidden = true;
    });
  }

  showInspector(h) {
    const canvas = this.inspector.querySelector('canvas');
    const caption = this.inspector.querySelector('.caption');
    if (h.kind === 'feature') {
      this.paintFeature(canvas, h.name, h.domain);
      caption.textContent = `Input ${featureLabel(h.name)} over the plane (blue positive, red negative)`;
    } else {
      const layer = this.frame && this.frame.neurons && this.frame.neurons[h.layer - 1];
      const neuron = layer && layer[h.unit];
      if (!neuron) {
        caption.textContent = 'Press play or step to see what this neuron computes.';
        canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
      } else {
        this.paintNeuron(canvas, neuron, this.frame.neuron_size);
        const where = h.output ? `Output neuron ${h.unit + 1}` : `Layer ${h.layer}, neuron ${h.unit + 1}`;
        caption.textContent = `${where}: from ${short(neuron.lo)} (red) to ${short(neuron.hi)} (blue), white at 0. Click: its numbers in one step of backprop.`;
      }
    }
    const r = h.node.getBoundingClientRect();
    const width = 220;
    const left = r.right + 12 + width < window.innerWidth ? r.right + 12 : r.left - width - 12;
    this.inspector.style.left = `${Math.max(8, left)}px`;
    this.inspector.style.top = `${Math.max(8, Math.min(window.innerHeight - 270, r.top - 40))}px`;
    this.inspector.hidden = false;
  }
}

/** The canvas sized to `box` at the screen's pixel density, cleared, its context in CSS pixels. */
function clearedContext(canvas, box) {
  const dpr = window.devicePixelRatio || 1;
  canvas.style.width = `${box.width}px`;
  canvas.style.height = `${box.height}px`;
  if (canvas.width !== Math.round(box.width * dpr)) canvas.width = Math.round(box.width * dpr);
  if (canvas.height !== Math.round(box.height * dpr)) canvas.height = Math.round(box.height * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, box.width, box.height);
  return ctx;
}
