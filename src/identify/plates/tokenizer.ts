import { CODE_VALUE, gateIndex, type PlateMatcher, POW37 } from './matcher.js';
import { MAX_PLATE_LENGTH } from './normalise.js';
import { MAX_SEPARATOR_RUN, type PlateChar, plateChar } from './spelling.js';

/**
 * Finds candidate plates in a byte stream and looks them up, in one pass, in constant memory.
 *
 * What a candidate is, is defined once in spelling.ts (the redactor masks by the same definition):
 * characters are letters/digits (a *group*), separators (space, `-`, `.`, and what folds to them: an
 * en dash, a no-break space), or breaks (anything else; newlines also count lines). Every group of
 * 2-10 characters is a candidate, and so are two or three consecutive groups joined by a run of 1-3
 * separators (`ABC 1234`, `AB-12-CD`, `abc.1234`) when the joined length is at most 10. A group longer
 * than 10 characters can be part of no plate and ends any chain. This is that definition over bytes,
 * in one pass: ASCII bytes by a table made from {@link plateChar}, other characters decoded from UTF-8
 * and folded by it one at a time. All state lives in a few numbers, so a token split across chunks is
 * found exactly as if it were whole.
 */

const BREAK = 0;
const SEP = 1;
const ALNUM = 2;
const NEWLINE = 3;
const HIGH = 4;
const CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const kind = b < 0x80 ? plateChar(b) : undefined;
  CLASS[b] = kind === undefined ? HIGH : kind === 'sep' ? SEP : kind === 'break' ? BREAK : ALNUM;
}
CLASS[0x0a] = NEWLINE;
/** Letter bit per byte (1 for letters, 0 for digits), for shape masks. */
const LETTER = new Uint8Array(256);
for (let b = 0; b < 256; b++) if (CODE_VALUE[b]! > 10) LETTER[b] = 1;

/** Called with the matcher's index of each agency plate found. */
export type HitHandler = (index: number) => void;

export class PlateTokenizer {
  /** 1-based line of the byte being read (text scans report it). */
  line = 1;
  private cur = 0;
  private curLen = 0;
  private curMask = 0;
  private curLinked = false;
  private p1Code = 0;
  private p1Len = 0;
  private p1Mask = 0;
  private hasP1 = false;
  private link12 = false;
  private p2Code = 0;
  private p2Len = 0;
  private p2Mask = 0;
  private hasP2 = false;
  private sepRun = 0;
  private utfNeed = 0;
  private utfCode = 0;
  private readonly gate: Uint8Array;
  private readonly folds = new Map<number, PlateChar>();
  private readonly one = new Uint8Array(1);

  constructor(
    private readonly matcher: PlateMatcher,
    private readonly onHit: HitHandler,
  ) {
    this.gate = matcher.gate;
  }

  /** Scans `bytes[start..end)`, continuing whatever token the previous call left open. */
  feed(bytes: Uint8Array, start = 0, end = bytes.length): void {
    // The hot loop: letters and digits stay in locals; everything else goes through the fields.
    let cur = this.cur;
    let curLen = this.curLen;
    let curMask = this.curMask;
    for (let i = start; i < end; i++) {
      let b = bytes[i]!;
      const cls = CLASS[b]!;
      if (this.utfNeed === 0 && cls !== HIGH) {
        if (cls === ALNUM) {
          if (curLen === 0) this.curLinked = this.hasP1 && this.sepRun <= MAX_SEPARATOR_RUN;
          // A whole run of ASCII letters and digits in this inner loop: no other state can change in it.
          for (;;) {
            if (curLen < MAX_PLATE_LENGTH) cur = cur * 37 + CODE_VALUE[b]!;
            curLen++;
            curMask = (curMask << 1) | LETTER[b]!;
            if (i + 1 === end || CLASS[bytes[i + 1]!] !== ALNUM) break;
            b = bytes[++i]!;
          }
          continue;
        }
        if (curLen > 0) {
          this.cur = cur;
          this.curLen = curLen;
          this.curMask = curMask;
          this.endGroup();
          cur = 0;
          curLen = 0;
          curMask = 0;
        }
        if (cls === SEP) {
          this.sepRun++;
        } else {
          this.hasP1 = false;
          this.hasP2 = false;
          this.sepRun = 0;
          if (cls === NEWLINE) this.line++;
        }
        continue;
      }
      this.cur = cur;
      this.curLen = curLen;
      this.curMask = curMask;
      this.slow(b, cls);
      cur = this.cur;
      curLen = this.curLen;
      curMask = this.curMask;
    }
    this.cur = cur;
    this.curLen = curLen;
    this.curMask = curMask;
  }

