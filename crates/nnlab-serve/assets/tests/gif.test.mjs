import test from 'node:test';
import assert from 'node:assert/strict';
import { encodeGif, lzwEncode, bitsFor } from '../gif.js';

// A small GIF decoder, written from the GIF89a specification independently of the encoder's
// shortcuts: it reads the blocks one by one and decodes LZW with its own table of strings.

function lzwDecode(data, minCodeSize, count) {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  let codeSize;
  let table;
  const reset = () => {
    codeSize = minCodeSize + 1;
    table = [];
    for (let i = 0; i < clear; i++) table.push([i]);
    table.push(null, null); // clear and end
  };
  reset();
  const out = [];
  let pos = 0; // in bits
  let prev = null;
  const read = () => {
    let code = 0;
    for (let i = 0; i < codeSize; i++, pos++) {
      if (((data[pos >> 3] >> (pos & 7)) & 1) === 1) code |= 1 << i;
    }
    return code;
  };
  while (pos + codeSize <= data.length * 8) {
    const code = read();
    if (code === clear) {
      reset();
      prev = null;
      continue;
    }
    if (code === end) break;
    let entry;
    if (prev === null) {
      entry = table[code];
    } else {
      if (code < table.length) entry = table[code];
      else if (code === table.length) entry = [...table[prev], table[prev][0]];
      else throw new Error(`code ${code} beyond the table (${table.length})`);
      if (table.length < 4096) table.push([...table[prev], entry[0]]);
    }
    if (!entry) throw new Error(`code ${code} is not an entry`);
    out.push(...entry);
    prev = code;
    if (table.length === 1 << codeSize && codeSize < 12) codeSize++;
  }
  assert.equal(out.length, count, 'the decoded frame has every pixel');
  return out;
}

function decodeGif(bytes) {
  let p = 0;
  const u8 = () => bytes[p++];
  const u16 = () => {
    const v = bytes[p] | (bytes[p + 1] << 8);
    p += 2;
    return v;
  };
  const text = (n) => {
    const s = String.fromCharCode(...bytes.slice(p, p + n));
    p += n;
    return s;
  };
  const subBlocks = () => {
    const parts = [];
    for (let n = u8(); n > 0; n = u8()) {
      parts.push(...bytes.slice(p, p + n));
      p += n;
    }
    return Uint8Array.from(parts);
  };
  const gif = { signature: text(6), width: u16(), height: u16(), frames: [], loop: null };
  const packed = u8();
  u8(); // background
  u8(); // aspect
  assert.ok(packed & 0x80, 'a global palette');
  const colors = 1 << ((packed & 7) + 1);
  gif.palette = [];
  for (let i = 0; i < colors; i++) gif.palette.push([u8(), u8(), u8()]);
  let delay = null;
  let transparent = null;
  for (;;) {
    const block = u8();
    if (block === 0x3b) break;
    if (block === 0x21) {
      const label = u8();
      if (label === 0xff) {
        const size = u8();
        const app = text(size);
        const data = subBlocks();
        if (app === 'NETSCAPE2.0') gif.loop = data[1] | (data[2] << 8);
      } else if (label === 0xf9) {
        const data = subBlocks();
        delay = data[1] | (data[2] << 8);
        transparent = data[0] & 1 ? data[3] : null;
        assert.equal((data[0] >> 2) & 7, 1, 'disposal 1: the frame stays under the next');
      } else {
        subBlocks();
      }
    } else if (block === 0x2c) {
      const [left, top, width, height] = [u16(), u16(), u16(), u16()];
      assert.equal(u8() & 0x80, 0, 'no local palette');
      const min = u8();
      const patch = lzwDecode(subBlocks(), min, width * height);
      // Disposal "keep": the frame is drawn over the screen as the frame before left it.
      assert.ok(left + width <= gif.width && top + height <= gif.height, 'the frame lies on the screen');
      const screen = gif.frames.length ? [...gif.frames[gif.frames.length - 1].screen] : new Array(gif.width * gif.height).fill(0);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const v = patch[y * width + x];
          if (v !== transparent) screen[(top + y) * gif.width + left + x] = v;
        }
      }
      gif.frames.push({ left, top, width, height, delay, screen });
    } else {
      throw new Error(`unknown block 0x${block.toString(16)} at byte ${p - 1}`);
    }
  }
  return gif;
}

/** A deterministic pseudo-random sequence (a linear congruential generator). */
function noise(n, colors, seed = 1) {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (s >>> 16) % colors;
  }
  return out;
}

const gray = (n) => Array.from({ length: n }, (_, i) => [i, i, i]);

