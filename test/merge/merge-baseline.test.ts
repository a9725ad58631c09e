import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { cliIn, referenceA, writeSmallCase } from '../support/small-case.js';
import { bytesOf, tempDir } from '../support/tmp.js';

/**
 * `custody merge --baseline`: the merged report goes through the same finalize pipeline as an
 * audit's, so a finding the baseline knows is `unchanged` and fails no build, a new one does.
 */
describe('custody merge --baseline', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const cli = (...args: string[]) => cliIn(dir)(...args);
  /** Audits the share in two shards and returns their report files. */
  const shards = async (label: string): Promise<string[]> => {
    const files = [`${label}-1.json`, `${label}-2.json`];
    for (const [i, file] of files.entries()) {
      const audit = [
        'audit',
        'share',
        '--fingerprints',
        'agency.fp.json',
        '--authorized',
        'enclave/**',
        '--no-cache',
        '--now',
        '2026-05-28T09:00:00Z',
        '--shard',
        `${i + 1}/2`,
      ];
      const result = await cli(...audit, '--format', 'json', '--output', file);
      expect([0, 1], result.err).toContain(result.exitCode);
    }
    return files;
  };
  const read = async (file: string) => JSON.parse(await readFile(path.join(dir, file), 'utf8')) as Report;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-merge-baseline-'));
    await writeSmallCase(dir, { 'share/laptop/other-a.bin': { data: referenceA(), mode: 0o600 } });
  });
  afterAll(async () => cleanup());

  it('marks known findings unchanged (exit 0) and fails on a new one (exit 1)', async () => {
    const first = await shards('first');
    expect((await cli('merge', ...first, '--output', 'baseline.json')).exitCode).toBe(1);
    const baseline = await read('baseline.json');
    expect(baseline.findings.length).toBeGreaterThan(0);
    expect(baseline.findings.every((f) => f.baseline === undefined)).toBe(true);

    const same = await cli('merge', ...first, '--baseline', 'baseline.json', '--output', 'same.json');
    expect(same.exitCode, same.err).toBe(0);
    const known = await read('same.json');
    expect(known.findings.map((f) => f.baseline)).toEqual(baseline.findings.map(() => 'unchanged'));

    // Other agency content outside the enclave: a finding the baseline has never seen.
    await writeFile(path.join(dir, 'share/desk/b.bin'), bytesOf('reference b', 5000), { mode: 0o600 });
    const second = await shards('second');
    const grown = await cli('merge', ...second, '--baseline', 'baseline.json', '--output', 'grown.json');
    expect(grown.exitCode, grown.err).toBe(1);
    const marks = (await read('grown.json')).findings.map((f) => [f.location, f.baseline]);
    expect(marks).toContainEqual(['desk/b.bin', 'new']);
    expect(marks.filter(([, mark]) => mark === 'new')).toHaveLength(1);
    expect(marks).toContainEqual(['desk/copy-of-a.bin', 'unchanged']);
  });

  it('refuses a baseline that is not a merged report, naming it: exit 2', async () => {
    const first = await shards('third');
    const result = await cli('merge', ...first, '--baseline', first[0]!);
    expect(result.exitCode).toBe(2);
    expect(result.err).toMatch(/third-1\.json: not usable as a baseline: it is a shard report/);
    expect(result.err.trim().split('\n')).toHaveLength(1);
  });
});
