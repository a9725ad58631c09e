import { CODE_VALUE, type PlateMatcher } from './matcher.js';
import { MAX_PLATE_LENGTH } from './normalise.js';

/**
 * What a scan remembers: which agency plates it found (as matcher indexes, never as plates) and a
 * capped list of where. Memory is bounded by the agency set and the cap, whatever the file size.
 */

/** Most `where` entries kept per item. */
export const MAX_WHERE = 20;
/** Most exact JSON paths kept as examples. */
export const MAX_EXAMPLES = 5;

export class PlateHits {
  /** Matcher indexes of the distinct agency plates found. */
  readonly found = new Set<number>();
  private readonly where = new Set<string>();
  private readonly examples: string[] = [];
  /** True when some `where` entry was dropped for the cap. */
  truncated = false;

  /** Records one hit; `where` is only computed when the cap leaves room for it. */
  add(index: number, where: () => string, example?: () => string): void {
    this.found.add(index);
    if (this.examples.length < MAX_EXAMPLES && example) this.examples.push(example());
    if (this.truncated && this.where.size >= MAX_WHERE) return;
    const label = where();
    if (this.where.has(label)) return;
    if (this.where.size >= MAX_WHERE) this.truncated = true;
    else this.where.add(label);
  }

  /** `where` entries: in order found when `sorted` is false (line numbers), else sorted. */
  whereList(sorted: boolean): string[] {
    const list = [...this.where];
    return sorted ? list.sort() : list;
  }

  exampleList(): string[] {
    return [...this.examples];
  }
}

/**
 * A column name or JSON key as it may appear in a report: shown only when it holds no digit and no
 * agency plate was found in it, so the first row of a header-less file (which may be plates) never
 * reaches a report as "column names". Otherwise `undefined`, and callers show a position instead.
 */
export function safeName(name: string, holdsAgencyPlate: boolean): string | undefined {
  if (holdsAgencyPlate) return undefined;
  return /^[A-Za-z_ ./()#:-]{1,64}$/.test(name) && /[A-Za-z]/.test(name) ? name.trim() || undefined : undefined;
}

const WHOLE_MAX = 48;

/**
 * Checks a whole short value (a CSV cell, a JSON string) as one plate, which catches spellings the
 * tokenizer does not join (four groups, tabs inside a cell). Only the first 48 bytes are kept; longer
 * values are text, not a plate, and the tokenizer covers what is inside them.
 */
export class WholeValue {
  private readonly bytes = new Uint8Array(WHOLE_MAX);
  private length = 0;

  reset(): void {
    this.length = 0;
  }

  add(bytes: Uint8Array, start: number, end: number): void {
    const stop = Math.min(end, start + WHOLE_MAX - this.length);
    for (let i = start, j = this.length; i < stop; i++, j++) this.bytes[j] = bytes[i]!;
    this.length += end - start;
  }

  /** Text of the value when it is short enough to be checked whole (used for header names). */
  text(): string | undefined {
    return this.length <= WHOLE_MAX ? Buffer.from(this.bytes.buffer, 0, this.length).toString('utf8') : undefined;
  }

  /** Matcher index of the value as one plate, or -1. */
  match(matcher: PlateMatcher): number {
    if (this.length > WHOLE_MAX || this.length < 2) return -1;
    let code = 0;
    let length = 0;
    let mask = 0;
    for (let i = 0; i < this.length; i++) {
      const b = this.bytes[i]!;
      const value = CODE_VALUE[b]!;
      if (value > 0) {
        if (++length > MAX_PLATE_LENGTH) return -1;
        code = code * 37 + value;
        mask = (mask << 1) | (value > 10 ? 1 : 0);
      } else if (b >= 0x80) {
        return matcher.matchText(this.text() ?? '');
      } else if (!(b === 0x20 || b === 0x2d || b === 0x2e || (b >= 0x09 && b <= 0x0d))) {
        return -1;
      }
    }
    return length >= 2 ? matcher.matchCode(code, length, mask) : -1;
  }
}
