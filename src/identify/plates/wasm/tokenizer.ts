// The plate tokenizer's byte loop in WebAssembly (AssemblyScript; compiled by scripts/build.js,
// driven by ../tokenizer.ts). It is tokenizer.ts's state machine over ASCII bytes, with the shape
// gate: it emits only candidates (code, shape, line) whose shape an agency plate has, and leaves
// normalisation of other characters, the HMAC and the lookup to JavaScript. The JavaScript byte
// loop ran at ~50-60 MB/s per core; V8 kept re-reading the state from the object on every byte.
//
// One instance serves every tokenizer of a thread: the state of the one feeding is in this module's
// globals, and is saved to (and loaded from) STATE_AT when another takes over. The memory layout is
// in layout.ts; CSV rows (cells split and checked whole here too) in csv.ts.

import { ALNUM, CACHE_AT, CACHE_BITS, CLASS_AT, GATE_AT, HIGH, LETTER_AT, MAX_LEN, MAX_SEPARATOR_RUN, NEWLINE, OUT_CAPACITY, OUT_CODE_AT, OUT_LINE_AT, OUT_SHAPE_AT, OUT_SLOT_AT, SEP, STATE_AT, STOP, VALUE_AT } from './layout';
import { csvClose, csvColumn, csvLoad, csvSave, csvScan, materialize, wholeColumn } from './csv';

export { takeWholeColumn, wholeAt, wholeLength } from './csv';
export { heapBase, classAt, stateAt, gateAt, shapesAt, codesAt, linesAt, slotsAt, cacheAt, cacheSlots, scratchAt, inputAt } from './layout';

let cur: i64 = 0;
let curLen: i32 = 0;
let curMask: i32 = 0;
let curLinked = false;
let p1Code: i64 = 0;
let p1Len: i32 = 0;
let p1Mask: i32 = 0;
let hasP1 = false;
let link12 = false;
let p2Code: i64 = 0;
let p2Len: i32 = 0;
let p2Mask: i32 = 0;
let hasP2 = false;
let sepRun: i32 = 0;
let utfNeed: i32 = 0;
let utfCode: i32 = 0;
let line: f64 = 1;
export let count: i32 = 0;
export let pending: i32 = -1;
let stopped: usize = 0;
/** Set by each entry: candidates then record the CSV column instead of the line. */
let csvMode = false;

/** Candidates waiting in the buffers. */
export function candidates(): i32 {
  return count;
}
export function clearCandidates(): void {
  count = 0;
}
export function getLine(): f64 {
  return line;
}
export function setLine(value: f64): void {
  line = value;
}
/** The code point feed() stopped after (for the caller to fold), or -1; cleared by reading. */
export function takePending(): i32 {
  const p = pending;
  pending = -1;
  return p;
}

/** Writes the state to STATE_AT (what is not saved, the candidates and a pending code point, is empty between calls). */
export function saveState(): void {
  store<f64>(STATE_AT, <f64>cur);
  store<f64>(STATE_AT + 8, <f64>curLen);
  store<f64>(STATE_AT + 16, <f64>curMask);
  store<f64>(STATE_AT + 24, curLinked ? 1 : 0);
  store<f64>(STATE_AT + 32, <f64>p1Code);
  store<f64>(STATE_AT + 40, <f64>p1Len);
  store<f64>(STATE_AT + 48, <f64>p1Mask);
  store<f64>(STATE_AT + 56, hasP1 ? 1 : 0);
  store<f64>(STATE_AT + 64, link12 ? 1 : 0);
  store<f64>(STATE_AT + 72, <f64>p2Code);
  store<f64>(STATE_AT + 80, <f64>p2Len);
  store<f64>(STATE_AT + 88, <f64>p2Mask);
  store<f64>(STATE_AT + 96, hasP2 ? 1 : 0);
  store<f64>(STATE_AT + 104, <f64>sepRun);
  store<f64>(STATE_AT + 112, <f64>utfNeed);
  store<f64>(STATE_AT + 120, <f64>utfCode);
  store<f64>(STATE_AT + 128, line);
  csvSave(STATE_AT + 136);
}

