import ignore, { type Ignore } from 'ignore';
import type { Notice } from './item.js';

/**
 * `--include` and `--exclude` with .gitignore's rules, which users already know: a pattern without
 * a slash matches a name at any depth (`*.jpg` matches `a/b/c.jpg`), one with a slash in the middle
 * or a leading slash is anchored to the root (`docs/*.jpg`, `/top.txt`), a trailing slash matches
 * only directories (`cache/`), `**` spans directories, `!` re-includes. A directory matched by a
 * pattern stands for everything under it. Matching is case-sensitive, as git's is on Linux.
 *
 * The `ignore` package implements exactly these rules (it is what ESLint and many others use, and
 * tests itself against `git check-ignore`); written by hand they are easy to get subtly wrong.
 * Its `*` also matches names containing newlines, which glob libraries built on `.` do not: a file
 * named `a\nb.jpg` must not slip past `--exclude` or `--include` unnoticed.
 */
export interface PathFilter {
  /** Whether the file at `relative` (a '/'-separated path under a root) is audited. */
  admits(relative: string): boolean;
  /** Whether the directory at `relative` is entered (excluded directories are not). */
  enters(relative: string): boolean;
  /** One warning per positive pattern that matched no path in any walk made with this filter. */
  unmatched(): Notice[];
}

interface Rules {
  flag: '--include' | '--exclude';
  all: Ignore;
  /** Positive patterns not yet seen to match, each with a matcher of its own. */
  waiting: Map<string, Ignore>;
}

const matcher = (patterns: readonly string[]): Ignore =>
  // allowRelativePaths: names such as `...` are legitimate file names, not attempts to leave the root.
  ignore({ ignorecase: false, allowRelativePaths: true }).add(patterns.map(fromUser));

/** `./x` as users type it means the root's `x`, which .gitignore spells `/x`. */
const fromUser = (pattern: string): string => pattern.replace(/^\.\//, '/');

function rules(flag: Rules['flag'], patterns: readonly string[] | undefined): Rules | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  const positive = patterns.filter((p) => p.trim() !== '' && !p.startsWith('!') && !p.startsWith('#'));
  return { flag, all: matcher(patterns), waiting: new Map(positive.map((p) => [p, matcher([p])])) };
}

/** Tests `candidate` and marks every still-waiting pattern that matches it on its own. */
function matches(r: Rules, candidate: string): boolean {
  const hit = r.all.ignores(candidate);
  if (hit && r.waiting.size > 0) {
    for (const [pattern, own] of r.waiting) if (own.ignores(candidate)) r.waiting.delete(pattern);
  }
  return hit;
}

/** The filter for a walk (or for several walks that share it, so a pattern is unmatched only if no root matched it). */
export function pathFilter(include?: readonly string[], exclude?: readonly string[]): PathFilter {
  const included = rules('--include', include);
  const excluded = rules('--exclude', exclude);
  return {
    admits(relative) {
      if (excluded && matches(excluded, relative)) return false;
      return !included || matches(included, relative);
    },
    enters(relative) {
      return !excluded || !matches(excluded, `${relative}/`);
    },
    unmatched() {
      return [included, excluded].flatMap((r) =>
        r ? [...r.waiting.keys()].map((pattern): Notice => ({ level: 'warning', message: `${r.flag} '${pattern}' matched no path` })) : [],
      );
    },
  };
}

const PATTERN_WARNING = /^--(include|exclude) '.*' matched no path$/s;

/** Whether a notice is the warning of a pattern that matched no path. */
export const isPatternWarning = (notice: Notice): boolean => notice.level === 'warning' && PATTERN_WARNING.test(notice.message);

/** The lines the CLI writes to stderr for patterns that matched nothing (they are in the report's notices too). */
export function patternWarnings(notices: readonly Notice[]): string[] {
  return notices.filter(isPatternWarning).map((n) => `custody: warning: ${n.message}\n`);
}
