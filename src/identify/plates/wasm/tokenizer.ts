// The plate tokenizer's byte loop in WebAssembly (AssemblyScript; compiled by scripts/build.js,
// driven by ../tokenizer.ts). It is tokenizer.ts's state machine over ASCII bytes, with the shape
// gate: it emits only candidates (code, shape, line) whose shape an agency plate has, and leaves
// normalisation of other characters, the HMAC and the lookup to JavaScript. The JavaScript byte
// loop ran at ~50-60 MB/s per core; V8 kept re-reading the state from the object on every byte.
//
// One instance serves every tokenizer of a thread: the state of the one feeding is in this module's
// globals, and is saved to (and loaded from) STATE_AT when another takes over. Memory is laid out from
// LAYOUT_AT (the caller checks heapBase() is below it): the byte tables the caller fills from
// spelling.ts (the single definition of a plate character), the gate, the candidate buffers, a
// scratch area for short inputs, then the input, which grows with the memory.

const OUT_CAPACITY: usize = 4096;
const CLASS_AT: usize = 4096; // 256 bytes: BREAK 0, SEP 1, ALNUM 2, NEWLINE 3, HIGH 4
const VALUE_AT: usize = CLASS_AT + 256; // base-37 value of each ASCII letter/digit
const LETTER_AT: usize = VALUE_AT + 256; // 1 for letters
const STATE_AT: usize = LETTER_AT + 256; // STATE_WORDS f64: one tokenizer's state, saved or to load
const GATE_AT: usize = 8192; // 11 << 10 bytes, by (length << 10) | letter mask
const OUT_SHAPE_AT: usize = 20480; // i32 per candidate
const OUT_CODE_AT: usize = OUT_SHAPE_AT + OUT_CAPACITY * 4; // f64 per candidate
const OUT_LINE_AT: usize = OUT_CODE_AT + OUT_CAPACITY * 8; // f64 per candidate
const SCRATCH_AT: usize = OUT_LINE_AT + OUT_CAPACITY * 8; // short inputs, SCRATCH_BYTES
const SCRATCH_BYTES: usize = 4096;
const INPUT_AT: usize = SCRATCH_AT + SCRATCH_BYTES;

const SEP: u8 = 1;
const ALNUM: u8 = 2;
const NEWLINE: u8 = 3;
const HIGH: u8 = 4;
const MAX_LEN: i32 = 10;
const MAX_SEPARATOR_RUN: i32 = 3;

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
let count: i32 = 0;
let pending: i32 = -1;
let stopped: usize = 0;

export function heapBase(): usize {
  return __heap_base;
}
export function classAt(): usize {
  return CLASS_AT;
}
export function stateAt(): usize {
  return STATE_AT;
}
export function gateAt(): usize {
  return GATE_AT;
}
export function shapesAt(): usize {
  return OUT_SHAPE_AT;
}
export function codesAt(): usize {
  return OUT_CODE_AT;
}
export function linesAt(): usize {
  return OUT_LINE_AT;
}
export function scratchAt(): usize {
  return SCRATCH_AT;
}
export function inputAt(): usize {
  return INPUT_AT;
}
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
  const at = scan(start, end);
  if (at == end && pending < 0) return count;
  stopped = at;
  return -1;
}

function scan(start: usize, end: usize): usize {
  let i = start;
  while (i < end) {
    if (count > <i32>OUT_CAPACITY - 3) return i;
    let b = <usize>load<u8>(i);
    const cls = load<u8>(CLASS_AT + b);
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
          if (load<u8>(CLASS_AT + b) != ALNUM) break;
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

function pow37(n: i32): i64 {
  let p: i64 = 1;
  for (let k = 0; k < n; k++) p *= 37;
  return p;
}

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
function check(code: i64, len: i32, mask: i32): void {
  const shape = (len << 10) | mask;
  if (load<u8>(GATE_AT + <usize>shape) != 1) return;
  store<i32>(OUT_SHAPE_AT + (<usize>count << 2), shape);
  store<f64>(OUT_CODE_AT + (<usize>count << 3), <f64>code);
  store<f64>(OUT_LINE_AT + (<usize>count << 3), line);
  count++;
}
