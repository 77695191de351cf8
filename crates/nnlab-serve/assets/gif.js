// An animated GIF (GIF89a) encoder: a global palette of at most 256 colours, frames of palette
// indices compressed with LZW (variable code sizes, 3 to 12 bits), a delay per frame and the
// NETSCAPE2.0 extension that makes it loop. Pure: no DOM, tested with node --test (the test
// decodes what this encodes).
//
//   "GIF89a"  logical screen (width, height, the palette's size)  global palette
//   NETSCAPE2.0 (loop count, 0 = for ever)
//   per frame: graphic control (delay in 1/100 s)  image descriptor (the rectangle that changed
//              since the frame before)  LZW data in sub-blocks
//
// With a `transparent` palette index (one no frame uses), a pixel that did not change since the
// frame before is written as that index: long runs of it cost LZW almost nothing.
//   ";" (the trailer)

/** A little growable byte buffer. */
class Bytes {
  constructor(capacity = 1 << 16) {
    this.data = new Uint8Array(capacity);
    this.length = 0;
  }

  byte(b) {
    if (this.length === this.data.length) {
      const bigger = new Uint8Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = b;
  }

  u16(v) {
    this.byte(v & 0xff);
    this.byte((v >> 8) & 0xff);
  }

  text(s) {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }

  bytes() {
    return this.data.slice(0, this.length);
  }
}

/** The fewest bits that index `n` colours (GIF wants at least 1; LZW at least 2). */
export function bitsFor(n) {
  let bits = 1;
  while (1 << bits < n) bits++;
  return bits;
}

/**
 * LZW as GIF uses it: codes start at minCodeSize + 1 bits and grow to 12; a clear code starts
 * the table over when it is full. Returns the codes packed least significant bit first.
 */
export function lzwEncode(indices, minCodeSize) {
  const out = new Bytes(Math.max(64, indices.length >> 1));
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  let codeSize = minCodeSize + 1;
  let next = end + 1;
  let table = new Map(); // (prefix code << 8 | index) -> code
  let acc = 0; // bits not yet written
  let bits = 0;
  const emit = (code) => {
    acc |= code << bits;
    bits += codeSize;
    while (bits >= 8) {
      out.byte(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  };

  emit(clear);
  if (indices.length === 0) {
    emit(end);
    if (bits > 0) out.byte(acc & 0xff);
    return out.bytes();
  }
  let prefix = indices[0];
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i];
    const key = (prefix << 8) | k;
    const known = table.get(key);
    if (known !== undefined) {
      prefix = known;
      continue;
    }
    emit(prefix);
    if (next === 4096) {
      // The table is full: start it over.
      emit(clear);
      table = new Map();
      codeSize = minCodeSize + 1;
      next = end + 1;
    } else {
      // The decoder adds its entry one code later, so it grows its codes when this one is made.
      if (next >= 1 << codeSize) codeSize++;
      table.set(key, next++);
    }
    prefix = k;
  }
  emit(prefix);
  emit(end);
  if (bits > 0) out.byte(acc & 0xff);
  return out.bytes();
}

/** The smallest rectangle holding every pixel that differs (at least 1 × 1). */
export function changedBox(a, b, width, height) {
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (a[row + x] !== b[row + x]) {
        if (y < top) top = y;
        bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (bottom < 0) return { left: 0, top: 0, width: 1, height: 1 };
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

function crop(indices, width, box) {
  if (box.left === 0 && box.width === width && box.top === 0 && box.height * width === indices.length) return indices;
  const out = new Uint8Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const from = (box.top + y) * width + box.left;
    out.set(indices.subarray(from, from + box.width), y * box.width);
  }
  return out;
}

/**
 * The GIF file of `frames` ([{indices: Uint8Array of width × height palette indices, row by row,
 * delay: hundredths of a second}]) over `palette` ([[r, g, b], ...], at most 256).
 * `loop`: how many times to repeat (0: for ever). `transparent`: an index no frame uses, for the
 * pixels unchanged since the frame before (null: none).
 */
export function encodeGif({
  width, height, palette, frames, loop = 0, transparent = null,
}) {
  if (!(width > 0 && height > 0 && width < 65536 && height < 65536)) {
    throw new Error(`a GIF is 1 to 65535 pixels each way, not ${width} × ${height}`);
  }
  if (!palette.length || palette.length > 256) {
    throw new Error(`a GIF palette has 1 to 256 colours, not ${palette.length}`);
  }
  const hasTransparent = transparent !== null && transparent >= 0 && transparent < 256;
  const tableBits = bitsFor(Math.max(palette.length, hasTransparent ? transparent + 1 : 0)); // 2^tableBits colours
  const minCodeSize = Math.max(2, tableBits);
  const gif = new Bytes();
  gif.text('GIF89a');
  // Logical screen: size, a global table of 2^tableBits colours, 8 bits per primary.
  gif.u16(width);
  gif.u16(height);
  gif.byte(0x80 | (7 << 4) | (tableBits - 1));
  gif.byte(0); // background: colour 0
  gif.byte(0); // square pixels
  for (let i = 0; i < 1 << tableBits; i++) {
    const c = palette[i] || [0, 0, 0];
    gif.byte(c[0]);
    gif.byte(c[1]);
    gif.byte(c[2]);
  }
  // NETSCAPE2.0: loop `loop` times (0: for ever).
  gif.byte(0x21);
  gif.byte(0xff);
  gif.byte(11);
  gif.text('NETSCAPE2.0');
  gif.byte(3);
  gif.byte(1);
  gif.u16(loop);
  gif.byte(0);

  let previous = null;
  for (const frame of frames) {
    if (frame.indices.length !== width * height) {
      throw new Error(`a frame has ${frame.indices.length} pixels, not ${width} × ${height}`);
    }
    // Only the rectangle that changed since the frame before is stored (the rest stays shown).
    const box = previous ? changedBox(previous, frame.indices, width, height) : { left: 0, top: 0, width, height };
    let pixels = crop(frame.indices, width, box);
    const seeThrough = Boolean(previous) && hasTransparent;
    if (seeThrough) {
      const before = crop(previous, width, box);
      pixels = pixels.map((v, i) => (v === before[i] ? transparent : v));
    }
    previous = frame.indices;
    // Graphic control: what the frame leaves out (or leaves transparent) stays (disposal 1).
    gif.byte(0x21);
    gif.byte(0xf9);
    gif.byte(4);
    gif.byte((1 << 2) | (seeThrough ? 1 : 0));
    gif.u16(Math.max(0, Math.min(65535, Math.round(frame.delay ?? 10))));
    gif.byte(seeThrough ? transparent : 0);
    gif.byte(0);
    // Image descriptor: the rectangle, no local palette, not interlaced.
    gif.byte(0x2c);
    gif.u16(box.left);
    gif.u16(box.top);
    gif.u16(box.width);
    gif.u16(box.height);
    gif.byte(0);
    gif.byte(minCodeSize);
    const data = lzwEncode(pixels, minCodeSize);
    for (let i = 0; i < data.length; i += 255) {
      const n = Math.min(255, data.length - i);
      gif.byte(n);
      for (let j = 0; j < n; j++) gif.byte(data[i + j]);
    }
    gif.byte(0); // the end of the frame's sub-blocks
  }
  gif.byte(0x3b);
  return gif.bytes();
}
