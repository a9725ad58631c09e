import { BufferContent } from '../archives/content.js';
import { limitCoverage } from '../archives/errors.js';
import { admit, type Level, memberLocation, type Walk } from '../archives/walk.js';
import type { SourceEvent } from '../item.js';

/**
 * How a table (a SQLite table, a Parquet file's rows) becomes members: its text cells as CSV with the
 * column names as header, so the plate scanner's column logic (and its split-field joins) applies as
 * to any export, and its binary cells as members of their own. A table larger than
 * maxMemberBufferBytes is cut into parts, each with the header again, so memory stays bounded.
 */

const QUOTED = /[",\r\n]/;

/** One CSV field, quoted when it must be (RFC 4180). */
export const csvField = (text: string): string => (QUOTED.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** Counts a reader's members against maxEntries and bytes against maxTotalBytes, and yields them. */
export class MemberBudget {
  private entries = 0;
  /** Set once a limit stopped the reading: the reader yields nothing more. */
  stopped = false;

  constructor(
    private readonly level: Level,
    private readonly walk: Walk,
  ) {}

  /** Yields one member held in memory, unless a limit says why it and what follows are not. */
  async *member(name: string, bytes: Buffer): AsyncGenerator<SourceEvent> {
    if (this.stopped || this.walk.stopped) return;
    const { maxEntries } = this.walk.options;
    if (++this.entries > maxEntries) {
      this.stopped = true;
      return yield limitCoverage(this.level.location, 'maxEntries', maxEntries, 'further tables, parts and cells are not inspected');
    }
    const refused = admit(this.walk, memberLocation(this.level, name), bytes.length);
    if (refused) {
      this.stopped = true;
      return yield refused;
    }
    yield* this.walk.member(this.level, { name, size: bytes.length, content: new BufferContent(bytes) });
  }
}

/** Text rows of one table, written as CSV and handed out in parts of at most `cap` bytes. */
export class CsvParts {
  private readonly header: string;
  private readonly headerBytes: number;
  // Rows are kept as strings and encoded once per part: one Buffer per row cost a third of the time.
  private rows: string[] = [];
  private bytes = 0;
  private part = 0;

  constructor(
    /** Member name of the first part (`table/captures`); later ones add `/part-2`, `/part-3`. */
    private readonly name: string,
    columns: readonly string[],
    private readonly cap: number,
  ) {
    this.header = `${columns.map(csvField).join(',')}\n`;
    this.headerBytes = Buffer.byteLength(this.header);
  }

  /** Adds a row; returns a full part (name and bytes) when this row would not fit in the current one. */
  add(cells: readonly string[]): { name: string; bytes: Buffer } | undefined {
    const row = `${cells.map(csvField).join(',')}\n`;
    const size = Buffer.byteLength(row);
    const full = this.bytes > 0 && this.headerBytes + this.bytes + size > this.cap ? this.flush() : undefined;
    this.rows.push(row);
    this.bytes += size;
    return full;
  }

  /** The rows not yet handed out as a part; the first part is handed out even when empty (a header alone). */
  flush(): { name: string; bytes: Buffer } | undefined {
    if (this.bytes === 0 && this.part > 0) return undefined;
    this.part++;
    const bytes = Buffer.from(this.header + this.rows.join(''), 'utf8');
    this.rows = [];
    this.bytes = 0;
    return { name: this.part === 1 ? this.name : `${this.name}/part-${this.part}`, bytes };
  }
}

/**
 * Time spent reading one container's bytes, against a bound: a hostile file that makes each step
 * slow (a deep corrupt b-tree, a page decoded again and again) ends as coverage, never as a hang.
 * Only the reader's own work is timed, not the detectors' work on the members it yields.
 */
export class ReadClock {
  private spent = 0;

  constructor(readonly limitMs: number) {}

  /** Runs `work`, adding its duration. */
  time<T>(work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.spent += performance.now() - start;
    }
  }

  /** Awaits `work`, adding its duration (the file's reads included). */
  async timeAsync<T>(work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.spent += performance.now() - start;
    }
  }

  get expired(): boolean {
    return this.spent > this.limitMs;
  }
}