  private slow(b: number, cls: number): void {
    if (this.utfNeed > 0 && cls !== HIGH) this.abortUtf8();
    if (cls === ALNUM) {
      this.alnum(CODE_VALUE[b]!, LETTER[b]!);
    } else if (cls === SEP) {
      if (this.curLen > 0) this.endGroup();
      this.sepRun++;
    } else if (cls === HIGH) {
      this.high(b);
    } else {
      this.breakToken();
      if (cls === NEWLINE) this.line++;
    }
  }

  /** Ends the current value (a CSV cell, a JSON string): nothing joins across it. */
  flush(): void {
    if (this.utfNeed > 0) this.abortUtf8();
    this.breakToken();
  }

  /** Feeds one Unicode code point (JSON `\u` escapes). */
  feedCodePoint(codePoint: number): void {
    if (this.utfNeed > 0) this.abortUtf8();
    if (codePoint < 0x80) {
      this.one[0] = codePoint;
      this.feed(this.one);
    } else this.folded(codePoint);
  }

  private alnum(value: number, letter: number): void {
    if (this.curLen === 0) this.curLinked = this.hasP1 && this.sepRun <= MAX_SEPARATOR_RUN;
    if (this.curLen < MAX_PLATE_LENGTH) this.cur = this.cur * 37 + value;
    this.curLen++;
    this.curMask = (this.curMask << 1) | letter;
  }

  private breakToken(): void {
    if (this.curLen > 0) this.endGroup();
    this.hasP1 = false;
    this.hasP2 = false;
    this.sepRun = 0;
  }

  private endGroup(): void {
    const len = this.curLen;
    const code = this.cur;
    const mask = this.curMask;
    const linked = this.curLinked;
    this.cur = 0;
    this.curLen = 0;
    this.curMask = 0;
    this.sepRun = 0;
    if (len > MAX_PLATE_LENGTH) {
      this.hasP1 = false;
      this.hasP2 = false;
      return;
    }
    if (len >= 2) this.check(code, len, mask);
    if (linked && this.hasP1) {
      const len2 = this.p1Len + len;
      if (len2 <= MAX_PLATE_LENGTH) {
        const code2 = this.p1Code * POW37[len]! + code;
        const mask2 = (this.p1Mask << len) | mask;
        this.check(code2, len2, mask2);
        const len3 = this.p2Len + len2;
        if (this.link12 && this.hasP2 && len3 <= MAX_PLATE_LENGTH) {
          this.check(this.p2Code * POW37[len2]! + code2, len3, (this.p2Mask << len2) | mask2);
        }
      }
    }
    this.p2Code = this.p1Code;
    this.p2Len = this.p1Len;
    this.p2Mask = this.p1Mask;
    this.hasP2 = this.hasP1;
    this.link12 = linked;
    this.p1Code = code;
    this.p1Len = len;
    this.p1Mask = mask;
    this.hasP1 = true;
  }

  private check(code: number, len: number, mask: number): void {
    if (this.gate[gateIndex(len, mask)] !== 1) return;
    const index = this.matcher.matchCode(code, len, mask);
    if (index >= 0) this.onHit(index);
  }

  private high(b: number): void {
    if (b >= 0xc0) {
      if (this.utfNeed > 0) this.abortUtf8();
      if (b >= 0xc2 && b <= 0xdf) [this.utfNeed, this.utfCode] = [1, b & 0x1f];
      else if (b >= 0xe0 && b <= 0xef) [this.utfNeed, this.utfCode] = [2, b & 0x0f];
      else if (b >= 0xf0 && b <= 0xf4) [this.utfNeed, this.utfCode] = [3, b & 0x07];
      else this.breakToken();
      return;
    }
    if (this.utfNeed === 0) {
      this.breakToken();
      return;
    }
    this.utfCode = (this.utfCode << 6) | (b & 0x3f);
    if (--this.utfNeed === 0) this.folded(this.utfCode);
  }

  private abortUtf8(): void {
    this.utfNeed = 0;
    this.breakToken();
  }

  private folded(codePoint: number): void {
    let fold = this.folds.get(codePoint);
    if (fold === undefined) {
      fold = plateChar(codePoint);
      // Bounded: distinct code points in a file are few, but a hostile file could cycle through many.
      if (this.folds.size > 4096) this.folds.clear();
      this.folds.set(codePoint, fold);
    }
    if (fold === 'sep') {
      if (this.curLen > 0) this.endGroup();
      this.sepRun++;
    } else if (fold === 'break') {
      this.breakToken();
    } else {
      for (let i = 0; i < fold.length; i++) {
        const c = fold.charCodeAt(i);
        this.alnum(CODE_VALUE[c]!, LETTER[c]!);
      }
    }
  }
}
