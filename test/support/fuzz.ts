/**
 * Seeded fuzzing helpers: a small PRNG (mulberry32) and mutators for text inputs (policies,
 * fingerprint files). Seeded so that a failing case can be replayed from its seed and index.
 */

/** A deterministic pseudo-random source. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
}

/** mulberry32: tiny, fast and good enough to spread mutations; not for cryptography. */
export function rng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    bytes(n) {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
  };
}

/** One named way of breaking a text input. */
export interface Mutation {
  name: string;
  apply(text: string, r: Rng): string;
}

const HUGE = ['1e309', '-1e309', '9'.repeat(400), '18446744073709551617', 'NaN', '.inf', '-.inf', '0x7fffffffffffffff'];
const WRONG = ['[]', '{}', 'null', 'true', '42', '"x"', '[[[[]]]]', '{"a":{"b":{}}}', "''", '~'];

/** Byte-level and structure-agnostic mutations, valid for any text format. */
export const TEXT_MUTATIONS: readonly Mutation[] = [
  {
    name: 'random-byte-edits',
    apply(text, r) {
      const bytes = Buffer.from(text, 'utf8');
      const edits = 1 + r.int(8);
      for (let i = 0; i < edits && bytes.length > 0; i++) bytes[r.int(bytes.length)] = r.int(256);
      return bytes.toString('latin1');
    },
  },
  { name: 'truncate', apply: (text, r) => text.slice(0, r.int(text.length)) },
  {
    name: 'delete-span',
    apply(text, r) {
      const at = r.int(text.length);
      return text.slice(0, at) + text.slice(at + 1 + r.int(40));
    },
  },
  {
    name: 'duplicate-line',
    apply(text, r) {
      const lines = text.split('\n');
      const at = r.int(lines.length);
      lines.splice(at, 0, lines[at] ?? '');
      return lines.join('\n');
    },
  },
  { name: 'control-chars', apply: (text, r) => insertAt(text, r, r.pick(['\u0000', '\u001b[2J', '\r', '\uffff', '\ud800', '\t\t'])) },
  { name: 'huge-number', apply: (text, r) => replaceToken(text, r, /\b\d+(\.\d+)?\b/g, r.pick(HUGE)) },
  { name: 'wrong-type-value', apply: (text, r) => replaceToken(text, r, /(?<=: ?)("[^"\n]*"|[^\s,{}[\]\n][^,{}[\]\n]*)/g, r.pick(WRONG)) },
  { name: 'empty', apply: () => '' },
  { name: 'bom-and-nul', apply: (text) => `\ufeff${text}\u0000` },
];

function insertAt(text: string, r: Rng, piece: string): string {
  const at = r.int(text.length + 1);
  return text.slice(0, at) + piece + text.slice(at);
}

/** Replaces one match of `pattern`, chosen at random; inserts `piece` when nothing matches. */
function replaceToken(text: string, r: Rng, pattern: RegExp, piece: string): string {
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return insertAt(text, r, piece);
  const match = r.pick(matches);
  return text.slice(0, match.index) + piece + text.slice(match.index! + match[0].length);
}

/** Nests `depth` arrays or maps around a value: JSON `[[[...]]]` or YAML flow `{a: {a: ...}}`. */
export function deepNesting(depth: number, kind: 'array' | 'map'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A YAML "billion laughs": each level aliases the previous one ten times. */
export function yamlAliasBomb(levels = 9): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}
