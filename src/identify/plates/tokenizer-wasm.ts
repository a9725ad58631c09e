import { readFileSync } from 'node:fs';
import { builtFile } from '../../util/built-file.js';
import { CODE_VALUE } from './matcher.js';
import { plateChar } from './spelling.js';

/** What wasm/tokenizer.ts exports: byte offsets into its memory, and its state machine's steps. */
export interface TokenizerExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  classAt(): number;
  stateAt(): number;
  saveState(): void;
  loadState(): void;
  gateAt(): number;
  shapesAt(): number;
  codesAt(): number;
  linesAt(): number;
  slotsAt(): number;
  cacheAt(): number;
  cacheSlots(): number;
  scratchAt(): number;
  inputAt(): number;
  candidates(): number;
  clearCandidates(): void;
  getLine(): number;
  setLine(line: number): void;
  takePending(): number;
  feed(start: number, end: number): number;
  stoppedAt(): number;
  alnum(value: number, letter: number): void;
  foldSep(): void;
  breakToken(): void;
  abortUtf8(): void;
  flush(): number;
  csvFeed(start: number, end: number, delimiter: number): number;
  csvEnd(): number;
  takeWholeColumn(): number;
  wholeAt(): number;
  wholeLength(): number;
}

// WebAssembly is global in Node; TypeScript declares it only with the DOM library.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Byte classes, as wasm/tokenizer.ts reads them. */
const BREAK = 0;
const SEP = 1;
const ALNUM = 2;
const NEWLINE = 3;
const HIGH = 4;

/** The three byte tables the module reads, made from spelling.ts's one definition of a plate character. */
function byteTables(): Uint8Array {
  const tables = new Uint8Array(768);
  for (let b = 0; b < 256; b++) {
    const kind = b < 0x80 ? plateChar(b) : undefined;
    tables[b] = b === 0x0a ? NEWLINE : kind === undefined ? HIGH : kind === 'sep' ? SEP : kind === 'break' ? BREAK : ALNUM;
    tables[256 + b] = CODE_VALUE[b]!;
    tables[512 + b] = CODE_VALUE[b]! > 10 ? 1 : 0;
  }
  return tables;
}

const PAGE = 65_536;
/** Numbers in one tokenizer's saved state (wasm/tokenizer.ts saveState). */
export const STATE_WORDS = 32;
/** The saved state's word holding the line. */
export const LINE_WORD = 16;
const BINARY = builtFile('plate-tokenizer.wasm', import.meta.url);

/**
 * This thread's tokenizer module: one instance serves every tokenizer (an instance each cost ~7 ms
 * of memory reservation and collection when thousands of small files were scanned). `owner` is the
 * tokenizer whose state is in the module's globals; `gate` and `resident` say what its memory holds.
 */
export interface SharedTokenizer {
  x: TokenizerExports;
  owner: object | undefined;
  gate: Uint8Array | undefined;
  resident: Uint8Array | undefined;
}

let shared: SharedTokenizer | undefined;

/** The module, compiled and instantiated on first use, with its byte tables in place. */
export function sharedTokenizer(): SharedTokenizer {
  if (shared) return shared;
  const x = new Instance(new Module(readFileSync(BINARY)), {}).exports as TokenizerExports;
  if (x.heapBase() > x.classAt()) throw new Error('plate-tokenizer.wasm: static data overlaps the tables');
  const missing = x.inputAt() + PAGE - x.memory.buffer.byteLength;
  if (missing > 0) x.memory.grow(Math.ceil(missing / PAGE));
  new Uint8Array(x.memory.buffer).set(byteTables(), x.classAt());
  shared = { x, owner: undefined, gate: undefined, resident: undefined };
  return shared;
}
