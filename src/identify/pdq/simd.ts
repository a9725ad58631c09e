import { readFileSync } from 'node:fs';
import { builtFile } from '../../util/built-file.js';
import { DCT_MATRIX, dctMatrix } from './dct.js';

/** An image whose filtered plane the kernels keep resident (FilteredPlane's image): identity matters. */
export interface ResidentImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** What wasm/kernels.ts exports (byte offsets into its memory). */
interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  dct64To16(a: number, d: number, dt: number, t: number, out: number): void;
  dct32To16(a: number, d: number, dt: number, t: number, out: number): void;
  jaroszFilter(plane: number, tmp: number, sums: number, width: number, height: number): void;
  scan(pool: number, count: number, query: number, radius: number, hits: number): number;
  luma(pixels: number, imageWidth: number, channels: number, x: number, y: number, width: number, height: number, out: number): void;
  sample(plane: number, planeWidth: number, rows: number, columns: number, block: number): void;
  quality(block: number): number;
}

// WebAssembly is global in Node; TypeScript declares it only with the DOM library, so the two
// constructors used here are typed by hand.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

interface MemoryViews {
  buffer: ArrayBuffer;
  floats: Float32Array;
  words: Uint32Array;
  ints: Int32Array;
  bytes: Uint8Array;
}

const PAGE = 65_536;
/** Side of the sample dct32To16 takes: the sub-image search's coarse rough hash (coarse-hash.ts). */
export const COARSE_SIDE = 32;
const align16 = (n: number): number => (n + 15) & ~15;

/**
 * PDQ's hot loops in WebAssembly (src/identify/pdq/wasm/kernels.ts, built by scripts/build.js):
 * luma, the tent filter and the DCT bit-identical to the float32 reference (the filter and DCT in
 * SIMD), the decimation's sampling, PDQ's quality metric, and the linear Hamming scan with the
 * processor's popcount.
 * One instance per thread, made on first use. Its memory holds, in order: the DCT matrix and
 * block; the hash pool scanned last; the plane sampled last; then scratch. The pool and plane stay
 * while the same ones are used again (a match scans one index and samples one plane many times).
 */
class PdqKernels {
  private readonly exports: KernelExports;
  private views: MemoryViews | undefined;
  private readonly d: number;
  private readonly dt: number;
  private readonly block: number;
  private readonly t: number;
  private readonly out: number;
  private readonly query: number;
  private readonly rows: number;
  private readonly columns: number;
  /** The coarse DCT's matrix (16 x 32) and its transpose (dct32To16; its sample, scratch and output share dct64To16's). */
  private readonly coarseD: number;
  private readonly coarseDt: number;
  private readonly poolAt: number;
  private pool: Uint32Array | undefined;
  private planeAt: number;
  private plane: Float32Array | undefined;
  /**
   * The image whose filtered plane is at planeAt without a copy outside (filterResident), or
   * undefined. A query's plane is sampled in place; copying it out cost an allocation and a
   * 0.6 MB copy per image that were almost never read (a match keeps its plane resident).
   */
  private resident: object | undefined;
  private scratch: number;

  constructor(bytes: Buffer) {
    const instance = new Instance(new Module(bytes), {});
    this.exports = instance.exports as unknown as KernelExports;
    this.d = align16(this.exports.heapBase());
    this.dt = this.d + 16 * 64 * 4;
    this.block = this.dt + 64 * 16 * 4;
    this.t = this.block + 64 * 64 * 4;
    this.out = this.t + 16 * 64 * 4;
    this.query = this.out + 16 * 16 * 4;
    this.rows = this.query + 32;
    this.columns = this.rows + 64 * 4;
    this.coarseD = this.columns + 64 * 4;
    this.coarseDt = this.coarseD + 16 * COARSE_SIDE * 4;
    this.poolAt = this.coarseDt + COARSE_SIDE * 16 * 4;
    this.planeAt = this.poolAt;
    this.scratch = this.poolAt;
    this.reserve(this.scratch);
    const floats = this.view().floats;
    floats.set(DCT_MATRIX, this.d / 4);
    for (let k = 0; k < 64; k++) for (let j = 0; j < 16; j++) floats[this.dt / 4 + k * 16 + j] = DCT_MATRIX[j * 64 + k]!;
    const coarse = dctMatrix(COARSE_SIDE);
    floats.set(coarse, this.coarseD / 4);
    for (let k = 0; k < COARSE_SIDE; k++) for (let j = 0; j < 16; j++) floats[this.coarseDt / 4 + k * 16 + j] = coarse[j * COARSE_SIDE + k]!;
  }

