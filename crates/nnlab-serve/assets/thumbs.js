// Little pictures of the datasets for the dataset picker: a few dozen points in [-1, 1]², drawn
// from the generators' shapes (not their exact data, which the server makes). Pure functions.

/** A small seeded generator of uniform numbers in [0, 1) (mulberry32). */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand) {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * The thumbnail points of a dataset: [{x, y, c}] with c a class index, or for the regressions
 * (`plane`, `multi-gauss`) a value in [0, 1].
 */
export function thumbPoints(name, n = 80) {
  const rand = random(7);
  const pts = [];
  const jitter = (s) => s * normal(rand);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = rand();
    switch (name) {
      case 'moons': {
        const a = Math.PI * t;
        const [x, y] = c === 0 ? [Math.cos(a), Math.sin(a)] : [1 - Math.cos(a), 0.5 - Math.sin(a)];
        pts.push({ x: (x - 0.5) / 1.6 + jitter(0.05), y: (y - 0.25) / 1.1 + jitter(0.05), c });
        break;
      }
      case 'circles': {
        const a = 2 * Math.PI * t;
        const r = c === 0 ? 0.85 : 0.4;
        pts.push({ x: r * Math.cos(a) + jitter(0.04), y: r * Math.sin(a) + jitter(0.04), c });
        break;
      }
      case 'blobs': {
        const k = i % 3;
        const centres = [[-0.5, 0.45], [0.5, 0.5], [0, -0.5]];
        pts.push({ x: centres[k][0] + jitter(0.15), y: centres[k][1] + jitter(0.15), c: k });
        break;
      }
      case 'xor': {
        const x = 2 * rand() - 1;
        const y = 2 * rand() - 1;
        pts.push({ x, y, c: x * y >= 0 ? 1 : 0 });
        break;
      }
      case 'gauss': {
        const m = c === 0 ? -0.45 : 0.45;
        pts.push({ x: m + jitter(0.22), y: m + jitter(0.22), c });
        break;
      }
      case 'spiral': {
        const r = 0.9 * t;
        const a = 1.75 * 2 * Math.PI * t + Math.PI * c;
        pts.push({ x: r * Math.sin(a), y: r * Math.cos(a), c });
        break;
      }
      case 'plane': {
        const x = 2 * rand() - 1;
        const y = 2 * rand() - 1;
        pts.push({ x, y, c: (x + y + 2) / 4 });
        break;
      }
      case 'multi-gauss': {
        const x = 2 * rand() - 1;
        const y = 2 * rand() - 1;
        const bump = (cx, cy) => Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 0.12);
        const v = bump(-0.5, 0.5) + bump(0.5, -0.5) - bump(0.5, 0.5) - bump(-0.5, -0.5);
        pts.push({ x, y, c: (v + 1) / 2 });
        break;
      }
      default:
        pts.push({ x: 2 * rand() - 1, y: 2 * rand() - 1, c });
    }
  }
  return pts;
}
