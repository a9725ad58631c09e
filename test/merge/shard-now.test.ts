import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn, referenceA, writeSmallCase } from '../support/small-case.js';
import { tempDir } from '../support/tmp.js';

/**
 * Shards audited as of different moments merge into a report no single run gives (retention and
 * waiver expiry are judged as of `now`), so the merge refuses them, as it refuses reference splits.
 */
describe('custody merge: every shard audited as of one moment', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const cli = (...args: string[]) => cliIn(dir)(...args);
  const audit = (k: number, now: string) =>
    cli(
      'audit',
      'share',
      '--fingerprints',
      'agency.fp.json',
      '--authorized',
      'enclave/**',
      '--no-cache',
      '--now',
      now,
      '--shard',
      `${k}/2`,
      '--format',
      'json',
      '--output',
      `s${k}-${now.slice(0, 10)}.json`,
    );

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-shard-now-'));
    await writeSmallCase(dir, { 'share/laptop/other-a.bin': { data: referenceA(), mode: 0o600 } });
    expect((await cli('fingerprint', 'refs', '--out', 'agency.fp.json', '--no-perceptual')).exitCode).toBe(0);
    for (const [k, now] of [
      [1, '2026-05-28T09:00:00Z'],
      [2, '2026-05-28T09:00:00Z'],
      [2, '2026-06-30T09:00:00Z'],
    ] as const)
      expect([0, 1]).toContain((await audit(k, now)).exitCode);
  });
  afterAll(async () => cleanup());

  it('refuses shards with different --now in one line (exit 2), and merges shards with the same', async () => {
    const refused = await cli('merge', 's1-2026-05-28.json', 's2-2026-06-30.json', '--format', 'json', '--output', 'bad.json');
    expect(refused.exitCode).toBe(2);
    expect(refused.err.trim().split('\n')).toHaveLength(1);
    expect(refused.err).toMatch(/shards were audited at different times .*2026-05-28T09:00:00\.000Z.*2026-06-30T09:00:00\.000Z.*same --now/);
    const merged = await cli('merge', 's1-2026-05-28.json', 's2-2026-05-28.json', '--format', 'json', '--output', 'good.json');
    expect([0, 1], merged.err).toContain(merged.exitCode);
  });
});