  /**
   * The 16 x 16 DCT of PDQ's frequencies 1-16 of a COARSE_SIDE-square `block` (the sub-image
   * search's coarse rough hash, coarse-hash.ts), as dct64To16 makes it of 64 x 64, into `out`.
   */
  dct32To16(block: Float32Array, out: Float32Array): void {
    const floats = this.view().floats;
    floats.set(block.subarray(0, COARSE_SIDE * COARSE_SIDE), this.block / 4);
    this.exports.dct32To16(this.block, this.coarseD, this.coarseDt, this.t, this.out);
    out.set(floats.subarray(this.out / 4, this.out / 4 + 256));
  }

  /** PDQ's 64x64 -> 16x16 DCT (no DC term) of `block`, in float32 as the reference computes it. */
  dct64To16(block: Float32Array, out: Float32Array): void {
    this.view().floats.set(block.subarray(0, 64 * 64), this.block / 4);
    this.dctOfBlock(out);
  }

  /**
   * PDQ's quality of a 64x64 `block`, as qualityOf64x64 (dct.ts) computes it, in SIMD: the
   * JavaScript loop's float32 roundings cost ~40 microseconds a block, and the sub-image rough gate
   * and the trim views judge a block for every rectangle they sample. Equal to qualityOf64x64 for
   * finite samples within 0-255 (every term an integer of at most 100), as the callers' blocks of
   * luma are; a NaN would count 0 here where the reference gives NaN.
   */
  quality(block: Float32Array): number {
    this.view().floats.set(block.subarray(0, 64 * 64), this.block / 4);
    return this.exports.quality(this.block);
  }

  /** PDQ's Jarosz tent filter over a `width` x `height` plane, in place, as the reference does it. */
  jaroszFilter(luma: Float32Array, width: number, height: number): void {
    const n = width * height;
    const plane = this.scratch;
    this.filterAt(plane, width, height, () => this.view().floats.set(luma.subarray(0, n), plane / 4));
    luma.set(this.view().floats.subarray(plane / 4, plane / 4 + n));
  }

  /**
   * PDQ's luma of a whole image of interleaved 8-bit pixels, tent-filtered: what FilteredPlane
   * samples. Bit-identical to fillLuma then jaroszFilter. It is made where sampleDct keeps its
   * plane, and stays there as the plane sampled next, so it is not copied back in.
   */
  filteredLuma(pixels: Uint8Array, width: number, height: number, channels: number): Float32Array {
    this.filterInPlace(pixels, width, height, channels);
    const filtered = this.view().floats.slice(this.planeAt / 4, this.planeAt / 4 + width * height);
    this.plane = filtered;
    return filtered;
  }

  /**
   * As {@link filteredLuma}, but the plane stays only in the kernels' memory, as the plane
   * {@link sampleResident} samples for `image`; nothing is copied out.
   */
  filterResident(image: ResidentImage): void {
    this.filterInPlace(image.pixels, image.width, image.height, image.channels);
    this.resident = image;
  }

  /**
   * {@link sampleDct} of the filtered plane of `image` made by {@link filterResident}. When another
   * plane or hash pool has taken its place since, the plane is made again from the image's pixels
   * (the same bits: the filter is deterministic).
   */
  sampleResident(image: ResidentImage, rows: Int32Array, columns: Int32Array, block: Float32Array, out: Float32Array): void {
    if (this.resident !== image) this.filterResident(image);
    this.sampleAt(image.width, rows, columns, block, out);
  }

  /** Luma and tent filter of interleaved pixels at planeAt; scratch follows the plane. */
  private filterInPlace(pixels: Uint8Array, width: number, height: number, channels: number): void {
    const n = width * height;
    const plane = this.planeAt;
    this.plane = undefined;
    this.resident = undefined;
    this.filterAt(plane, width, height, () => {
      const source = align16(plane + 2 * align16(n * 4) + width * 4); // after filterAt's tmp and sums
      this.reserve(source + pixels.length);
      this.view().bytes.set(pixels, source);
      this.exports.luma(source, width, channels, 0, 0, width, height, plane);
    });
    this.scratch = align16(plane + n * 4);
  }

