import { MAX_PLATE_LENGTH } from '../plates/normalise.js';
import type { ReadChar, ReadLine } from './recognise.js';

/**
 * From lines of text as read to the plate spellings worth a digest lookup, bounded.
 *
 * **Candidates.** A line's plate characters fall into groups split by anything else (spaces, dots,
 * dashes, a state emblem read as a symbol); a candidate is one group or two to three consecutive
 * groups joined, of {@link MIN_READ_LENGTH} to 10 characters (the v1 plate length: longer groups are
 * time stamps and phone numbers, and are skipped). Stacked plates (two rows of characters, as on
 * motorcycles and many Brazilian plates) give two lines whose boxes touch: the top line followed by
 * the bottom one is a candidate too.
 *
 * **Spellings.** OCR confuses a fixed set of shapes on plates: O/0, I/1, B/8, S/5, Z/2, D/0 (and G/6,
 * Q/0 on worn plates; M/N and 1/L on small US plates); the recogniser also names its own runner-up at each character. Each candidate
 * is tried as read, then with one and with two characters replaced by such an alternative, likeliest
 * first, at most {@link MAX_SPELLINGS_PER_CANDIDATE} spellings in all. Every spelling tried is counted
 * in the evidence: each one is one more chance of a false match, and the bench measures precision
 * with all of them.
 */

/** Shortest read taken as a plate: shorter strings (a "CA", a model badge "X5") are too common. */
export const MIN_READ_LENGTH = 4;
/** Most spellings tried for one candidate (as read, one and two replacements). */
export const MAX_SPELLINGS_PER_CANDIDATE = 48;
/** Most candidates taken from one image. */
export const MAX_CANDIDATES = 64;
/** A runner-up the recogniser gives at least this probability is an alternative spelling. */
const RUNNER_UP_PROBABILITY = 0.02;

const CONFUSIONS: Readonly<Record<string, string>> = {
  O: '0DQ',
  '0': 'ODQ',
  I: '1',
  '1': 'IL',
  L: '1',
  B: '8',
  '8': 'B',
  S: '5',
  '5': 'S',
  Z: '2',
  '2': 'Z',
  D: '0O',
  G: '6',
  '6': 'G',
  Q: '0O',
  M: 'N',
  N: 'M',
};

const PLATE_CHAR = /^[0-9A-Z]$/;

/** A run of read characters that may be a plate. */
export type Candidate = readonly ReadChar[];

/** Upper-case plate characters of a line, in groups split at anything else. */
function groups(line: ReadLine): ReadChar[][] {
  const out: ReadChar[][] = [[]];
  for (const read of line.chars) {
    const char = read.char.normalize('NFKC').toUpperCase();
    if (PLATE_CHAR.test(char))
      out.at(-1)!.push({ ...read, char, ...(read.alternative && { alternative: { ...read.alternative, char: read.alternative.char.toUpperCase() } }) });
    else if (out.at(-1)!.length > 0) out.push([]);
  }
  return out.filter((g) => g.length > 0);
}

/** Candidates in one line: groups and runs of up to three consecutive groups, 4-10 characters. */
export function lineCandidates(line: ReadLine): Candidate[] {
  const parts = groups(line);
  const found: Candidate[] = [];
  for (let i = 0; i < parts.length; i++) {
    let run: ReadChar[] = [];
    for (let j = i; j < Math.min(parts.length, i + 3); j++) {
      run = [...run, ...parts[j]!];
      if (run.length > MAX_PLATE_LENGTH) break;
      if (run.length >= MIN_READ_LENGTH) found.push(run);
    }
  }
  return found;
}

/** The whole line's plate characters, for joining a stacked plate's two rows. */
export function lineCharacters(line: ReadLine): ReadChar[] {
  return groups(line).flat();
}

/**
 * The spellings of one candidate to look up, as read first: one replacement, then two, each kind
 * ranked by how likely the replacement is (the runner-up's probability, or for a table confusion
 * how unsure the recogniser was of its first choice).
 */
export function spellingsOf(candidate: Candidate): string[] {
  const read = candidate.map((c) => c.char);
  const options: { at: number; char: string; weight: number }[] = [];
  candidate.forEach((c, at) => {
    const seen = new Set([c.char]);
    const add = (char: string, weight: number): void => {
      if (seen.has(char)) return;
      seen.add(char);
      options.push({ at, char, weight });
    };
    if (c.alternative && c.alternative.probability >= RUNNER_UP_PROBABILITY) add(c.alternative.char, c.alternative.probability);
    for (const char of CONFUSIONS[c.char] ?? '') add(char, (1 - c.probability) / 2 + 0.01);
  });
  options.sort((a, b) => b.weight - a.weight || a.at - b.at || (a.char < b.char ? -1 : 1));
  const spellings = [read.join('')];
  const seen = new Set(spellings);
  const push = (chars: string[]): void => {
    const text = chars.join('');
    if (!seen.has(text) && spellings.length < MAX_SPELLINGS_PER_CANDIDATE) {
      seen.add(text);
      spellings.push(text);
    }
  };
  for (const o of options) push(read.map((ch, i) => (i === o.at ? o.char : ch)));
  const pairs: { a: (typeof options)[number]; b: (typeof options)[number]; weight: number }[] = [];
  for (let i = 0; i < options.length; i++) {
    for (let j = i + 1; j < options.length; j++) {
      if (options[i]!.at !== options[j]!.at) pairs.push({ a: options[i]!, b: options[j]!, weight: options[i]!.weight * options[j]!.weight });
    }
  }
  pairs.sort((x, y) => y.weight - x.weight);
  for (const { a, b } of pairs) {
    if (spellings.length >= MAX_SPELLINGS_PER_CANDIDATE) break;
    push(read.map((ch, i) => (i === a.at ? a.char : i === b.at ? b.char : ch)));
  }
  return spellings;
}
