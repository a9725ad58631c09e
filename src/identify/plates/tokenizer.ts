import type { PlateMatcher } from './matcher.js';
import { CODE_VALUE } from './matcher.js';
import { type PlateChar, plateChar } from './spelling.js';
import { LINE_WORD, type SharedTokenizer, STATE_WORDS, sharedTokenizer, type TokenizerExports } from './tokenizer-wasm.js';

/**
 * Finds candidate plates in a byte stream and looks them up, in one pass, in constant memory.
 *
 * What a candidate is, is defined once in spelling.ts (the redactor masks by the same definition):
 * characters are letters/digits (a *group*), separators (space, `-`, `.`, and what folds to them: an
 * en dash, a no-break space), or breaks (anything else; newlines also count lines). Every group of
 * 2-10 characters is a candidate, and so are two or three consecutive groups joined by a run of 1-3
 * separators (`ABC 1234`, `AB-12-CD`, `abc.1234`) when the joined length is at most 10. A group longer
 * than 10 characters can be part of no plate and ends any chain.
 *
 * The byte loop is WebAssembly (wasm/tokenizer.ts): it reads ASCII by tables made from
 * {@link plateChar}, keeps the state, applies the matcher's shape gate, and hands back only the
 * candidates that pass it, with their line. Other characters are decoded from UTF-8 there and folded
 * here, one at a time. All state is kept between calls (in the module while this tokenizer is the
 * one feeding it, else saved here), so a token split across chunks is found exactly as if it were whole.
 */

/** Called with the matcher's index of each agency plate found, and its line (its column in {@link PlateTokenizer.feedCsv}). */
export type HitHandler = (index: number, at: number) => void;

/** Inputs up to this size are copied whole and kept while the caller feeds ranges of them. */
const MAX_RESIDENT = 1 << 20;
const PAGE = 65_536;
const LINE = LINE_WORD;

interface Views {
  buffer: ArrayBuffer;
  bytes: Uint8Array;
  shapes: Int32Array;
  codes: Float64Array;
  lines: Float64Array;
  slots: Int32Array;
  /** Codes known to be no agency plate of the matcher whose gate is in the module (wasm/tokenizer.ts check). */
  cache: Float64Array;
}
/** This thread's views of the shared module's memory. */
let views: Views | undefined;

export class PlateTokenizer {
  private readonly shared: SharedTokenizer;
  private readonly folds = new Map<number, PlateChar>();
  private readonly one = new Uint8Array(1);
  /** This tokenizer's state while another one's is in the module. */
  private readonly state = new Float64Array(STATE_WORDS);
  /** While hits are handed out, `line` is the hit's line, not the line the scan has reached. */
  private hitLine = -1;
  /** The CSV delimiter while {@link feedCsv} runs, else -1. */
  private delimiter = -1;

  constructor(
    private readonly matcher: PlateMatcher,
    private readonly onHit: HitHandler,
  ) {
    this.shared = sharedTokenizer();
    this.state[LINE] = 1;
  }

  /** 1-based line of the byte being read (text scans report it); a hit's line while it is handed out. */
  get line(): number {
    if (this.hitLine >= 0) return this.hitLine;
    return this.shared.owner === this ? this.shared.x.getLine() : this.state[LINE]!;
  }

  set line(value: number) {
    if (this.shared.owner === this) this.shared.x.setLine(value);
    else this.state[LINE] = value;
  }

  /** Scans `bytes[start..end)`, continuing whatever token the previous call left open. */
  feed(bytes: Uint8Array, start = 0, end = bytes.length): void {
    if (end <= start) return;
    const x = this.activate();
    const shared = this.shared;
    if (bytes === shared.resident) return this.run(x.inputAt() + start, x.inputAt() + end);
    // A small buffer (a quote, one escaped byte) is copied apart, so the chunk it interrupts stays resident.
    if (bytes.length <= x.inputAt() - x.scratchAt()) {
      this.memory().set(bytes.subarray(start, end), x.scratchAt());
      return this.run(x.scratchAt(), x.scratchAt() + end - start);
    }
    if (bytes.length <= MAX_RESIDENT) {
      this.load(bytes);
      shared.resident = bytes;
      return this.run(x.inputAt() + start, x.inputAt() + end);
    }
    shared.resident = undefined;
    for (let at = start; at < end; at += MAX_RESIDENT) {
      const piece = bytes.subarray(at, Math.min(end, at + MAX_RESIDENT));
      this.load(piece);
      this.run(x.inputAt(), x.inputAt() + piece.length);
    }
  }

  /**
   * Scans CSV content after its header row (`delimiter` the separator byte): cells are split, and each
   * checked whole, in the module (wasm/csv.ts), as scan-csv.ts does for the header.
   * Hits carry their column.
   */
  feedCsv(bytes: Uint8Array, start: number, end: number, delimiter: number): void {
    this.delimiter = delimiter;
    try {
      this.feed(bytes, start, end);
    } finally {
      this.delimiter = -1;
    }
  }

  /** The end of CSV content given to {@link feedCsv}: closes the open cell. */
  endCsv(): void {
    const x = this.activate();
    const waiting = x.csvEnd();
    if (waiting > 0) this.drain(waiting);
    if (waiting < 0) this.stopped(x);
  }

