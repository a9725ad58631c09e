// CSV rows after the header, in the plate tokenizer module (entry tokenizer.ts: csvFeed, csvEnd;
// driven by ../scan-csv.ts).
//
// The same state machine as scan-csv.ts, so that a cell costs no call into JavaScript: its content
// runs through tokenizer.ts's scan(), and its end applies flush() and the whole-value check of hits.ts
// (WholeValue) here. Candidates record their column (csvMode). JavaScript keeps the header row and
// files whose header names plate parts (those need cell text per row).

import { CLASS_AT, MAX_LEN, OUT_CAPACITY, OUT_CODE_AT, OUT_LINE_AT, OUT_SHAPE_AT, QUOTED_AT, STOP, UNQUOTED_AT, VALUE_AT, WHOLE_AT } from './layout';
import { abortUtf8, breakToken, check, count, pending, scan } from './tokenizer';

const QUOTE: u8 = 0x22;
const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const FIELD_START: i32 = 0;
const UNQUOTED: i32 = 1;
const QUOTED: i32 = 2;
const QUOTE_IN_QUOTED: i32 = 3;
const WHOLE_MAX: i32 = 48;
const WHOLE_WORDS: usize = 12; // WHOLE_MAX bytes as u32 state words
let csvState: i32 = FIELD_START;
export let csvColumn: i32 = 0;
let wholeLen: i32 = 0;
/** Column of a cell whose whole value JavaScript must check (it holds non-ASCII), or -1. */
export let wholeColumn: i32 = -1;
let wholeTextLen: i32 = 0;
/** The open cell's content in the input (cellFrom..cellTo) while it is one range there; 0 once copied to WHOLE_AT. */
let cellFrom: usize = 0;
let cellTo: usize = 0;
/** The delimiter the CSV tables were made for, or -1. */
let tablesFor: i32 = -1;

/** Writes the CSV state as f64 words from `at` (tokenizer.ts saveState). */
export function csvSave(at: usize): void {
  store<f64>(at, <f64>csvState);
  store<f64>(at + 8, <f64>csvColumn);
  store<f64>(at + 16, <f64>wholeLen);
  for (let k: usize = 0; k < WHOLE_WORDS; k++) store<f64>(at + 24 + (k << 3), <f64>load<u32>(WHOLE_AT + (k << 2)));
}

/** Takes the CSV state csvSave wrote (tokenizer.ts loadState). */
export function csvLoad(at: usize): void {
  csvState = <i32>load<f64>(at);
  csvColumn = <i32>load<f64>(at + 8);
  wholeLen = <i32>load<f64>(at + 16);
  for (let k: usize = 0; k < WHOLE_WORDS; k++) store<u32>(WHOLE_AT + (k << 2), <u32>load<f64>(at + 24 + (k << 3)));
  wholeColumn = -1;
  cellFrom = 0;
}

/** The end of the content: closes an open cell and row. */
export function csvClose(): void {
  if (csvState != FIELD_START || csvColumn > 0) {
    endCell();
    csvColumn = 0;
  }
}

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
export function materialize(): void {
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

export function csvScan(start: usize, end: usize, d: u8): usize {
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
    if (
      load<i32>(OUT_SHAPE_AT + (last << 2)) == shape &&
      load<f64>(OUT_CODE_AT + (last << 3)) == <f64>code &&
      load<f64>(OUT_LINE_AT + (last << 3)) == <f64>csvColumn
    )
      return;
  }
  check(code, len, mask);
}
