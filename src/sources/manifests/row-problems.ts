import type { SourceEvent } from '../item.js';
import { coverage, rowCoverage } from './events.js';

/** Malformed rows listed one by one per manifest; the rest are counted in one entry. */
export const MAX_ROW_PROBLEMS = 100;

/**
 * Problems with a manifest's rows, kept bounded: the first {@link MAX_ROW_PROBLEMS} become their own
 * coverage entries (file:line and why), later ones are only counted, and `summary()` reports the
 * count once at the end. A hostile list of 2 million malformed rows otherwise became 2 million
 * entries held until the report was written (2.54 GiB).
 */
export class RowProblems {
  private seen = 0;

  constructor(
    private readonly file: string,
    private readonly max = MAX_ROW_PROBLEMS,
  ) {}

  /** The coverage event for a malformed row, or undefined once the first `max` were listed. */
  add(line: number, detail: string): SourceEvent | undefined {
    this.seen += 1;
    return this.seen <= this.max ? rowCoverage(this.file, line, detail) : undefined;
  }

  /** One entry counting the rows not listed, when there were any. */
  summary(): SourceEvent | undefined {
    const more = this.seen - this.max;
    if (more <= 0) return undefined;
    return coverage({
      location: this.file,
      reason: 'manifest-row',
      detail: `${more} more malformed row(s) not listed (${this.seen} in all; the first ${this.max} are listed by line)`,
      incomplete: true,
    });
  }
}
