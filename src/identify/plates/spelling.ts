import { foldCodePoint, MAX_PLATE_LENGTH, MIN_PLATE_LENGTH } from './normalise.js';

/**
 * What counts as a plate spelled inside text: the one definition shared by the record scanner
 * (tokenizer.ts, over the bytes of logs, CSV cells and JSON strings) and the redactor
 * (postprocess/redact.ts, over every string of a report and the fingerprint file's ids), so custody
 * never counts a plate in a file that it would then print in clear in a name.
 *
 * **Characters**, one code point at a time, folded as plate normalisation v1 folds them:
 * - *plate characters*: ASCII letters and digits (upper-cased), and any other character whose NFKC
 *   upper-case form is only ASCII letters and digits (`Ｑ` → `Q`, `ß` → `SS`, `ﬁ` → `FI`, `①` → `1`);
 * - *separators*: ASCII space, `-` and `.`, and any other character that folds to whitespace, dashes
 *   (`Pd`), U+2212 and full stops only (no-break space, U+3000, en and em dash, minus sign, `．`);
 * - *breaks*: everything else: other ASCII punctuation (`_`, `/`, `=`, ...), ASCII controls including
 *   tab and newline (they end fields and records, not the parts of a plate), letters that do not fold
 *   to ASCII (`é`, Cyrillic `А`), lone surrogates.
 *
 * **Spellings**: a *group* is a maximal run of plate characters. A spelling is one group, or two or
 * three consecutive groups each joined to the next by 1-3 separators (`QRT–4821`, `QRT  4821`,
 * `QRT - 4821`, `QRT..4821`), whose folded characters number 2-10; it reads as their concatenation, a
 * normalised plate. A group longer than 10 characters is part of no plate and joins nothing.
 *
 * A letter outside ASCII touching a plate therefore reads as the scanner reads it: `QRT4821é` is the
 * plate `QRT4821` followed by a break (it counts, and is masked: `[plate]é`), while `QRT4821ß` is the
 * one group `QRT4821SS`, another token, exactly as ASCII `QRT4821X` is.
 */

/** How one character reads in a plate spelling: its folded plate characters, a separator, or a break. */
export type PlateChar = string | 'sep' | 'break';

/** Most separators joining two groups of one spelling. */
export const MAX_SEPARATOR_RUN = 3;
/** Most groups in one spelling. */
export const MAX_SPELLING_GROUPS = 3;

const ASCII: PlateChar[] = Array.from({ length: 0x80 }, (_, b) => {
  const ch = String.fromCharCode(b);
  if (/[0-9A-Za-z]/.test(ch)) return ch.toUpperCase();
  return ch === ' ' || ch === '-' || ch === '.' ? 'sep' : 'break';
});

/** How the character `codePoint` reads in a plate spelling. */
export function plateChar(codePoint: number): PlateChar {
  if (codePoint < 0x80) return ASCII[codePoint]!;
  if ((codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint > 0x10ffff) return 'break';
  return foldCodePoint(codePoint);
}

/** A plate spelling found in a string: UTF-16 offsets `[start, end)` and the normalised plate. */
export interface PlateSpelling {
  start: number;
  end: number;
  plate: string;
}

interface Group {
  start: number;
  end: number;
  folded: string;
  /** Joined to the previous group by 1-3 separators and nothing else. */
  linked: boolean;
}

/**
 * Every plate spelling in `text` that `accept` (given the normalised plate) takes, in order of
 * their ends, overlapping ones included: the same candidates the tokenizer looks up in a byte stream.
 */
export function findPlateSpellings(text: string, accept: (plate: string) => boolean): PlateSpelling[] {
  const found: PlateSpelling[] = [];
  const groups: Group[] = [];
  let current: Group | undefined;
  // Whether the next group may join the last one: no break since, and the last one was not too long.
  let joinable = false;
  let separators = 0;
  const endGroup = (): void => {
    const group = current!;
    current = undefined;
    separators = 0;
    if (group.folded.length > MAX_PLATE_LENGTH) {
      joinable = false;
      groups.length = 0;
      return;
    }
    groups.push(group);
    if (groups.length > MAX_SPELLING_GROUPS) groups.shift();
    joinable = true;
    // Spellings ending with this group: itself, then with one and two linked groups before it.
    let plate = '';
    for (let i = groups.length - 1; i >= 0; i--) {
      const first = groups[i]!;
      plate = first.folded + plate;
      if (plate.length > MAX_PLATE_LENGTH) break;
      if (plate.length >= MIN_PLATE_LENGTH && accept(plate)) found.push({ start: first.start, end: group.end, plate });
      if (!first.linked) break;
    }
  };
  for (let at = 0; at < text.length; ) {
    const codePoint = text.codePointAt(at)!;
    const width = codePoint > 0xffff ? 2 : 1;
    const kind = plateChar(codePoint);
    if (kind === 'sep') {
      if (current) endGroup();
      separators++;
    } else if (kind === 'break') {
      if (current) endGroup();
      joinable = false;
      groups.length = 0;
      separators = 0;
    } else if (current) {
      current.folded += kind;
      current.end = at + width;
    } else {
      const linked = joinable && separators <= MAX_SEPARATOR_RUN;
      if (!linked) groups.length = 0;
      current = { start: at, end: at + width, folded: kind, linked };
    }
    at += width;
  }
  if (current) endGroup();
  return found;
}
