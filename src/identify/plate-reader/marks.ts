import { readFileSync } from 'node:fs';
import { builtFile } from '../../util/built-file.js';
import type { Luma } from './gate.js';
import type { Box } from './raster.js';

/**
 * The marks of a place for the character-row test (char-rows.ts): local binarisation and connected
 * components of a place of the 512 pixel plane, or of the place drawn at twice its size. The loops
 * run in WebAssembly (wasm/marks.ts): in JavaScript they cost about 25 ns a pixel, 35 doubled, and
 * were most of what --read-plates adds to a photo without plates. The crop is copied into the
 * module's memory, and only the marks come back.
 */

/** A connected mark: its box and pixel count. */
export interface Mark extends Box {
  pixels: number;
}

/**
 * The dark and light marks of a crop of `luma`: pixels at least `contrast` below (above) the mean
 * of the square `window` pixels each side of them, joined 4-connected (8 would join neighbouring characters at their corners).
 */
export function marksOf(luma: Luma, x0: number, y0: number, w: number, h: number, window: number, contrast: number): PlaceMarks {
  const k = kernels();
  const at = layout(k, w, h, w, h);
  copyCrop(k, luma, x0, y0, w, h, at.src);
  return marksAt(k, at, at.src, x0, y0, w, h, window, contrast);
}

/**
 * The marks of a crop drawn at twice its size ({@link doubled}), in the doubled place's pixels (0, 0
 * at the crop's corner): what `marksOf(doubled(luma, ...), 0, 0, 2 * w, 2 * h, ...)` gives, without
 * the doubled plane leaving the module.
 */
export function doubledMarksOf(luma: Luma, x0: number, y0: number, w: number, h: number, window: number, contrast: number): PlaceMarks {
  const k = kernels();
  const at = layout(k, w, h, 2 * w, 2 * h);
  copyCrop(k, luma, x0, y0, w, h, at.src);
  k.x.double(at.src, w, h, at.doubled);
  return marksAt(k, at, at.doubled, 0, 0, 2 * w, 2 * h, window, contrast);
}

/**
 * The crop drawn at twice its size, interpolated (bilinear): characters 5 or 6 pixels high at 512
 * touch their neighbours, and the halftones between them become gaps a window can split.
 */
export function doubled(luma: Luma, x0: number, y0: number, w: number, h: number): Luma {
  const k = kernels();
  const at = layout(k, w, h, 2 * w, 2 * h);
  copyCrop(k, luma, x0, y0, w, h, at.src);
  k.x.double(at.src, w, h, at.doubled);
  return { pixels: new Uint8Array(k.x.memory.buffer, at.doubled, 4 * w * h).slice(), width: 2 * w, height: 2 * h };
}

/** What wasm/marks.ts exports. */
interface MarkExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  double(src: number, w: number, h: number, dst: number): void;
  marks(src: number, w: number, h: number, window: number, contrast: number, sums: number, state: number, stack: number, out: number): number;
}

// WebAssembly is global in Node; TypeScript declares it only with the DOM library.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

const PAGE = 65_536;
const BINARY = builtFile('plate-marks.wasm', import.meta.url);
let module: { x: MarkExports } | undefined;

/**
 * The module, compiled on first use; one per thread. Its memory holds the working arrays of the
 * last call and grows to the largest place seen (a doubled 1024 x 1024 place needs about 30 MB).
 */
function kernels(): { x: MarkExports } {
  if (module) return module;
  const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  module = { x: new Instance(new Module(readFileSync(BINARY)), {}).exports as MarkExports };
  return module;
}

interface Layout {
  src: number;
  doubled: number;
  sums: number;
  state: number;
  stack: number;
  out: number;
}

const align = (n: number): number => (n + 15) & ~15;

/** Offsets of the crop (w x h), its doubling and the working arrays of a binarised plane W x H. */
function layout(k: { x: MarkExports }, w: number, h: number, W: number, H: number): Layout {
  const src = k.x.heapBase();
  const doubled = src + align(w * h);
  const sums = doubled + (W === w ? 0 : align(W * H));
  const state = sums + align(4 * (W + 1) * (H + 1));
  const stack = state + align(W * H);
  const out = stack + align(4 * W * H);
  const end = out + 20 * W * H;
  const have = k.x.memory.buffer.byteLength;
  if (end > have) k.x.memory.grow(Math.ceil((end - have) / PAGE));
  return { src, doubled, sums, state, stack, out };
}

function copyCrop(k: { x: MarkExports }, luma: Luma, x0: number, y0: number, w: number, h: number, to: number): void {
  const memory = new Uint8Array(k.x.memory.buffer);
  const { pixels, width } = luma;
  if (x0 === 0 && w === width) memory.set(pixels.subarray(y0 * width, (y0 + h) * width), to);
  else for (let y = 0; y < h; y++) memory.set(pixels.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w), to + y * w);
}

/**
 * The marks of one crop, dark and light, and how many of each were one pixel high and left out:
 * no test uses them (a character is at least 5 pixels high, a panel 8, a character on a panel a
 * fifth of that), and they are about half of all marks, each an object the row test would filter.
 * The counts keep the panel search's pair budget what it was with them listed.
 */
export type PlaceMarks = [dark: Mark[], light: Mark[], flatDark: number, flatLight: number];

/** Binarises the plane at `plane` (w x h) in the module and reads its marks back, offset by x0, y0. */
function marksAt(k: { x: MarkExports }, at: Layout, plane: number, x0: number, y0: number, w: number, h: number, window: number, contrast: number): PlaceMarks {
  const count = k.x.marks(plane, w, h, window, contrast, at.sums, at.state, at.stack, at.out);
  const out = new Int32Array(k.x.memory.buffer, at.out, 5 * count);
  const dark: Mark[] = [];
  const light: Mark[] = [];
  let flatDark = 0;
  let flatLight = 0;
  for (let i = 0; i < 5 * count; i += 5) {
    const pixels = out[i + 4]!;
    if (out[i + 3]! < 2) {
      if (pixels > 0) flatDark++;
      else flatLight++;
      continue;
    }
    const mark = { x: x0 + out[i]!, y: y0 + out[i + 1]!, width: out[i + 2]!, height: out[i + 3]!, pixels: Math.abs(pixels) };
    (pixels > 0 ? dark : light).push(mark);
  }
  return [dark, light, flatDark, flatLight];
}
