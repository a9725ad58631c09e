import { type PlateHits, safeName, WholeValue } from './hits.js';
import type { PlateMatcher } from './matcher.js';
import { type PlateChunkScanner, TextPlateScanner } from './scan-text.js';
import { JsonPlateParts } from './split-json.js';
import { PlateTokenizer } from './tokenizer.js';

/**
 * JSON and JSON Lines: every string (keys included: maps keyed by plate exist) and every number or
 * literal, at any depth. A streaming lexer that keeps only the container stack (capped depth), so
 * values of any size stream through in constant memory. `where` holds paths with array indices
 * collapsed (`$.reads[*].vehicle.plate`); `examples` the first exact paths (`$.reads[3].vehicle.plate`,
 * prefixed with their line). Keys that may be plates are shown as `*`.
 * Invalid JSON part-way (a log that merely starts with `{`) switches the rest to the text scan.
 * Plates split across the members of one object (`{"series": "AB", "serial": "1234"}`) or the two
 * or three items of a plate array are joined too (split-json.ts).
 */

enum S {
  Value,
  AfterValue,
  KeyOrEnd,
  Key,
  Colon,
  String,
  Escape,
  Unicode,
  Literal,
}

const OBJECT = 1;
const ARRAY = 2;
const MAX_DEPTH = 128;
const ESCAPES: Record<number, number> = { 98: 8, 102: 12, 110: 10, 114: 13, 116: 9, 34: 0x22, 92: 0x5c, 47: 0x2f };
const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isLiteral = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b === 0x2d || b === 0x2b || b === 0x2e;

export class JsonPlateScanner implements PlateChunkScanner {
  sortedWhere = true;
  /** Top-level values seen: more than one means JSON Lines (or concatenated JSON). */
  private values = 0;
  private state = S.Value;
  private depth = 0;
  private readonly types = new Uint8Array(MAX_DEPTH + 1);
  private readonly keys: string[] = [];
  private readonly indexes = new Float64Array(MAX_DEPTH + 1);
  private inKey = false;
  private keyMatched = false;
  private unicode = 0;
  private unicodeDigits = 0;
  private highSurrogate = 0;
  private line = 1;
  private fallback: TextPlateScanner | undefined;
  private readonly whole = new WholeValue();
  private readonly tokenizer: PlateTokenizer;
  private readonly one = new Uint8Array(1);
  private readonly parts: JsonPlateParts;

  constructor(
    private readonly matcher: PlateMatcher,
    private readonly hits: PlateHits,
  ) {
    this.tokenizer = new PlateTokenizer(matcher, (index) => this.hit(index));
    this.parts = new JsonPlateParts(matcher, (index, what) => this.hits.add(index, () => `${this.containerPath()}${what}`));
  }

  get format(): 'json' | 'jsonl' {
    return this.values > 1 ? 'jsonl' : 'json';
  }

  /** Whether the input stopped being JSON (the rest was scanned as text). */
  get failed(): boolean {
    return this.fallback !== undefined;
  }

  write(chunk: Uint8Array): void {
    if (this.fallback) return this.fallback.write(chunk);
    this.scan(chunk);
    this.tokenizer.release();
  }