  /**
   * Forgets the resident input: the caller may reuse the buffer it fed for other bytes. Scanners
   * call it after each chunk.
   */
  release(): void {
    this.shared.resident = undefined;
  }

  /** Ends the current value (a CSV cell, a JSON string): nothing joins across it. */
  flush(): void {
    const waiting = this.activate().flush();
    if (waiting > 0) this.drain(waiting);
  }

  /** Feeds one Unicode code point (JSON `\u` escapes). */
  feedCodePoint(codePoint: number): void {
    const x = this.activate();
    x.abortUtf8();
    if (codePoint < 0x80) {
      this.one[0] = codePoint;
      this.feed(this.one);
    } else {
      this.folded(codePoint);
      this.drain(x.candidates());
    }
  }

  /** Puts this tokenizer's state (and its matcher's gate) in the module, saving the previous owner's. */
  private activate(): TokenizerExports {
    const shared = this.shared;
    const x = shared.x;
    if (shared.owner === this) return x;
    const words = new Float64Array(x.memory.buffer, x.stateAt(), STATE_WORDS);
    if (shared.owner instanceof PlateTokenizer) {
      x.saveState();
      shared.owner.state.set(words);
    }
    words.set(this.state);
    x.loadState();
    shared.owner = this;
    if (shared.gate !== this.matcher.gate) {
      this.memory().set(this.matcher.gate, x.gateAt());
      this.views().cache.fill(0);
      shared.gate = this.matcher.gate;
    }
    return x;
  }

  private run(from: number, to: number): void {
    const x = this.shared.x;
    const d = this.delimiter;
    let waiting = d < 0 ? x.feed(from, to) : x.csvFeed(from, to, d);
    while (waiting < 0) {
      const at = x.stoppedAt();
      this.stopped(x);
      waiting = at < to ? (d < 0 ? x.feed(at, to) : x.csvFeed(at, to, d)) : 0;
    }
    if (waiting > 0) this.drain(waiting);
  }

  /** After the module stopped early: a character to fold, full candidate buffers, or a CSV cell's whole value to check. */
  private stopped(x: TokenizerExports): void {
    const pending = x.takePending();
    this.drain(x.candidates());
    if (pending >= 0) {
      this.folded(pending);
      this.drain(x.candidates());
    }
    const column = x.takeWholeColumn();
    if (column >= 0) {
      // A short cell with non-ASCII bytes: normalised as text (hits.ts WholeValue does the same).
      const text = Buffer.from(this.memory().buffer, x.wholeAt(), x.wholeLength()).toString('utf8');
      const index = this.matcher.matchText(text);
      if (index >= 0) this.onHit(index, column);
    }
  }

  private load(bytes: Uint8Array): void {
    const x = this.shared.x;
    const need = x.inputAt() + bytes.length;
    const have = x.memory.buffer.byteLength;
    if (need > have) x.memory.grow(Math.ceil((need - have) / PAGE));
    this.memory().set(bytes, x.inputAt());
  }

  private memory(): Uint8Array {
    return this.views().bytes;
  }

  /** Views of the module's memory, made again only when it grew. */
  private views(): Views {
    const buffer = this.shared.x.memory.buffer;
    if (views?.buffer !== buffer) {
      const x = this.shared.x;
      const capacity = (x.codesAt() - x.shapesAt()) / 4;
      views = {
        buffer,
        bytes: new Uint8Array(buffer),
        shapes: new Int32Array(buffer, x.shapesAt(), capacity),
        codes: new Float64Array(buffer, x.codesAt(), capacity),
        lines: new Float64Array(buffer, x.linesAt(), capacity),
        slots: new Int32Array(buffer, x.slotsAt(), capacity),
        cache: new Float64Array(buffer, x.cacheAt(), x.cacheSlots()),
      };
    }
    return views;
  }

  /** Looks up the `n` candidates the module left, in the order it found them. */
  private drain(n: number): void {
    if (n === 0) return;
    const { shapes, codes, lines, slots, cache } = this.views();
    const matcher = this.matcher;
    for (let k = 0; k < n; k++) {
      const shape = shapes[k]!;
      const code = codes[k]!;
      const index = matcher.matchCode(code, shape >> 10, shape & 1023);
      if (index < 0) {
        cache[slots[k]!] = code;
        continue;
      }
      const at = lines[k]!;
      this.hitLine = at;
      this.onHit(index, at);
      this.hitLine = -1;
    }
    this.shared.x.clearCandidates();
  }

  private folded(codePoint: number): void {
    let fold = this.folds.get(codePoint);
    if (fold === undefined) {
      fold = plateChar(codePoint);
      // Bounded: distinct code points in a file are few, but a hostile file could cycle through many.
      if (this.folds.size > 4096) this.folds.clear();
      this.folds.set(codePoint, fold);
    }
    const x = this.shared.x;
    if (fold === 'sep') x.foldSep();
    else if (fold === 'break') x.breakToken();
    else {
      for (let i = 0; i < fold.length; i++) {
        const value = CODE_VALUE[fold.charCodeAt(i)]!;
        x.alnum(value, value > 10 ? 1 : 0);
      }
    }
  }
}
