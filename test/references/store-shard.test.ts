import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFingerprintFile } from '../../src/references/load.js';
import { PLATE_KEY } from '../hostile/support/agency.js';
import { runCli } from '../hostile/support/cli.js';
import { encode, rawPicture } from '../hostile/support/images.js';
import { rng } from '../support/fuzz.js';
import { tempDir, writeTree } from '../support/tmp.js';

/** The digest a `custody fingerprint` summary line ends with. */
const digestOf = (stderr: string) => /\[(sha256:[0-9a-f]{64})\]\n?$/.exec(stderr)?.[1];

describe('custody fingerprint --shard k/n: shards merged are the whole run', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const custody = (args: string[]) => runCli(['fingerprint', ...args], { cwd: dir, env: { CUSTODY_PLATE_KEY: PLATE_KEY } });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-store-shard-'));
    const r = rng(31);
    const tree: Record<string, string | Buffer> = {
      'agency/reads/2026-11.csv': 'plate,seen_at\nABC1234,2026-11-01T10:00:00Z\nXYZ9876,2026-11-01T11:00:00Z\n',
      'agency/reads/2026-12.csv': 'plate\nKLM4455\n',
      // Named after plates read in files that may fall in other shards: every shard must mask them.
      'agency/crops/ABC1234.jpg': await encode(rawPicture(r, 64, 48), 64, 48, 'jpeg'),
      'agency/crops/KLM4455 rear.jpg': await encode(rawPicture(r, 64, 48), 64, 48, 'jpeg'),
    };
    for (let i = 0; i < 24; i++) tree[`agency/lanes/lane-${i % 4}/${i}.txt`] = `capture ${i}\n`;
    await writeTree(dir, tree);
  });
  afterAll(() => cleanup());

  it('gives, merged in any order, the digest of one run; each file but the plate files is in exactly one shard', async () => {
    const whole = await custody(['agency', '--out', 'whole.cfs']);
    expect(whole.exitCode, whole.stderr).toBe(0);
    const ids: string[][] = [];
    for (const k of [1, 2, 3]) {
      const shard = await custody(['agency', '--shard', `${k}/3`, '--out', `part-${k}.cfs`]);
      expect(shard.exitCode, shard.stderr).toBe(0);
      ids.push((await loadFingerprintFile(path.join(dir, `part-${k}.cfs`))).file.references.map((r) => r.id));
    }
    const plateFiles = ['reads/2026-11.csv', 'reads/2026-12.csv'];
    for (const shard of ids) expect(shard).toEqual(expect.arrayContaining(plateFiles));
    const others = ids.flatMap((shard) => shard.filter((id) => !plateFiles.includes(id))).sort();
    expect(others).toHaveLength(26);
    expect(new Set(others).size).toBe(26);
    // Every shard holds some files: the hash spreads them.
    for (const shard of ids) expect(shard.length).toBeGreaterThan(plateFiles.length);
    expect(others.filter((id) => id.startsWith('crops/'))).toEqual(['crops/[plate] rear.jpg', 'crops/[plate].jpg']);
    for (const order of [
      ['part-1.cfs', 'part-2.cfs', 'part-3.cfs'],
      ['part-3.cfs', 'part-1.cfs', 'part-2.cfs'],
    ]) {
      const merged = await custody(['merge', ...order, '--out', 'merged.cfs']);
      expect(merged.exitCode, merged.stderr).toBe(0);
      expect(digestOf(merged.stderr)).toBe(digestOf(whole.stderr));
    }
  });

  it('refuses a malformed --shard in one line', async () => {
    const bad = await custody(['agency', '--shard', '4/3', '--out', 'x.cfs']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('custody: --shard takes k/n with 1 <= k <= n, e.g. 2/4, not "4/3"\n');
  });
});
