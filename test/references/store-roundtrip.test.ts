import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFingerprintSet } from '../../src/fingerprint/write-set.js';
import { FingerprintIndex } from '../../src/references/index-set.js';
import { loadFingerprintFile } from '../../src/references/load.js';
import type { FingerprintFile } from '../../src/references/schema.js';
import { readStore } from '../../src/references/store-read.js';
import { writeGuard } from '../../src/util/safe-write.js';
import { tempDir } from '../support/tmp.js';
import { syntheticFile } from './support/synthetic.js';

describe('fingerprint store v2: v1 -> v2 -> load', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let v1: FingerprintFile;
  const out = async (name: string) => ({ guard: await writeGuard(dir, []), cwd: dir, path: name });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-store-'));
    v1 = syntheticFile(300);
    await writeFile(path.join(dir, 'agency.fp.json'), `${JSON.stringify(v1, null, 2)}\n`);
  });
  afterAll(() => cleanup());

  it('loads a converted store as the same fingerprint set: references, plates, tool, roots, createdAt', async () => {
    const loadedV1 = await loadFingerprintFile(path.join(dir, 'agency.fp.json'));
    const digest = await writeFingerprintSet(loadedV1.file, 'v2', await out('agency.cfs'));
    const loadedV2 = await loadFingerprintFile(path.join(dir, 'agency.cfs'));
    const { format: _f1, version: _v1, digest: d1, ...content1 } = loadedV1.file;
    const { format, version, digest: d2, ...content2 } = loadedV2.file;
    expect(content2).toEqual(content1);
    expect([format, version]).toEqual(['custody-fingerprint-store', 2]);
    // Each format digests its own bytes: the report names the store's digest, which is not v1's.
    expect(d2).toBe(digest);
    expect(d2).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(d2).not.toBe(d1);
    expect(loadedV2.columns?.sizes.length).toBe(300);
    expect(loadedV2.columns?.viewHash.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('builds the same FingerprintIndex from either format', async () => {
    const a = new FingerprintIndex([await loadFingerprintFile(path.join(dir, 'agency.fp.json'))]);
    const b = new FingerprintIndex([await loadFingerprintFile(path.join(dir, 'agency.cfs'))]);
    expect(b.references).toEqual(a.references);
    expect(b.plateSets).toEqual(a.plateSets);
    expect(b.hasPerceptual).toBe(true);
    const some = v1.references[123]!;
    expect(b.hasSize(some.size)).toBe(true);
    expect(b.label(b.bySha(some.sha256))).toEqual({ id: some.id, class: some.class });
    expect(b.bySha(some.sha256)).toBe(a.bySha(some.sha256));
    expect(b.byMd5(some.md5)).toBe(a.byMd5(some.md5));
    expect(b.digests).toEqual([(await readStore(path.join(dir, 'agency.cfs'))).footer.digest]);
  });

  it('gives the same bytes and digest whether written directly or converted, and v2 -> v1 gives back the v1 digest', async () => {
    const direct = await writeFingerprintSet(v1, 'v2', await out('direct.cfs'));
    const converted = await writeFingerprintSet((await loadFingerprintFile(path.join(dir, 'agency.fp.json'))).file, 'v2', await out('converted.cfs'));
    expect(converted).toBe(direct);
    expect(await readFile(path.join(dir, 'converted.cfs'))).toEqual(await readFile(path.join(dir, 'direct.cfs')));
    const back = await writeFingerprintSet((await loadFingerprintFile(path.join(dir, 'direct.cfs'))).file, 'v1', await out('back.fp.json'));
    expect(back).toBe(v1.digest);
    expect(JSON.parse(await readFile(path.join(dir, 'back.fp.json'), 'utf8'))).toEqual(v1);
  });

  it('digests content, not createdAt', async () => {
    const later = await writeFingerprintSet({ ...v1, createdAt: '2027-01-01T00:00:00.000Z' }, 'v2', await out('later.cfs'));
    const fewer = await writeFingerprintSet({ ...v1, references: v1.references.slice(1) }, 'v2', await out('fewer.cfs'));
    const direct = (await readStore(path.join(dir, 'direct.cfs'))).footer.digest;
    expect(later).toBe(direct);
    expect(fewer).not.toBe(direct);
  });

  it('is smaller than the v1 JSON of the same set, with sections aligned to 8 bytes', async () => {
    const { footer } = await readStore(path.join(dir, 'agency.cfs'));
    for (const span of Object.values(footer.sections)) expect(span.offset % 8).toBe(0);
    expect((await stat(path.join(dir, 'agency.cfs'))).size).toBeLessThan((await stat(path.join(dir, 'agency.fp.json'))).size / 2);
  });

  it('writes plate digests sorted and distinct, whatever order a v1 file gave them in', async () => {
    const plates = v1.plates!;
    const shuffled = { ...v1, plates: { ...plates, digests: [plates.digests[3]!, ...plates.digests, plates.digests[0]!] } };
    await writeFingerprintSet(shuffled, 'v2', await out('plates.cfs'));
    expect((await loadFingerprintFile(path.join(dir, 'plates.cfs'))).file.plates?.digests).toEqual(plates.digests);
  });

  it('writes an empty set (no references, no plates)', async () => {
    const empty = { ...v1, references: [] } as FingerprintFile;
    delete (empty as Partial<FingerprintFile>).plates;
    await writeFingerprintSet(empty, 'v2', await out('empty.cfs'));
    const loaded = await loadFingerprintFile(path.join(dir, 'empty.cfs'));
    expect(loaded.file.references).toEqual([]);
    expect(loaded.file.plates).toBeUndefined();
  });
});
