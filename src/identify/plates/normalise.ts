/**
 * Licence-plate normalisation, scheme **v1** (recorded as `normalisation: "v1"` in fingerprint files).
 *
 * A plate as written (`abc-1234`, `AB 12 CD`, `ＡＢＣ１２３４`) becomes its normalised form in three steps:
 *
 * 1. **Unicode compatibility folding**: NFKC, so full-width and other compatibility forms become their
 *    plain equivalents (`ＡＢＣ１２３` → `ABC123`, no-break space → space).
 * 2. **Case folding**: `String.prototype.toUpperCase` (locale-independent), so `abc1234` → `ABC1234`.
 * 3. **Separator removal**: every whitespace character (JavaScript `\s`), every dash (Unicode category
 *    `Pd`: hyphen-minus, hyphen, en and em dash, ...), the minus sign U+2212 and the full stop `.` are
 *    deleted, so `AB-12 CD`, `ab.12.cd` and `AB12CD` all become `AB12CD`.
 *
 * The result is a **valid normalised plate** when it is 2 to 10 characters, each `A`-`Z` or `0`-`9`
 * (ASCII). Anything else (too short, too long, other letters or symbols left after folding) is not a
 * plate and is never digested. The scheme is idempotent: normalising a normalised plate returns it.
 */

/** Name of this normalisation scheme, as stored in fingerprint files. */
export const PLATE_NORMALISATION = 'v1' as const;
/** Shortest valid normalised plate. */
export const MIN_PLATE_LENGTH = 2;
/** Longest valid normalised plate. */
export const MAX_PLATE_LENGTH = 10;

const SEPARATORS = /[\s\p{Pd}\u2212.]/gu;
const VALID = /^[A-Z0-9]{2,10}$/;
const ALNUM_ONLY = /^[A-Z0-9]+$/;
const SEPARATOR_ONLY = /^[\s\p{Pd}\u2212.]+$/u;

/** Normalises a plate as written; `undefined` when the result is not a valid normalised plate. */
export function normalisePlate(raw: string): string | undefined {
  const folded = raw.normalize('NFKC').toUpperCase().replace(SEPARATORS, '');
  return VALID.test(folded) ? folded : undefined;
}

/** Whether `text` is already a valid normalised plate (v1). */
export function isNormalisedPlate(text: string): boolean {
  return VALID.test(text);
}

/**
 * How one non-ASCII character behaves under v1 (spelling.ts builds on it the one definition of a
 * plate inside text, for the scanner and the redactor alike): its folded ASCII
 * letters/digits (`ｂ` → `B`, `ß` → `SS`), `'sep'` when it is a separator, or `'break'` otherwise.
 * Folding character by character agrees with {@link normalisePlate} for every character that folds
 * to ASCII letters, digits or separators, which are the only ones a valid plate can contain.
 */
export function foldCodePoint(codePoint: number): string | 'sep' | 'break' {
  const folded = String.fromCodePoint(codePoint).normalize('NFKC').toUpperCase();
  if (ALNUM_ONLY.test(folded)) return folded;
  if (SEPARATOR_ONLY.test(folded)) return 'sep';
  return 'break';
}