test('the header says GIF89a, the size, and a global palette of 2^k colours', () => {
  const palette = [[255, 0, 0], [0, 0, 255], [255, 255, 255]];
  const bytes = encodeGif({ width: 3, height: 2, palette, frames: [{ indices: Uint8Array.of(0, 1, 2, 2, 1, 0), delay: 10 }] });
  assert.deepEqual([...bytes.slice(0, 6)], [...Buffer.from('GIF89a')]);
  assert.deepEqual([...bytes.slice(6, 10)], [3, 0, 2, 0]); // width, height (little-endian)
  assert.equal(bytes[10], 0x80 | 0x70 | 1); // global palette, 8-bit colour, 2^(1+1) = 4 colours
  assert.deepEqual([...bytes.slice(13, 13 + 12)], [255, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0]);
  assert.deepEqual([...bytes.slice(25, 25 + 14)], [0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0')]);
  assert.deepEqual([...bytes.slice(39, 44)], [3, 1, 0, 0, 0]); // loop for ever
  assert.equal(bytes[bytes.length - 1], 0x3b);
  const gif = decodeGif(bytes);
  assert.equal(gif.signature, 'GIF89a');
  assert.deepEqual(gif.frames[0].screen, [0, 1, 2, 2, 1, 0]);
  assert.equal(gif.frames[0].delay, 10);
});

test('frames decode to what was encoded, with their delays and the loop count', () => {
  const width = 37;
  const height = 23;
  const palette = gray(256);
  const frames = [
    { indices: noise(width * height, 256, 7), delay: 10 },
    { indices: new Uint8Array(width * height).fill(200), delay: 10 },
    { indices: Uint8Array.from({ length: width * height }, (_, i) => (i % width) * 6), delay: 150 },
  ];
  const gif = decodeGif(encodeGif({ width, height, palette, frames, loop: 3 }));
  assert.equal(gif.width, width);
  assert.equal(gif.height, height);
  assert.equal(gif.loop, 3);
  assert.equal(gif.palette.length, 256);
  assert.equal(gif.frames.length, 3);
  gif.frames.forEach((f, i) => {
    assert.equal(f.delay, frames[i].delay);
    assert.deepEqual(f.screen, Array.from(frames[i].indices));
  });
  assert.deepEqual([gif.frames[0].left, gif.frames[0].top, gif.frames[0].width, gif.frames[0].height], [0, 0, width, height]);
});

test('a later frame stores only the rectangle that changed', () => {
  const width = 20;
  const height = 10;
  const first = new Uint8Array(width * height).fill(1);
  const second = first.slice();
  second[3 * width + 5] = 2;
  second[6 * width + 12] = 3;
  const third = second.slice(); // the same again: a 1 × 1 frame
  const gif = decodeGif(encodeGif({
    width, height, palette: gray(4), frames: [first, second, third].map((indices) => ({ indices, delay: 10 })),
  }));
  assert.deepEqual([gif.frames[1].left, gif.frames[1].top, gif.frames[1].width, gif.frames[1].height], [5, 3, 8, 4]);
  assert.deepEqual([gif.frames[2].width, gif.frames[2].height], [1, 1]);
  assert.deepEqual(gif.frames[1].screen, Array.from(second));
  assert.deepEqual(gif.frames[2].screen, Array.from(third));
});

test('with a transparent index, unchanged pixels become it and the screen is the same', () => {
  const width = 30;
  const height = 30;
  const frames = [];
  let indices = noise(width * height, 200, 3);
  for (let f = 0; f < 5; f++) {
    indices = indices.slice();
    for (let i = f * 37; i < indices.length; i += 11) indices[i] = (indices[i] + 1) % 200;
    frames.push({ indices, delay: 10 });
  }
  const plain = encodeGif({ width, height, palette: gray(200), frames });
  const bytes = encodeGif({ width, height, palette: gray(200), frames, transparent: 255 });
  assert.equal(bytes[10] & 7, 7, 'the table grows to hold index 255');
  const gif = decodeGif(bytes);
  gif.frames.forEach((f, i) => assert.deepEqual(f.screen, Array.from(frames[i].indices)));
  assert.ok(bytes.length < plain.length, `${bytes.length} < ${plain.length}`);
});

test('LZW round-trips across code sizes and table resets', () => {
  // Random data fills the 4096-entry table many times over (clear codes); long runs make long
  // strings; small palettes use small minimum code sizes.
  for (const [colors, n] of [[2, 5000], [4, 3000], [16, 20000], [256, 60000], [256, 1], [3, 2]]) {
    const min = Math.max(2, bitsFor(colors));
    const mixed = noise(n, colors, n);
    for (let i = 0; i < n; i += 97) mixed.fill(i % colors, i, Math.min(n, i + 40));
    assert.deepEqual(lzwDecode(lzwEncode(mixed, min), min, n), Array.from(mixed), `${colors} colours, ${n} pixels`);
  }
});

test('a smooth picture compresses well', () => {
  const width = 200;
  const indices = Uint8Array.from({ length: width * width }, (_, i) => Math.floor(((i % width) / width) * 240));
  const bytes = encodeGif({ width, height: width, palette: gray(256), frames: [{ indices, delay: 10 }] });
  assert.ok(bytes.length < indices.length / 4, `${bytes.length} bytes for ${indices.length} pixels`);
});

test('bad sizes and palettes are refused', () => {
  assert.throws(() => encodeGif({ width: 0, height: 1, palette: gray(2), frames: [] }), /1 to 65535/);
  assert.throws(() => encodeGif({ width: 1, height: 1, palette: gray(257), frames: [] }), /1 to 256/);
  assert.throws(() => encodeGif({ width: 2, height: 2, palette: gray(2), frames: [{ indices: new Uint8Array(3) }] }), /3 pixels/);
  assert.equal(bitsFor(2), 1);
  assert.equal(bitsFor(3), 2);
  assert.equal(bitsFor(256), 8);
});
