import { describe, expect, it } from 'vitest';
import { pathFilter } from '../../src/sources/path-filter.js';

describe('pathFilter (.gitignore rules for --include/--exclude)', () => {
  it('a pattern without a slash matches at any depth, one with a slash or a leading slash (or ./) is anchored', () => {
    const anyDepth = pathFilter(['*.jpg']);
    expect(['x.jpg', 'a/b/c.jpg', 'a/b/c.png', 'a/X.JPG'].filter((p) => anyDepth.admits(p))).toEqual(['x.jpg', 'a/b/c.jpg']);
    const anchored = pathFilter(['docs/*.jpg', '/top.txt', './also.txt']);
    expect(['docs/a.jpg', 'x/docs/a.jpg', 'top.txt', 'x/top.txt', 'also.txt', 'x/also.txt'].filter((p) => anchored.admits(p))).toEqual([
      'docs/a.jpg',
      'top.txt',
      'also.txt',
    ]);
  });

  it('a trailing slash matches directories only; an excluded directory is not entered; ! re-includes', () => {
    const filter = pathFilter(undefined, ['cache/', 'build', '*.log', '!keep.log']);
    expect(['cache', 'x/cache', 'build', 'src'].filter((d) => filter.enters(d))).toEqual(['src']);
    expect(['cache', 'a.log', 'keep.log', 'x/keep.log', 'a.txt'].filter((f) => filter.admits(f))).toEqual(['cache', 'keep.log', 'x/keep.log', 'a.txt']);
    // A directory named by an include stands for everything under it.
    expect(pathFilter(['photos/']).admits('photos/2024/a.bin')).toBe(true);
  });

  it('names with newlines, backslashes or only dots are matched like any other', () => {
    const filter = pathFilter(['*.jpg'], ['.../']);
    expect(filter.admits('dir\nwith newline/inside.jpg')).toBe(true);
    expect(filter.admits('line\nbreak.jpg')).toBe(true);
    expect(filter.admits('a\\b.jpg')).toBe(true);
    expect(filter.enters('...')).toBe(false);
    expect(filter.admits('x/.../y.jpg')).toBe(false);
  });

  it('reports each positive pattern that matched no path in any walk sharing the filter, and only those', () => {
    const filter = pathFilter(['*.jpg', '*.png', 'first-root-only.bin'], ['nowhere/', '!negations-are-not-reported', 'tmp/']);
    // Two roots' paths through the same filter: a pattern matched in either is not reported.
    for (const p of ['a.jpg', 'first-root-only.bin']) filter.admits(p);
    for (const d of ['tmp', 'src']) filter.enters(d);
    expect(filter.unmatched()).toEqual([
      { level: 'warning', message: "--include '*.png' matched no path" },
      { level: 'warning', message: "--exclude 'nowhere/' matched no path" },
    ]);
    expect(pathFilter().unmatched()).toEqual([]);
  });

  it('an include shadowed by a later one still counts as matched when it matches on its own', () => {
    const filter = pathFilter(['*.jpg', 'a/*']);
    filter.admits('a/x.jpg');
    expect(filter.unmatched()).toEqual([]);
  });
});
