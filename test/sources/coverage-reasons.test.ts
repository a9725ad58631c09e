import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CachedEntry, decodeEntry, encodeEntry } from '../../src/cache/entry.js';
import { COVERAGE_REASONS, isCoverageReason, isDeterministic } from '../../src/sources/coverage-reasons.js';
import type { CoverageEntry } from '../../src/sources/item.js';
import { readSources, reasonLiterals } from './support/reason-literals.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the coverage-reason registry', () => {
  const found = reasonLiterals(readSources(ROOT, 'src'));

  it('knows every reason the sources emit', () => {
    const unknown = found.filter((f) => !isCoverageReason(f.reason)).map((f) => `${f.reason} (${f.at})`);
    expect(unknown).toEqual([]);
  });

  it('lists no reason the sources never emit', () => {
    const emitted = new Set(found.map((f) => f.reason));
    expect(Object.keys(COVERAGE_REASONS).filter((reason) => !emitted.has(reason))).toEqual([]);
  });

  it('says for each reason whether it makes the audit incomplete as its emitters do', () => {
    const mismatched = found
      .filter((f) => f.incomplete !== undefined && isCoverageReason(f.reason) && COVERAGE_REASONS[f.reason].incomplete !== f.incomplete)
      .map((f) => `${f.reason} (${f.at}): incomplete ${f.incomplete}`);
    expect(mismatched).toEqual([]);
  });

  it('is documented: the README table lists every reason, with the same incomplete', () => {
    const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
    const table = readme.slice(readme.indexOf('**Coverage reasons.**'), readme.indexOf('## Archives'));
    const documented = new Map<string, boolean>();
    for (const row of table.matchAll(/^\| (`[^|]+) \| (yes|no) \|/gm)) {
      for (const name of row[1]!.matchAll(/`([a-z0-9-]+)`/g)) documented.set(name[1]!, row[2] === 'yes');
    }
    const wrong = Object.entries(COVERAGE_REASONS)
      .filter(([reason, info]) => documented.get(reason) !== info.incomplete)
      .map(([reason]) => `${reason}: README ${documented.get(reason) ?? 'missing'}`);
    expect(wrong).toEqual([]);
  });

  it('finds reasons however they are written, and only machine-readable ones', () => {
    const sample = new Map([
      [
        'a.ts',
        [
          "const e = { location: 'x', reason: big ? 'too-big' : 'unknown-thing', incomplete: true };",
          "function note(location: string, reason: string, flag: boolean) {} note('x', 'noted-here', false);",
          "const TIMEOUT_REASON = { slow: 'too-slow' };",
          "const verdict = { status: 'x', reason: 'no protocol enforces this clause' };",
          "const decoded = { ok: false, reason: 'not-coverage' };",
        ].join('\n'),
      ],
    ]);
    expect(reasonLiterals(sample).map((f) => [f.reason, f.incomplete])).toEqual([
      ['too-big', true],
      ['unknown-thing', true],
      ['noted-here', false],
      ['too-slow', undefined],
    ]);
  });
});

describe('the re-audit cache and the registry', () => {
  const at = (reason: string, detail = 'detail'): CoverageEntry => ({ location: 'a.jpg', reason, detail, incomplete: true });
  const entry = (coverage: CoverageEntry[]): CachedEntry => ({ media: 'image/jpeg', identifications: [], facts: {}, coverage, bytesRead: 10 });

  it('stores an entry with a deterministic reason and gives it back', () => {
    const stored = encodeEntry(entry([at('corrupt-image')]));
    expect(stored).toBeDefined();
    expect(decodeEntry(stored!, 10)?.coverage).toEqual([at('corrupt-image')]);
  });

  it('never stores an entry with a transient or unknown reason', () => {
    for (const reason of ['decode-timeout', 'unreadable', 'changed-during-scan', 'reason-from-a-later-build']) {
      expect(encodeEntry(entry([at(reason)])), reason).toBeUndefined();
    }
    // A deterministic reason whose detail is an I/O error is transient all the same.
    expect(encodeEntry(entry([at('corrupt-archive', 'EIO: i/o error, read')]))).toBeUndefined();
    expect(encodeEntry(entry([at('corrupt-archive', 'invalid central directory')]))).toBeDefined();
  });

  it('caches exactly the reasons the registry calls deterministic', () => {
    for (const [reason, info] of Object.entries(COVERAGE_REASONS)) {
      expect(isDeterministic(at(reason)), reason).toBe(info.deterministic);
      expect(encodeEntry(entry([at(reason)])) !== undefined, reason).toBe(info.deterministic);
    }
  });
});
