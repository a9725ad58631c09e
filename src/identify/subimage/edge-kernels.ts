import { readFileSync } from 'node:fs';
import { builtFile } from '../../util/built-file.js';
import { align, bufferLayout, type Layout } from './edge-layout.js';
import { LOW_RES_SIDE, type LowRes } from './low-res.js';
import { ANGLES, BUCKET_SCALE, BUCKET_START, BUCKETS, EDGE_LIMIT, SLOPES, THRESHOLDS } from './quad-steps.js';

/**
 * The sub-image search's edge passes in WebAssembly (wasm/edges.ts, built by scripts/build.js):
 * the line search's Sobel edges and votes (quad-lines.ts) and the rectangles' step maps
 * (rectangles.ts), the same numbers as the JavaScript loops they replace. They run on every image
 * no whole-image stage matched, which is almost every image of an ordinary share.
 */

/** What wasm/edges.ts exports (byte offsets into its memory). */
interface EdgeExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  sobelEdges(
    luma: number,
    w: number,
    h: number,
    horizontal: number,
    vertical: number,
    hAt: number,
    vAt: number,
    starts: number,
    buckets: number,
    scale: number,
    limit: number,
    thresholds: number,
    minGradient: number,
    counts: number,
    candidates: number,
    gxs: number,
    gys: number,
  ): void;
  lineVotes(
    at: number,
    n: number,
    map: number,
    width: number,
    vertical: boolean,
    offsets: number,
    acc: number,
    angles: number,
    bins: number,
    spread: number,
    best: number,
    bestStep: number,
    histogram: number,
  ): void;
  voteOffsets(floors: number, centre: number, along: number, angles: number, bins: number, margin: number, out: number): void;
  stepMaps(
    luma: number,
    w: number,
    h: number,
    step: number,
    gap: number,
    rowEdges: number,
    colEdges: number,
    rowRuns: number,
    colRuns: number,
    colStart: number,
    colLast: number,
  ): void;
}

// WebAssembly is global in Node; TypeScript declares it only with the DOM library.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

const PAGE = 65_536;
/**
 * Longest line (positions along an axis) whose vote offsets are made from the resident floors: the
 * plane's longest side. A longer one (an Edges made by hand) has its offsets made here in full.
 */
const FLOORS_ALONG = LOW_RES_SIDE;
/** The floors' middle row: dp = 0 (2 dp runs from 1 - FLOORS_ALONG to FLOORS_ALONG - 1). */
const FLOORS_CENTRE = FLOORS_ALONG - 1;

/**
 * One instance per thread. The slope tables lie first; then the buffers of the last plane size,
 * laid out again when the size changes. The plane's luma is copied in once for both passes that
 * read it, and the line votes use the edge lists the edge pass left where they lie.
 */
class EdgeKernels {
  readonly x: EdgeExports;
  /** The slope tables of quad-steps.ts: bucket starts (u8), thresholds (f64, then +Infinity: no step past the last). */
  private readonly starts: number;
  private readonly thresholds: number;
  /** floor(0.5 - SLOPES[s] * dp) for every half-integer dp a line of up to FLOORS_ALONG positions has (i32, a row of ANGLES per dp). */
  private readonly floors: number;
  private readonly tablesEnd: number;
  private layout: Layout | undefined;
  /** What lies in the buffers now: the plane's luma, the edge lists (by their Edges), an axis' vote offsets. */
  private plane: LowRes | undefined;
  private edges: object | undefined;
  private offsets: string | undefined;
  private offsetsDown: string | undefined;

  constructor(bytes: Buffer) {
    const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
    this.x = new Instance(new Module(bytes), {}).exports as unknown as EdgeExports;
    const starts = align(this.x.heapBase());
    this.starts = starts;
    this.thresholds = starts + align(BUCKETS);
    this.floors = this.thresholds + align(8 * (ANGLES + 1));
    const rows = 2 * FLOORS_CENTRE + 1;
    this.tablesEnd = this.floors + align(4 * rows * ANGLES);
    this.ensure(this.tablesEnd);
    new Uint8Array(this.x.memory.buffer, starts, BUCKETS).set(BUCKET_START);
    new Float64Array(this.x.memory.buffer, this.thresholds, ANGLES + 1).set([...THRESHOLDS, Number.POSITIVE_INFINITY]);
    // dp is exact (a multiple of 0.5), so each floor is the one quad-lines.ts took for that position.
    const floors = new Int32Array(this.x.memory.buffer, this.floors, rows * ANGLES);
    for (let k = 0; k < rows; k++) for (let s = 0; s < ANGLES; s++) floors[k * ANGLES + s] = Math.floor(0.5 - SLOPES[s]! * ((k - FLOORS_CENTRE) / 2));
  }

  /** The buffers of a w x h plane. */
  layoutOf(w: number, h: number): Layout {
    const l = this.layout;
    if (l && l.w === w && l.h === h) return l;
    const { layout: next, end } = bufferLayout(w, h, this.tablesEnd);
    this.ensure(end);
    this.layout = next;
    this.plane = undefined;
    this.edges = undefined;
    this.offsets = undefined;
    this.offsetsDown = undefined;
    return next;
  }

  /** The plane's layout, its luma copied in unless it is the one already there. */
  withPlane(plane: LowRes): Layout {
    const l = this.layoutOf(plane.width, plane.height);
    if (this.plane !== plane) {
      new Float32Array(this.x.memory.buffer, l.luma, plane.width * plane.height).set(plane.luma);
      this.plane = plane;
    }
    return l;
  }

