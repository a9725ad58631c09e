import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFingerprintSet } from '../../src/fingerprint/write-set.js';
import { fingerprintDigest } from '../../src/references/load.js';
import type { FingerprintFile, PlateSet, Reference } from '../../src/references/schema.js';
import { readStore } from '../../src/references/store-read.js';
import { writeStore } from '../../src/references/store-write.js';
import { VERSION } from '../../src/version.js';
import { runCli } from '../hostile/support/cli.js';
import { tempDir } from '../support/tmp.js';
import { syntheticReference } from './support/synthetic.js';

const byId = (a: Reference, b: Reference) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const plateSet = (digits: string[], source: string): PlateSet => ({
  algorithm: 'hmac-sha256',
  normalisation: 'v1',
  keyId: 'hmac-sha256:0123456789abcdef',
  digests: digits.map((d) => d.repeat(64)),
  shapes: ['LLLDDDD'],
  sources: [{ id: source, column: 'plate', rows: digits.length }],
});
/** A v1 set of references `numbers`, with its digest. */
function set(numbers: number[], createdAt: string, plates?: PlateSet): FingerprintFile {
  const body: Omit<FingerprintFile, 'digest'> = {
    format: 'custody-fingerprints',
    version: 1,
    tool: { name: 'custody', version: '0.0.1' },
    createdAt,
    roots: ['agency'],
    references: numbers.map((i) => syntheticReference(i)).sort(byId),
    ...(plates ? { plates } : {}),
  };
  return { ...body, digest: fingerprintDigest(body) };
}

const permutations = <T>(items: T[]): T[][] =>
  items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));

describe('fingerprint merge: one store of the union, the same bytes in any order', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const custody = (args: string[]) => runCli(['fingerprint', ...args], { cwd: dir });
  const bytes = (name: string) => readFile(path.join(dir, name));

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-store-merge-'));
    const out = async (name: string) => ({ guard: { roots: [], files: [] }, cwd: dir, path: name });
    // Three inputs that overlap (40..59 in a and b, 90..99 in b and c), two stores and a v1 file.
    await writeFingerprintSet(set(range(0, 60), '2026-12-01T10:00:00.000Z', plateSet(['1', '2'], 'reads/a.csv')), 'v2', await out('a.cfs'));
    await writeFingerprintSet(set(range(40, 100), '2026-12-03T10:00:00.000Z'), 'v2', await out('b.cfs'));
    const c = set(range(90, 150), '2026-12-02T10:00:00.000+02:00', plateSet(['2', '3'], 'reads/c.csv'));
    await writeFile(path.join(dir, 'c.fp.json'), JSON.stringify(c));
    const union = set(range(0, 150), '2026-12-03T10:00:00.000Z', {
      ...plateSet(['1', '2', '3'], 'reads/a.csv'),
      sources: [...plateSet(['1', '2'], 'reads/a.csv').sources, ...plateSet(['2', '3'], 'reads/c.csv').sources],
    });
    await writeStore(() => union.references, union.plates, { ...union, tool: { name: 'custody', version: VERSION } }, await out('union.cfs'));
  });
  afterAll(() => cleanup());

  it('writes the same bytes for all 6 orders of 3 inputs, equal to the union written at once', async () => {
    const expected = await bytes('union.cfs');
    for (const [n, order] of permutations(['a.cfs', 'b.cfs', 'c.fp.json']).entries()) {
      const result = await custody(['merge', ...order, '--out', `merged-${n}.cfs`]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/^custody: merged 3 fingerprint files: 150 references, \d+ bytes -> merged-\d\.cfs \[sha256:[0-9a-f]{64}\]\n$/);
      expect((await bytes(`merged-${n}.cfs`)).equals(expected), order.join(' ')).toBe(true);
    }
    const store = await readStore(path.join(dir, 'merged-0.cfs'));
    expect(store.footer.createdAt).toBe('2026-12-03T10:00:00.000Z');
    expect(store.footer.counts.plates).toBe(3);
  });

  it('refuses in one line an id whose content differs between inputs, and plates under two keys', async () => {
    const changed = set([45], '2026-12-04T00:00:00.000Z');
    changed.references[0]!.size += 1;
    changed.digest = fingerprintDigest(changed);
    await writeFile(path.join(dir, 'changed.fp.json'), JSON.stringify(changed));
    const conflict = await custody(['merge', 'a.cfs', 'changed.fp.json', '--out', 'no.cfs']);
    expect(conflict.exitCode).toBe(2);
    expect(conflict.stderr).toMatch(/^custody: "lane 3\/Zoë-0000045\.jpg" differs between .*a\.cfs and .*changed\.fp\.json; cannot merge\n$/);
    const other = set([500], '2026-12-04T00:00:00.000Z', { ...plateSet(['9'], 'reads/z.csv'), keyId: 'hmac-sha256:fedcba9876543210' });
    await writeFile(path.join(dir, 'other-key.fp.json'), JSON.stringify(other));
    const keys = await custody(['merge', 'a.cfs', 'other-key.fp.json', '--out', 'no.cfs']);
    expect(keys.exitCode).toBe(2);
    expect(keys.stderr).toMatch(/^custody: plate digests made under two plate keys .* cannot be merged; fingerprint again with one key\n$/);
  });

  it('refuses a tampered input in one line and writes nothing', async () => {
    const tampered = await bytes('b.cfs');
    tampered[64] = tampered[64]! ^ 0x01;
    await writeFile(path.join(dir, 'tampered.cfs'), tampered);
    const result = await custody(['merge', 'a.cfs', 'tampered.cfs', '--out', 'never.cfs']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^custody: .*tampered\.cfs: fingerprint store digest does not match its content \(edited or corrupted\)\n$/);
    await expect(readFile(path.join(dir, 'never.cfs'))).rejects.toThrow(/ENOENT/);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
