// The plate tokenizer module's memory layout and byte classes (tokenizer.ts, csv.ts). Memory is laid
// out from CLASS_AT (the caller checks heapBase() is below it): the byte tables the caller fills from
// spelling.ts (the single definition of a plate character), the saved state, the gate, the candidate
// buffers, the cache, a scratch area for short inputs, then the input, which grows with the memory.

export const OUT_CAPACITY: usize = 4096;
export const CLASS_AT: usize = 4096; // 256 bytes: BREAK 0, SEP 1, ALNUM 2, NEWLINE 3, HIGH 4
export const VALUE_AT: usize = CLASS_AT + 256; // base-37 value of each ASCII letter/digit
export const LETTER_AT: usize = VALUE_AT + 256; // 1 for letters
export const STATE_AT: usize = LETTER_AT + 256; // STATE_WORDS f64: one tokenizer's state, saved or to load
export const WHOLE_AT: usize = STATE_AT + 256; // WHOLE_MAX bytes: the first bytes of the current CSV cell
export const UNQUOTED_AT: usize = WHOLE_AT + 64; // 256 bytes: CLASS_AT, with the delimiter and LF as STOP
export const QUOTED_AT: usize = UNQUOTED_AT + 256; // 256 bytes: CLASS_AT, with the quote as STOP
export const GATE_AT: usize = 8192; // 11 << 10 bytes, by (length << 10) | letter mask
export const OUT_SHAPE_AT: usize = 20480; // i32 per candidate
export const OUT_CODE_AT: usize = OUT_SHAPE_AT + OUT_CAPACITY * 4; // f64 per candidate
export const OUT_LINE_AT: usize = OUT_CODE_AT + OUT_CAPACITY * 8; // f64 per candidate
export const OUT_SLOT_AT: usize = OUT_LINE_AT + OUT_CAPACITY * 8; // i32 per candidate: its slot in the cache
// Codes the caller looked up and found no agency plate (f64 each, 0 empty), by slot: a log repeats
// the same few thousand plates, and each is then dropped here instead of crossing into JavaScript.
export const CACHE_BITS: i64 = 15;
export const CACHE_AT: usize = OUT_SLOT_AT + OUT_CAPACITY * 4;
// Short inputs, up to the input (the caller sizes this area as inputAt() - scratchAt()).
export const SCRATCH_AT: usize = CACHE_AT + (8 << (<usize>CACHE_BITS));
export const SCRATCH_BYTES: usize = 4096;
export const INPUT_AT: usize = SCRATCH_AT + SCRATCH_BYTES;

export const SEP: u8 = 1;
export const ALNUM: u8 = 2;
export const NEWLINE: u8 = 3;
export const HIGH: u8 = 4;
export const STOP: u8 = 5; // only in the CSV tables
export const BREAK: u8 = 0;
export const MAX_LEN: i32 = 10;
export const MAX_SEPARATOR_RUN: i32 = 3;

// Where the caller finds each area (tokenizer.ts exports these).
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
  return 1 << (<i32>CACHE_BITS);
}
export function scratchAt(): usize {
  return SCRATCH_AT;
}
export function inputAt(): usize {
  return INPUT_AT;
}