  /**
   * The PDQ DCT of the 64x64 samples of `plane` (`width` floats per row) at the given row and
   * column indexes; the samples themselves are written to `block` (for the quality metric).
   */
  sampleDct(plane: Float32Array, width: number, rows: Int32Array, columns: Int32Array, block: Float32Array, out: Float32Array): void {
    if (this.plane !== plane) {
      this.plane = undefined;
      this.resident = undefined;
      this.scratch = align16(this.planeAt + plane.length * 4);
      this.reserve(this.scratch);
      this.view().floats.set(plane, this.planeAt / 4);
      this.plane = plane;
    }
    this.sampleAt(width, rows, columns, block, out);
  }

  /** Samples the plane at planeAt (`width` floats per row) and transforms the block. */
  private sampleAt(width: number, rows: Int32Array, columns: Int32Array, block: Float32Array, out: Float32Array): void {
    const ints = this.view().ints;
    ints.set(rows.subarray(0, 64), this.rows / 4);
    ints.set(columns.subarray(0, 64), this.columns / 4);
    this.exports.sample(this.planeAt, width, this.rows, this.columns, this.block);
    block.set(this.view().floats.subarray(this.block / 4, this.block / 4 + 64 * 64));
    this.dctOfBlock(out);
  }

  /**
   * Visits, in entry order, the entries of `pool` (`size` hashes of 8 words each) within `radius`
   * bits of `query`, with their distance: HammingIndex's linear scan, with the processor's popcount.
   */
  scan(pool: Uint32Array, size: number, query: Uint32Array, radius: number, visit: (entry: number, distance: number) => void): void {
    if (this.pool !== pool) {
      this.pool = undefined;
      this.plane = undefined;
      this.resident = undefined;
      this.planeAt = align16(this.poolAt + size * 32);
      this.scratch = this.planeAt;
      this.reserve(this.scratch);
      this.view().words.set(pool.subarray(0, size * 8), this.poolAt / 4);
      this.pool = pool;
    }
    const hits = this.scratch;
    this.reserve(hits + size * 8);
    const words = this.view().words;
    words.set(query.subarray(0, 8), this.query / 4);
    const found = this.exports.scan(this.poolAt, size, this.query, radius, hits);
    for (let k = 0, at = hits / 4; k < found; k++, at += 2) visit(words[at]!, words[at + 1]!);
  }

  private dctOfBlock(out: Float32Array): void {
    this.exports.dct64To16(this.block, this.d, this.dt, this.t, this.out);
    out.set(this.view().floats.subarray(this.out / 4, this.out / 4 + 256));
  }

  /** Fills a plane at `plane` (by `fill`) and tent-filters it there; scratch follows it. */
  private filterAt(plane: number, width: number, height: number, fill: () => void): void {
    const tmp = plane + align16(width * height * 4);
    const sums = tmp + align16(width * height * 4);
    this.reserve(sums + width * 4);
    fill();
    this.exports.jaroszFilter(plane, tmp, sums, width, height);
  }

  /** Grows the memory to at least `bytes` (growing detaches the views, which are then remade). */
  private reserve(bytes: number): void {
    const memory = this.exports.memory;
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
  }

  /** Typed views of the memory, remade after it grows (growing detaches the old ones). */
  private view(): MemoryViews {
    const buffer = this.exports.memory.buffer;
    if (this.views?.buffer !== buffer) {
      this.views = { buffer, floats: new Float32Array(buffer), words: new Uint32Array(buffer), ints: new Int32Array(buffer), bytes: new Uint8Array(buffer) };
    }
    return this.views;
  }
}

const BINARY = builtFile('pdq-kernels.wasm', import.meta.url);
let kernels: PdqKernels | undefined;

/** This thread's kernels (compiled on first use: a few milliseconds). */
export function pdqKernels(): PdqKernels {
  kernels ??= new PdqKernels(readFileSync(BINARY));
  return kernels;
}
