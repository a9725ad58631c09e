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
const WHOLE_AT: usize = STATE_AT + 256; // WHOLE_MAX bytes: the first bytes of the current CSV cell
const UNQUOTED_AT: usize = WHOLE_AT + 64; // 256 bytes: CLASS_AT, with the delimiter and LF as STOP
const QUOTED_AT: usize = UNQUOTED_AT + 256; // 256 bytes: CLASS_AT, with the quote as STOP
const GATE_AT: usize = 8192; // 11 << 10 bytes, by (length << 10) | letter mask
const OUT_SHAPE_AT: usize = 20480; // i32 per candidate
const OUT_CODE_AT: usize = OUT_SHAPE_AT + OUT_CAPACITY * 4; // f64 per candidate
const OUT_LINE_AT: usize = OUT_CODE_AT + OUT_CAPACITY * 8; // f64 per candidate
const OUT_SLOT_AT: usize = OUT_LINE_AT + OUT_CAPACITY * 8; // i32 per candidate: its slot in the cache
// Codes the caller looked up and found no agency plate (f64 each, 0 empty), by slot: a log repeats
// the same few thousand plates, and each is then dropped here instead of crossing into JavaScript.
const CACHE_BITS: i64 = 15;
const CACHE_AT: usize = OUT_SLOT_AT + OUT_CAPACITY * 4;
// Short inputs, up to the input (the caller sizes this area as inputAt() - scratchAt()).
const SCRATCH_AT: usize = CACHE_AT + (8 << <usize>CACHE_BITS);
const SCRATCH_BYTES: usize = 4096;
const INPUT_AT: usize = SCRATCH_AT + SCRATCH_BYTES;

