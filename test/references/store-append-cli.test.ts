import { readFile, writeFile } from 'node:fs/promises';
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

describe('custody fingerprint --append: a day of new files as one segment of the store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const custody = (args: string[], key = PLATE_KEY) => runCli(['fingerprint', ...args], { cwd: dir, env: { CUSTODY_PLATE_KEY: key } });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-store-append-cli-'));
    const r = rng(29);
    const images = await Promise.all([0, 1, 2, 3].map(() => encode(rawPicture(r, 96, 64), 96, 64, 'jpeg')));
    await writeTree(dir, {
      'agency/day-1/lanes/a.jpg': images[0]!,
      'agency/day-1/lanes/b.jpg': images[1]!,
      'agency/day-1/reads.csv': 'plate,seen_at\nABC1234,2026-11-01T10:00:00Z\nXYZ9876,2026-11-01T11:00:00Z\n',
      'agency/day-1/notes.txt': 'shift notes\n',
    });
    const first = await custody(['agency', '--out', 'agency.cfs']);
    expect(first.exitCode, first.stderr).toBe(0);
    // The next day: a crop named after a plate the store already holds, one named after a new plate.
    await writeTree(dir, {
      'agency/day-2/crop ABC1234.jpg': images[2]!,
      'agency/day-2/KLM4455.jpg': images[3]!,
      'agency/day-2/reads.csv': 'plate,seen_at\nKLM4455,2026-11-02T10:00:00Z\nXYZ9876,2026-11-02T11:00:00Z\n',
    });
  });
  afterAll(() => cleanup());

  it('appends without rewriting; compacted by merge it is the store of one run over the whole tree', async () => {
    const before = await readFile(path.join(dir, 'agency.cfs'));
    const appended = await custody(['agency/day-2', '--append', 'agency.cfs']);
    expect(appended.exitCode, appended.stderr).toBe(0);
    expect(appended.stderr).toMatch(
      new RegExp(
        `^custody: 3 references \\(2 with perceptual hashes\\), 2 plates \\(key [^)]+\\) appended to agency\\.cfs: \\d+ bytes after its ${before.length}, 7 references in all \\[sha256:[0-9a-f]{64}\\]\\n$`,
      ),
    );
    const after = await readFile(path.join(dir, 'agency.cfs'));
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    const loaded = await loadFingerprintFile(path.join(dir, 'agency.cfs'));
    // Both new names are masked: one by the day's plates, one by a plate only the store held.
    expect(loaded.file.references.map((r) => r.id).slice(4)).toEqual(['day-2/[plate].jpg', 'day-2/crop [plate].jpg', 'day-2/reads.csv']);
    expect(loaded.file.plates?.digests).toHaveLength(3);
    expect(loaded.file.plates?.sources.map((s) => s.id)).toEqual(['day-1/reads.csv', 'day-2/reads.csv']);
    const compact = await custody(['merge', 'agency.cfs', '--out', 'compact.cfs']);
    const whole = await custody(['agency', '--out', 'whole.cfs']);
    expect(compact.exitCode, compact.stderr).toBe(0);
    expect(whole.exitCode, whole.stderr).toBe(0);
    expect(digestOf(compact.stderr)).toBe(digestOf(whole.stderr));
  });

  it('refuses in one line, leaving the store as it was: an id already in it, another plate key, a directory outside its roots, a tampered store', async () => {
    const store = await readFile(path.join(dir, 'agency.cfs'));
    const again = await custody(['agency/day-2', '--append', 'agency.cfs']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe('custody: --append: "day-2/[plate].jpg" is already in agency.cfs (a store holds each id once; fingerprint only new files)\n');
    const key = await custody(['agency/day-2', '--append', 'agency.cfs'], 'another-plate-key-0123456789abcdef');
    expect(key.exitCode).toBe(2);
    expect(key.stderr).toMatch(
      /^custody: --append: the plate key given is hmac-sha256:[0-9a-f]{16}, the store's is hmac-sha256:[0-9a-f]{16}; use the store's key\n$/,
    );
    await writeTree(dir, { 'elsewhere/x.txt': 'x\n' });
    const outside = await custody(['elsewhere', '--append', 'agency.cfs']);
    expect(outside.exitCode).toBe(2);
    expect(outside.stderr).toMatch(/^custody: --append: elsewhere is not inside a root of the store \("agency"\)/);
    expect((await readFile(path.join(dir, 'agency.cfs'))).equals(store)).toBe(true);
    const tampered = Buffer.from(store);
    tampered[store.length - 200] = tampered[store.length - 200]! ^ 0x01;
    await writeFile(path.join(dir, 'tampered.cfs'), tampered);
    const refused = await custody(['agency/day-2', '--append', 'tampered.cfs']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^custody: tampered\.cfs: fingerprint store [^\n]+\n$/);
    expect((await readFile(path.join(dir, 'tampered.cfs'))).equals(tampered)).toBe(true);
  });

  it('takes --append or --out, not both, and no --store-format with --append', async () => {
    const both = await custody(['agency/day-2', '--append', 'agency.cfs', '--out', 'x.cfs']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toBe('custody: --append writes into the store it names: it takes no --out, --store-format or --shard\n');
    const neither = await custody(['agency/day-2']);
    expect(neither.exitCode).toBe(2);
    expect(neither.stderr).toBe('custody: fingerprint needs --out <file> (or --append <store.cfs>)\n');
  });
});