  private scan(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const b = chunk[i]!;
      switch (this.state) {
        case S.String: {
          let j = i;
          while (j < n && chunk[j] !== 0x22 && chunk[j] !== 0x5c) j++;
          this.content(chunk, i, j);
          if (j < n) this.state = chunk[j] === 0x22 ? this.endString() : S.Escape;
          i = j + 1;
          continue;
        }
        case S.Escape:
          if (b === 0x75) {
            this.state = S.Unicode;
            this.unicode = 0;
            this.unicodeDigits = 0;
          } else if (ESCAPES[b] !== undefined) {
            this.byte(ESCAPES[b]!);
            this.state = S.String;
          } else return this.fail(chunk, i);
          break;
        case S.Unicode: {
          const digit = Number.parseInt(String.fromCharCode(b), 16);
          if (Number.isNaN(digit)) return this.fail(chunk, i);
          this.unicode = this.unicode * 16 + digit;
          if (++this.unicodeDigits === 4) {
            this.codeUnit(this.unicode);
            this.state = S.String;
          }
          break;
        }
        case S.Literal:
          if (isLiteral(b)) {
            let j = i;
            while (j < n && isLiteral(chunk[j]!)) j++;
            this.content(chunk, i, j);
            i = j;
            continue;
          }
          this.endValueContent();
          this.state = S.AfterValue;
          continue;
        default:
          if (b === 0x0a) this.line++;
          if (isSpace(b)) break;
          if (!this.structural(b)) return this.fail(chunk, i);
      }
      i++;
    }
  }

  end(): void {
    if (this.fallback) return this.fallback.end();
    if (this.state === S.Literal) this.endValueContent();
    this.tokenizer.flush();
  }

  /** A non-space byte outside strings and literals; false when it cannot be JSON here. */
  private structural(b: number): boolean {
    const state = this.state;
    if (state === S.KeyOrEnd || state === S.Key) {
      if (b === 0x22) return this.startString(true);
      if (b === 0x7d && state === S.KeyOrEnd) return this.close(OBJECT);
      return false;
    }
    if (state === S.Colon) {
      if (b !== 0x3a) return false;
      this.state = S.Value;
      return true;
    }
    if (state === S.AfterValue) {
      if (this.depth === 0) return this.startValue(b);
      if (b === 0x2c) {
        if (this.types[this.depth] === ARRAY) {
          this.indexes[this.depth]!++;
          this.state = S.Value;
        } else this.state = S.Key;
        return true;
      }
      if (b === 0x7d) return this.close(OBJECT);
      if (b === 0x5d) return this.close(ARRAY);
      return false;
    }
    if (b === 0x5d && this.types[this.depth] === ARRAY && this.indexes[this.depth] === 0) return this.close(ARRAY);
    return this.startValue(b);
  }

  private startValue(b: number): boolean {
    if (this.depth === 0) this.values++;
    if (b === 0x22) return this.startString(false);
    if (b === 0x7b || b === 0x5b) {
      if (this.depth >= MAX_DEPTH) return false;
      this.depth++;
      this.types[this.depth] = b === 0x7b ? OBJECT : ARRAY;
      this.indexes[this.depth] = 0;
      this.keys[this.depth] = '.*';
      this.parts.open(this.depth, b === 0x7b);
      this.state = b === 0x7b ? S.KeyOrEnd : S.Value;
      return true;
    }
    if (b === 0x2d || (b >= 0x30 && b <= 0x39) || b === 0x74 || b === 0x66 || b === 0x6e) {
      this.state = S.Literal;
      this.whole.reset();
      this.one[0] = b;
      this.content(this.one, 0, 1);
      return true;
    }
    return false;
  }

  private close(type: number): boolean {
    if (this.types[this.depth] !== type) return false;
    this.parts.close(this.depth);
    this.depth--;
    this.state = S.AfterValue;
    return true;
  }

  private startString(key: boolean): boolean {
    this.inKey = key;
    this.keyMatched = false;
    this.whole.reset();
    this.state = S.String;
    return true;
  }

  private endString(): S {
    this.endValueContent();
    if (!this.inKey) return S.AfterValue;
    const text = this.whole.text();
    const name = text === undefined ? undefined : safeName(text, this.keyMatched);
    this.parts.key(this.depth, this.keyMatched ? undefined : text, name);
    this.keys[this.depth] = name === undefined ? '.*' : /^[A-Za-z_][A-Za-z_]*$/.test(name) ? `.${name}` : `['${name}']`;
    this.inKey = false;
    return S.Colon;
  }

  private endValueContent(): void {
    this.tokenizer.flush();
    const index = this.whole.match(this.matcher);
    if (index >= 0) this.hit(index);
    if (!this.inKey && this.depth > 0) this.parts.value(this.depth, this.whole.text());
  }

  private content(bytes: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    this.tokenizer.feed(bytes, start, end);
    this.whole.add(bytes, start, end);
  }

  private byte(b: number): void {
    this.one[0] = b;
    this.content(this.one, 0, 1);
  }

  private codeUnit(unit: number): void {
    if (unit >= 0xd800 && unit <= 0xdbff) {
      this.highSurrogate = unit;
      return;
    }
    let codePoint = unit;
    if (unit >= 0xdc00 && unit <= 0xdfff && this.highSurrogate) codePoint = 0x10000 + ((this.highSurrogate - 0xd800) << 10) + (unit - 0xdc00);
    this.highSurrogate = 0;
    this.tokenizer.feedCodePoint(codePoint);
    const utf8 = Buffer.from(String.fromCodePoint(codePoint), 'utf8');
    this.whole.add(utf8, 0, utf8.length);
  }

  private hit(index: number): void {
    if (this.inKey) this.keyMatched = true;
    this.hits.add(
      index,
      () => this.path(false),
      () => `line ${this.line}: ${this.path(true)}`,
    );
  }

  /** Path of the container open at the current depth (`$.reads[*]`), array indices collapsed. */
  private containerPath(): string {
    let path = '$';
    for (let d = 1; d < this.depth; d++) path += this.types[d] === ARRAY ? '[*]' : (this.keys[d] ?? '.*');
    return path;
  }

  /** Path of the value being read; a key being read counts as an unknown member (`.*`). */
  private path(exact: boolean): string {
    let path = '$';
    for (let d = 1; d <= this.depth; d++) {
      if (this.types[d] === ARRAY) path += exact ? `[${this.indexes[d]}]` : '[*]';
      else if (d < this.depth || !this.inKey) path += this.keys[d] ?? '.*';
      else path += '.*';
    }
    return path;
  }

  private fail(chunk: Uint8Array, at: number): void {
    this.tokenizer.flush();
    this.fallback = new TextPlateScanner(this.matcher, this.hits, this.line);
    this.sortedWhere = false;
    this.fallback.write(chunk, at);
  }
}