const SEP: u8 = 1;
const ALNUM: u8 = 2;
const NEWLINE: u8 = 3;
const HIGH: u8 = 4;
const STOP: u8 = 5; // only in the CSV tables
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
/** Set by each entry: candidates then record the CSV column instead of the line. */
let csvMode = false;
// The CSV cell state machine (csv.ts), kept here so that saveState/loadState carry it.
let csvState: i32 = 0;
let csvColumn: i32 = 0;
let wholeLen: i32 = 0;

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
export function slotsAt(): usize {
  return OUT_SLOT_AT;
}
export function cacheAt(): usize {
  return CACHE_AT;
}
export function cacheSlots(): i32 {
  return 1 << <i32>CACHE_BITS;
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
  store<f64>(STATE_AT + 136, <f64>csvState);
  store<f64>(STATE_AT + 144, <f64>csvColumn);
  store<f64>(STATE_AT + 152, <f64>wholeLen);
  for (let k: usize = 0; k < WHOLE_WORDS; k++) store<f64>(STATE_AT + 160 + (k << 3), <f64>load<u32>(WHOLE_AT + (k << 2)));
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
  csvState = <i32>load<f64>(STATE_AT + 136);
  csvColumn = <i32>load<f64>(STATE_AT + 144);
  wholeLen = <i32>load<f64>(STATE_AT + 152);
  for (let k: usize = 0; k < WHOLE_WORDS; k++) store<u32>(WHOLE_AT + (k << 2), <u32>load<f64>(STATE_AT + 160 + (k << 3)));
  csvMode = false;
  wholeColumn = -1;
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
function scan(start: usize, end: usize, table: usize): usize {
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
  // A code is at most 37^10 < 2^53 and never 0; the slot is a multiplicative hash of it.
  const slot = <usize>(<u64>(code * 0x9e3779b97f4a7c15) >> <u64>(64 - CACHE_BITS));
  if (load<f64>(CACHE_AT + (slot << 3)) == <f64>code) return;
  store<i32>(OUT_SLOT_AT + (<usize>count << 2), <i32>slot);
  store<i32>(OUT_SHAPE_AT + (<usize>count << 2), shape);
  store<f64>(OUT_CODE_AT + (<usize>count << 3), <f64>code);
  store<f64>(OUT_LINE_AT + (<usize>count << 3), csvMode ? <f64>csvColumn : line);
  count++;
}

// ---- CSV rows, after the header (driven by ../scan-csv.ts) ----------------------------------------
// The same state machine as scan-csv.ts, so that a cell costs no call into JavaScript: its content
// runs through scan() above, and its end applies flush() and the whole-value check of hits.ts
// (WholeValue) here. Candidates record their column (csvMode). JavaScript keeps the header row and
// files whose header names plate parts (those need cell text per row).

const QUOTE: u8 = 0x22;
const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const FIELD_START: i32 = 0;
const UNQUOTED: i32 = 1;
const QUOTED: i32 = 2;
const QUOTE_IN_QUOTED: i32 = 3;
const WHOLE_MAX: i32 = 48;
const WHOLE_WORDS: usize = 12; // WHOLE_MAX bytes as u32 state words
/** Column of a cell whose whole value JavaScript must check (it holds non-ASCII), or -1. */
let wholeColumn: i32 = -1;
let wholeTextLen: i32 = 0;
/** The open cell's content in the input (cellFrom..cellTo) while it is one range there; 0 once copied to WHOLE_AT. */
let cellFrom: usize = 0;
let cellTo: usize = 0;
/** The delimiter the CSV tables were made for, or -1. */
let tablesFor: i32 = -1;

export function wholeAt(): usize {
  return WHOLE_AT;
}
/** The column of a whole value left for JavaScript (its bytes at wholeAt(), wholeLength() of them), or -1; cleared by reading. */
export function takeWholeColumn(): i32 {
  const c = wholeColumn;
  wholeColumn = -1;
  return c;
}
export function wholeLength(): i32 {
  return wholeTextLen;
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
  if (csvState != FIELD_START || csvColumn > 0) {
    endCell();
    csvColumn = 0;
  }
  return wholeColumn < 0 ? count : -1;
}

/** A piece of the open cell's content: a range of the input while the cell is contiguous there, else copied. */
function piece(from: usize, to: usize): void {
  if (wholeLen > WHOLE_MAX) return;
  const n = <i32>(to - from);
  if (wholeLen == 0) {
    cellFrom = from;
    cellTo = to;
  } else if (cellFrom != 0 && from == cellTo) {
    cellTo = to;
  } else {
    materialize();
    for (let k = 0; k < n && wholeLen + k < WHOLE_MAX; k++) store<u8>(WHOLE_AT + <usize>(wholeLen + k), load<u8>(from + <usize>k));
  }
  wholeLen += n;
}

/** Copies the open cell's first bytes to WHOLE_AT, before the input they are in is replaced. */
function materialize(): void {
  if (cellFrom == 0) return;
  memory.copy(WHOLE_AT, cellFrom, <usize>min(wholeLen, WHOLE_MAX));
  cellFrom = 0;
}

/** The class tables of csvScan: content ends at the delimiter or a newline, quoted content at a quote. */
function csvTables(d: u8): void {
  memory.copy(UNQUOTED_AT, CLASS_AT, 256);
  memory.copy(QUOTED_AT, CLASS_AT, 256);
  store<u8>(UNQUOTED_AT + <usize>d, STOP);
  store<u8>(UNQUOTED_AT + <usize>LF, STOP);
  store<u8>(QUOTED_AT + <usize>QUOTE, STOP);
  tablesFor = d;
}

function csvScan(start: usize, end: usize, d: u8): usize {
  if (<i32>d != tablesFor) csvTables(d);
  let i = start;
  while (i < end) {
    // A cell's end can emit four candidates (three joins, the whole value).
    if (count > <i32>OUT_CAPACITY - 5) return i;
    if (csvState == FIELD_START) {
      if (load<u8>(i) == QUOTE) {
        csvState = QUOTED;
        i++;
        continue;
      }
      csvState = UNQUOTED;
    }
    if (csvState != QUOTE_IN_QUOTED) {
      const table = csvState == UNQUOTED ? UNQUOTED_AT : QUOTED_AT;
      const at = scan(i, end, table);
      piece(i, at);
      if (at == end || pending >= 0) return at;
      const b = load<u8>(at);
      // scan() also stops before a byte when the candidate buffers are nearly full.
      if (load<u8>(table + <usize>b) != STOP || count > <i32>OUT_CAPACITY - 5) return at;
      i = at + 1;
      if (csvState == QUOTED) {
        csvState = QUOTE_IN_QUOTED;
        continue;
      }
      endCell();
      if (b == LF) csvColumn = 0;
      if (wholeColumn >= 0) return i;
      continue;
    }
    const b = load<u8>(i);
    if (b == QUOTE) {
      // An escaped quote is content: this byte is the quote itself.
      csvState = QUOTED;
      if (single(i)) return i + 1;
    } else if (b == d || b == LF) {
      endCell();
      if (b == LF) csvColumn = 0;
      if (wholeColumn >= 0) return i + 1;
    } else if (b != CR) {
      csvState = UNQUOTED;
      if (single(i)) return i + 1;
    }
    i++;
  }
  return i;
}

/** One byte of content at `at`; true when it completed a code point to fold. */
function single(at: usize): bool {
  scan(at, at + 1, CLASS_AT);
  piece(at, at + 1);
  return pending >= 0;
}

/** scan-csv.ts endField: nothing joins across cells, then the cell checked as one plate. */
function endCell(): void {
  abortUtf8();
  breakToken();
  if (wholeLen >= 2 && wholeLen <= WHOLE_MAX) wholeValue(cellFrom != 0 ? cellFrom : WHOLE_AT);
  wholeLen = 0;
  cellFrom = 0;
  csvColumn++;
  csvState = FIELD_START;
}

/** hits.ts WholeValue.match over the cell's bytes at `base`: letters and digits with separators between, else nothing. */
function wholeValue(base: usize): void {
  let code: i64 = 0;
  let len: i32 = 0;
  let mask: i32 = 0;
  for (let k = 0; k < wholeLen; k++) {
    const b = <usize>load<u8>(base + <usize>k);
    const value = <i32>load<u8>(VALUE_AT + b);
    if (value > 0) {
      if (++len > MAX_LEN) return;
      code = code * 37 + <i64>value;
      mask = (mask << 1) | (value > 10 ? 1 : 0);
    } else if (b >= 0x80) {
      materialize();
      wholeColumn = csvColumn;
      wholeTextLen = wholeLen;
      return;
    } else if (!(b == 0x20 || b == 0x2d || b == 0x2e || (b >= 0x09 && b <= 0x0d))) {
      return;
    }
  }
  if (len < 2) return;
  // The cell's last candidate, when it is this plate in this column, already gives the same hit.
  const shape = (len << 10) | mask;
  if (count > 0) {
    const last = <usize>(count - 1);
    if (load<i32>(OUT_SHAPE_AT + (last << 2)) == shape && load<f64>(OUT_CODE_AT + (last << 3)) == <f64>code && load<f64>(OUT_LINE_AT + (last << 3)) == <f64>csvColumn) return;
  }
  check(code, len, mask);
}