/** Takes the state at STATE_AT (as saveState wrote it, or a new tokenizer's: zeros and line 1). */
export function loadState(): void {
  cur = <i64>load<f64>(STATE_AT);
  curLen = <i32>load<f64>(STATE_AT + 8);
  curMask = <i32>load<f64>(STATE_AT + 16);
  curLinked = load<f64>(STATE_AT + 24) != 0;
  p1Code = <i64>load<f64>(STATE_AT + 32);
  p1Len = <i32>load<f64>(STATE_AT + 40);
  p1Mask = <i32>load<f64>(STATE_AT + 48);
  hasP1 = load<f64>(STATE_AT + 56) != 0;
  link12 = load<f64>(STATE_AT + 64) != 0;
  p2Code = <i64>load<f64>(STATE_AT + 72);
  p2Len = <i32>load<f64>(STATE_AT + 80);
  p2Mask = <i32>load<f64>(STATE_AT + 88);
  hasP2 = load<f64>(STATE_AT + 96) != 0;
  sepRun = <i32>load<f64>(STATE_AT + 104);
  utfNeed = <i32>load<f64>(STATE_AT + 112);
  utfCode = <i32>load<f64>(STATE_AT + 120);
  line = load<f64>(STATE_AT + 128);
  csvLoad(STATE_AT + 136);
  csvMode = false;
  count = 0;
  pending = -1;
}

/** Where the last feed() that returned -1 stopped. */
export function stoppedAt(): usize {
  return stopped;
}

/**
 * Reads bytes [start, end) of memory. Returns the number of candidates waiting when it read them
 * all; -1 when it stopped early (at stoppedAt()): after a complete non-ASCII code point (see
 * takePending), or before a byte when the candidate buffers may not hold what it could emit.
 * Candidates stay in the buffers until clearCandidates(). One call per range in the common case:
 * a CSV scan feeds every cell.
 */
export function feed(start: usize, end: usize): i32 {
  csvMode = false;
  const at = scan(start, end, CLASS_AT);
  if (at == end && pending < 0) return count;
  stopped = at;
  return -1;
}

/**
 * The byte loop, classes read from `table`: CLASS_AT, or a CSV table where the bytes that end a cell
 * are STOP (it returns before one, leaving it to csvScan).
 */
export function scan(start: usize, end: usize, table: usize): usize {
  let i = start;
  while (i < end) {
    if (count > <i32>OUT_CAPACITY - 3) return i;
    let b = <usize>load<u8>(i);
    const cls = load<u8>(table + b);
    if (cls == STOP) return i;
    if (utfNeed == 0 && cls != HIGH) {
      if (cls == ALNUM) {
        if (curLen == 0) curLinked = hasP1 && sepRun <= MAX_SEPARATOR_RUN;
        // A whole run of letters and digits in locals; the length saturates past a plate's.
        let c = cur;
        let n = curLen;
        let m = curMask;
        while (true) {
          if (n < MAX_LEN) c = c * 37 + <i64>load<u8>(VALUE_AT + b);
          if (n <= MAX_LEN) n++;
          m = (m << 1) | <i32>load<u8>(LETTER_AT + b);
          i++;
          if (i == end) break;
          b = <usize>load<u8>(i);
          if (load<u8>(table + b) != ALNUM) break;
        }
        cur = c;
        curLen = n;
        curMask = m;
        continue;
      }
      if (curLen > 0) endGroup();
      if (cls == SEP) {
        if (sepRun <= MAX_SEPARATOR_RUN) sepRun++; // saturates: only "at most 3" matters
      } else {
        hasP1 = false;
        hasP2 = false;
        sepRun = 0;
        if (cls == NEWLINE) line += 1;
      }
      i++;
      continue;
    }
    if (utfNeed > 0 && cls != HIGH) abortUtf8();
    i++;
    if (cls == ALNUM) {
      alnum(<i32>load<u8>(VALUE_AT + b), <i32>load<u8>(LETTER_AT + b));
    } else if (cls == SEP) {
      foldSep();
    } else if (cls == HIGH) {
      if (high(<i32>b)) return i;
    } else {
      breakToken();
      if (cls == NEWLINE) line += 1;
    }
  }
  return i;
}

/** A folded character that is a letter or digit (`value` base 37, `letter` 1 for letters). */
export function alnum(value: i32, letter: i32): void {
  if (curLen == 0) curLinked = hasP1 && sepRun <= MAX_SEPARATOR_RUN;
  if (curLen < MAX_LEN) cur = cur * 37 + <i64>value;
  if (curLen <= MAX_LEN) curLen++;
  curMask = (curMask << 1) | letter;
}

