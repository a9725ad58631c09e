import type { PlateHits } from './hits.js';
import type { PlateMatcher } from './matcher.js';
import { PlateTokenizer } from './tokenizer.js';

/** The content formats a plate scan tells apart (from content, never from the file name). */
export type PlateFormat = 'csv' | 'jsonl' | 'json' | 'text';

/** One streaming scan of one item: chunks in, hits recorded in a {@link PlateHits}. */
export interface PlateChunkScanner {
  /** Format as reported in evidence (JSON becomes `jsonl` once a second top-level value appears). */
  readonly format: PlateFormat;
  /** Whether `where` lists names/paths (sorted) rather than line numbers (in file order). */
  readonly sortedWhere: boolean;
  write(chunk: Uint8Array): void;
  end(): void;
}

/** Free text (logs and anything else): every token anywhere; `where` is line numbers. */
export class TextPlateScanner implements PlateChunkScanner {
  readonly format = 'text';
  readonly sortedWhere = false;
  private readonly tokenizer: PlateTokenizer;

  constructor(matcher: PlateMatcher, hits: PlateHits, firstLine = 1) {
    this.tokenizer = new PlateTokenizer(matcher, (index) => hits.add(index, () => `line ${this.tokenizer.line}`));
    this.tokenizer.line = firstLine;
  }

  write(chunk: Uint8Array, start = 0): void {
    this.tokenizer.feed(chunk, start);
    this.tokenizer.release();
  }

  end(): void {
    this.tokenizer.flush();
  }
}