  /** Sobel edges (quad-lines.ts edgesOf): the two maps and the two lists of edge pixels. */
  sobelEdges(plane: LowRes, minGradient: number) {
    const { width: w, height: h } = plane;
    const l = this.withPlane(plane);
    // The resident edge lists are overwritten: whatever keep() marked no longer lies there (review).
    this.edges = undefined;
    this.x.sobelEdges(
      l.luma,
      w,
      h,
      l.horizontal,
      l.vertical,
      l.hAt,
      l.vAt,
      this.starts,
      BUCKETS,
      BUCKET_SCALE,
      EDGE_LIMIT,
      this.thresholds,
      minGradient,
      l.counts,
      l.candidates,
      l.gxs,
      l.gys,
    );
    const buffer = this.x.memory.buffer;
    const [nh = 0, nv = 0] = new Int32Array(buffer, l.counts, 2);
    const out = {
      horizontal: new Uint8Array(buffer, l.horizontal, w * h).slice(),
      vertical: new Uint8Array(buffer, l.vertical, w * h).slice(),
      horizontalAt: new Int32Array(buffer, l.hAt, nh).slice(),
      verticalAt: new Int32Array(buffer, l.vAt, nv).slice(),
    };
    return out;
  }

  /** Marks `edges` as the edge pass just made (its lists are in place for lineVotes). */
  keep(edges: object): void {
    this.edges = edges;
  }

  /**
   * One axis' line votes (quad-lines.ts houghLines): per accumulator bin its best vote and step, per
   * step its squared votes. `edges` is copied in where it is not the last edge pass's. The vote of
   * position p along the axis and 0 across, at step s, lands in accumulator index
   * `s * bins + floor(0.5 - SLOPES[s] * (p + 0.5 - along / 2)) + margin` (the offsets, made in
   * the module's memory where they are not the last ones made for this axis).
   */
  lineVotes(
    edges: { width: number; height: number; horizontal: Uint8Array; vertical: Uint8Array; horizontalAt: Int32Array; verticalAt: Int32Array },
    vertical: boolean,
    bins: number,
    margin: number,
    spread: number,
  ) {
    const l = this.layoutOf(edges.width, edges.height);
    const buffer = this.x.memory.buffer;
    if (this.edges !== edges) {
      const n = edges.width * edges.height;
      new Uint8Array(buffer, l.horizontal, n).set(edges.horizontal);
      new Uint8Array(buffer, l.vertical, n).set(edges.vertical);
      new Int32Array(buffer, l.hAt, edges.horizontalAt.length).set(edges.horizontalAt);
      new Int32Array(buffer, l.vAt, edges.verticalAt.length).set(edges.verticalAt);
      this.edges = edges;
    }
    const offsetsAt = vertical ? l.offsetsDown : l.offsets;
    const along = vertical ? edges.height : edges.width;
    const made = `${along} ${bins} ${margin}`;
    if ((vertical ? this.offsetsDown : this.offsets) !== made) {
      this.makeOffsets(offsetsAt, along, bins, margin);
      if (vertical) this.offsetsDown = made;
      else this.offsets = made;
    }
    const at = vertical ? edges.verticalAt : edges.horizontalAt;
    this.x.lineVotes(
      vertical ? l.vAt : l.hAt,
      at.length,
      vertical ? l.vertical : l.horizontal,
      edges.width,
      vertical,
      offsetsAt,
      l.acc,
      ANGLES,
      bins,
      spread,
      l.best,
      l.bestStep,
      l.histogram,
    );
    return {
      best: new Uint16Array(buffer, l.best, bins).slice(),
      bestStep: new Uint16Array(buffer, l.bestStep, bins).slice(),
      histogram: new Float64Array(buffer, l.histogram, ANGLES).slice(),
    };
  }

  /** The vote offsets of lines `along` long (lineVotes) at `at`: from the resident floors, or in full past FLOORS_ALONG. */
  private makeOffsets(at: number, along: number, bins: number, margin: number): void {
    if (along <= FLOORS_ALONG) {
      this.x.voteOffsets(this.floors, FLOORS_CENTRE, along, ANGLES, bins, margin, at);
      return;
    }
    const offsets = new Int32Array(this.x.memory.buffer, at, along * ANGLES);
    for (let p = 0; p < along; p++)
      for (let s = 0; s < ANGLES; s++) offsets[p * ANGLES + s] = s * bins + Math.floor(0.5 - SLOPES[s]! * (p + 0.5 - along / 2)) + margin;
  }

  /**
   * The rectangles' step maps and runs (rectangles.ts edgeMaps), as views of the module's memory:
   * valid until the kernels' next call, which may overwrite or move them (the rectangles read them
   * only while they are found). Copying them out was a third of the kernel's own time.
   */
  stepMaps(plane: LowRes, step: number, gap: number) {
    const { width: w, height: h } = plane;
    const l = this.withPlane(plane);
    this.x.stepMaps(l.luma, w, h, step, gap, l.rowEdges, l.colEdges, l.rowRuns, l.colRuns, l.colStart, l.colLast);
    const buffer = this.x.memory.buffer;
    return {
      rowEdges: new Uint8Array(buffer, l.rowEdges, w * h),
      colEdges: new Uint8Array(buffer, l.colEdges, w * h),
      rowRuns: new Int32Array(buffer, l.rowRuns, h),
      colRuns: new Int32Array(buffer, l.colRuns, w),
    };
  }

  private ensure(end: number): void {
    const have = this.x.memory.buffer.byteLength;
    if (end > have) this.x.memory.grow(Math.ceil((end - have) / PAGE));
  }
}

const BINARY = builtFile('subimage-edges.wasm', import.meta.url);
let kernels: EdgeKernels | undefined;

/** This thread's edge kernels (compiled on first use). */
export function edgeKernels(): EdgeKernels {
  kernels ??= new EdgeKernels(readFileSync(BINARY));
  return kernels;
}
