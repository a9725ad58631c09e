import { type PlateHits, safeName, WholeValue } from './hits.js';
import type { PlateMatcher } from './matcher.js';
import type { PlateChunkScanner } from './scan-text.js';
import { matchJoined, partPairs } from './split-fields.js';
import { PlateTokenizer } from './tokenizer.js';

/**
 * CSV/TSV with a header row, any column. A byte-level state machine rather than csv-parse: it never
 * builds a string per cell, and a cell of any size (a multi-GB quoted field) streams through in
 * constant memory. RFC 4180 quoting; a stray quote inside an unquoted cell is kept as text.
 * The header row is scanned like data (a header-less file's first row may be plates) and a column is
 * named in `where` only when {@link safeName} allows it, else by position (`#3`). Columns the header
 * names as the two parts of a plate (series + serial, state + number: see split-fields.ts) are also
 * joined per row; such a find is placed as `series+serial`.
 *
 * This class reads the header row (and every row of a file with plate-part columns, whose cells it
 * must keep); the rows after any other header are split, tokenised and checked whole by the same
 * state machine in WebAssembly (PlateTokenizer.feedCsv, wasm/csv.ts), which was 2-3x faster than a
 * cell-by-cell loop here (issue 20). test/identify/plates/scan-csv.test.ts holds the two to the same findings.
 */

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** Header names kept; columns beyond are reported by position. */
const MAX_HEADER_COLUMNS = 1024;

enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export class CsvPlateScanner implements PlateChunkScanner {
  readonly format = 'csv';
  readonly sortedWhere = true;
  private state = State.FieldStart;
  private column = 0;
  private row = 0;
  private cellMatched = false;
  /** After a header that names no plate parts, rows are split in the module (PlateTokenizer.feedCsv). */
  private fast = false;
  private readonly headerText: (string | undefined)[] = [];
  private readonly headerMatched: boolean[] = [];
  private labels: (string | undefined)[] = [];
  /** Header-named plate parts (leading, trailing column), and their cells in the current row. */
  private pairs: [number, number][] = [];
  private readonly parts = new Map<number, string | undefined>();
  private readonly whole = new WholeValue();
  private readonly tokenizer: PlateTokenizer;
  private readonly quoteByte = Uint8Array.of(QUOTE);

  constructor(
    private readonly matcher: PlateMatcher,
    private readonly hits: PlateHits,
    private readonly delimiter: number,
  ) {
    this.tokenizer = new PlateTokenizer(matcher, (index, at) => this.hit(index, this.fast ? at : this.column));
  }

  write(chunk: Uint8Array): void {
    this.scan(chunk);
    this.tokenizer.release();
  }

  private scan(chunk: Uint8Array): void {
    const d = this.delimiter;
    const n = chunk.length;
    let i = 0;
    while (i < n && !this.fast) {
      if (this.state === State.FieldStart) {
        if (chunk[i] === QUOTE) {
          this.state = State.Quoted;
          i++;
          continue;
        }
        this.state = State.Unquoted;
      }
      if (this.state === State.Unquoted) {
        let j = i;
        while (j < n && chunk[j] !== d && chunk[j] !== LF) j++;
        this.content(chunk, i, j);
        if (j < n) {
          this.endField();
          if (chunk[j] === LF) this.endRecord();
        }
        i = j + 1;
      } else if (this.state === State.Quoted) {
        const j = chunk.indexOf(QUOTE, i);
        const stop = j < 0 ? n : j;
        this.content(chunk, i, stop);
        if (j >= 0) this.state = State.QuoteInQuoted;
        i = stop + 1;
      } else {
        const b = chunk[i]!;
        i++;
        if (b === QUOTE) {
          this.content(this.quoteByte, 0, 1);
          this.state = State.Quoted;
        } else if (b === d) {
          this.endField();
        } else if (b === LF) {
          this.endField();
          this.endRecord();
        } else if (b !== CR) {
          this.state = State.Unquoted;
          this.content(chunk, i - 1, i);
        }
      }
    }
    if (this.fast && i < n) this.tokenizer.feedCsv(chunk, i, n, d);
  }

  end(): void {
    if (this.fast) return this.tokenizer.endCsv();
    if (this.state !== State.FieldStart || this.column > 0) {
      this.endField();
      this.endRecord();
    }
  }

  private content(bytes: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    this.tokenizer.feed(bytes, start, end);
    this.whole.add(bytes, start, end);
  }

  private hit(index: number, column: number): void {
    this.cellMatched = true;
    this.hits.add(index, () => (this.row === 0 ? undefined : this.labels[column]) ?? `#${column + 1}`);
  }

  private endField(): void {
    this.tokenizer.flush();
    const index = this.whole.match(this.matcher);
    if (index >= 0) this.hit(index, this.column);
    if (this.parts.has(this.column)) this.parts.set(this.column, this.whole.text());
    if (this.row === 0 && this.column < MAX_HEADER_COLUMNS) {
      this.headerText.push(this.whole.text());
      this.headerMatched.push(this.cellMatched);
    }
    this.whole.reset();
    this.cellMatched = false;
    this.column++;
    this.state = State.FieldStart;
  }

  private endRecord(): void {
    if (this.row === 0) {
      this.labels = this.headerText.map((text, i) => (text === undefined ? undefined : safeName(text.trim(), this.headerMatched[i] ?? true)));
      // A header that held an agency plate is data, not names.
      this.pairs = this.headerMatched.some(Boolean) ? [] : partPairs(this.headerText);
      for (const [leading, trailing] of this.pairs) this.parts.set(leading, undefined).set(trailing, undefined);
      // Plate parts need each row's cell text, which only this class keeps.
      this.fast = this.pairs.length === 0;
    } else {
      for (const [leading, trailing] of this.pairs) {
        const index = matchJoined(this.matcher, this.parts.get(leading), this.parts.get(trailing));
        if (index >= 0) this.hits.add(index, () => `${this.labels[leading] ?? `#${leading + 1}`}+${this.labels[trailing] ?? `#${trailing + 1}`}`);
      }
      for (const column of this.parts.keys()) this.parts.set(column, undefined);
    }
    this.row++;
    this.column = 0;
  }
}