/** A folded character that is a separator. */
export function foldSep(): void {
  if (curLen > 0) endGroup();
  if (sepRun <= MAX_SEPARATOR_RUN) sepRun++;
}

/** A folded character that is a break. */
export function breakToken(): void {
  if (curLen > 0) endGroup();
  hasP1 = false;
  hasP2 = false;
  sepRun = 0;
}

/** Drops an unfinished UTF-8 sequence (it breaks the token). */
export function abortUtf8(): void {
  if (utfNeed == 0) return;
  utfNeed = 0;
  breakToken();
}

/** The end of a value (a CSV cell, a JSON string): nothing joins across it. Returns the candidates waiting. */
export function flush(): i32 {
  csvMode = false;
  abortUtf8();
  breakToken();
  return count;
}

function high(b: i32): bool {
  if (b >= 0xc0) {
    abortUtf8();
    if (b >= 0xc2 && b <= 0xdf) {
      utfNeed = 1;
      utfCode = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      utfNeed = 2;
      utfCode = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      utfNeed = 3;
      utfCode = b & 0x07;
    } else breakToken();
    return false;
  }
  if (utfNeed == 0) {
    breakToken();
    return false;
  }
  utfCode = (utfCode << 6) | (b & 0x3f);
  if (--utfNeed == 0) {
    pending = utfCode;
    return true;
  }
  return false;
}

const POW37_AT = memory.data<i64>([1, 37, 1369, 50653, 1874161, 69343957, 2565726409, 94931877133, 3512479453921, 129961739795077, 4808584372417849]);

// @ts-ignore: decorator
@inline
function pow37(n: i32): i64 {
  return load<i64>(POW37_AT + (<usize>n << 3));
}

// @ts-ignore: decorator
@inline
function endGroup(): void {
  const len = curLen;
  const code = cur;
  const mask = curMask;
  const linked = curLinked;
  cur = 0;
  curLen = 0;
  curMask = 0;
  sepRun = 0;
  if (len > MAX_LEN) {
    hasP1 = false;
    hasP2 = false;
    return;
  }
  if (len >= 2) check(code, len, mask);
  if (linked && hasP1) {
    const len2 = p1Len + len;
    if (len2 <= MAX_LEN) {
      const code2 = p1Code * pow37(len) + code;
      const mask2 = (p1Mask << len) | mask;
      check(code2, len2, mask2);
      const len3 = p2Len + len2;
      if (link12 && hasP2 && len3 <= MAX_LEN) check(p2Code * pow37(len2) + code2, len3, (p2Mask << len2) | mask2);
    }
  }
  p2Code = p1Code;
  p2Len = p1Len;
  p2Mask = p1Mask;
  hasP2 = hasP1;
  link12 = linked;
  p1Code = code;
  p1Len = len;
  p1Mask = mask;
  hasP1 = true;
}

// @ts-ignore: decorator
@inline
export function check(code: i64, len: i32, mask: i32): void {
  const shape = (len << 10) | mask;
  if (load<u8>(GATE_AT + <usize>shape) != 1) return;
  // A code is at most 37^10 < 2^53 and never 0; the slot is a multiplicative hash of it.
  const slot = <usize>(<u64>(code * 0x9e3779b97f4a7c15) >> <u64>(64 - CACHE_BITS));
  if (load<f64>(CACHE_AT + (slot << 3)) == <f64>code) return;
  store<i32>(OUT_SLOT_AT + (<usize>count << 2), <i32>slot);
  store<i32>(OUT_SHAPE_AT + (<usize>count << 2), shape);
  store<f64>(OUT_CODE_AT + (<usize>count << 3), <f64>code);
  store<f64>(OUT_LINE_AT + (<usize>count << 3), csvMode ? <f64>csvColumn : line);
  count++;
}

/**
 * feed() for CSV content after the header row, `delimiter` its separator byte. Returns as feed()
 * does; it also stops (-1) after a cell whose whole value needs JavaScript (takeWholeColumn).
 */
export function csvFeed(start: usize, end: usize, delimiter: u8): i32 {
  csvMode = true;
  const at = csvScan(start, end, delimiter);
  materialize();
  if (at == end && pending < 0 && wholeColumn < 0) return count;
  stopped = at;
  return -1;
}

/** The end of the CSV content: closes an open cell and row. Returns the candidates waiting, or -1 as csvFeed. */
export function csvEnd(): i32 {
  csvMode = true;
  csvClose();
  return wholeColumn < 0 ? count : -1;
}
