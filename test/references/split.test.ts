import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFingerprintSet } from '../../src/fingerprint/write-set.js';
import type { LoadedFingerprints } from '../../src/references/index-set.js';
import { loadFingerprintFile, loadFingerprints } from '../../src/references/load.js';
import type { FingerprintFile } from '../../src/references/schema.js';
import { referenceShareOf, splitColumns } from '../../src/references/split.js';
import type { StoreColumns, StoreFooter } from '../../src/references/store-format.js';
import { readStore } from '../../src/references/store-read.js';
import { storeReferences } from '../../src/references/store-references.js';
import { writeGuard } from '../../src/util/safe-write.js';
import { tempDir } from '../support/tmp.js';
import { syntheticFile } from './support/synthetic.js';

let footer: StoreFooter;

/** The references a store's columns hold, as objects (the store's tables). */
function referencesOf(columns: StoreColumns) {
  return storeReferences(columns, footer);
}

describe('reference split (--references k/n): splitColumns and the loader', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let v1: FingerprintFile;
  let store: LoadedFingerprints;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-split-'));
    v1 = syntheticFile(300);
    await writeFile(path.join(dir, 'agency.fp.json'), `${JSON.stringify(v1, null, 2)}\n`);
    const loaded = await loadFingerprintFile(path.join(dir, 'agency.fp.json'));
    await writeFingerprintSet(loaded.file, 'v2', { guard: await writeGuard(dir, []), cwd: dir, path: 'agency.cfs' });
    store = await loadFingerprintFile(path.join(dir, 'agency.cfs'));
    footer = (await readStore(path.join(dir, 'agency.cfs'))).footer;
  });
  afterAll(() => cleanup());

  it('hashes an id the same from its string and from its stored UTF-8 bytes: first 4 bytes of its SHA-256, mod n, plus 1', () => {
    const id = 'lane 3/Zoë-0000042.jpg';
    const expected = (createHash('sha256').update(Buffer.from(id, 'utf8')).digest().readUInt32BE(0) % 5) + 1;
    expect(referenceShareOf(id, 5)).toBe(expected);
    expect(referenceShareOf(Buffer.from(id, 'utf8'), 5)).toBe(expected);
    expect(referenceShareOf(id, 1)).toBe(1);
  });

  it('partitions the references: every one in exactly its share, rows in order, views rebased, plates all kept', () => {
    const columns = store.columns!;
    const whole = store.file.references;
    const shares = [1, 2, 3].map((index) => splitColumns(columns, { index, count: 3 }));
    const parts = shares.map((c) => referencesOf(c));
    // Every share got some references, and together they are the set, none twice, order kept.
    for (const part of parts) expect(part.length).toBeGreaterThan(0);
    expect(
      parts
        .flat()
        .map((r) => r.id)
        .sort(),
    ).toEqual(whole.map((r) => r.id).sort());
    parts.forEach((part, k) => {
      expect(part).toEqual(whole.filter((r) => referenceShareOf(r.id, 3) === k + 1));
    });
    for (const c of shares) {
      // viewReference points at the share's own rows, non-decreasing, matching viewStart.
      for (let row = 0; row + 1 < c.viewStart.length; row++) {
        for (let v = c.viewStart[row]!; v < c.viewStart[row + 1]!; v++) expect(c.viewReference[v]).toBe(row);
      }
      expect(Buffer.from(c.plateDigests).equals(Buffer.from(columns.plateDigests))).toBe(true);
      for (const column of Object.values(c)) expect((column as Uint8Array).buffer).toBeInstanceOf(SharedArrayBuffer);
    }
    // The input columns are not touched.
    expect(referencesOf(columns)).toEqual(whole);
  });

  it('1/1 is the whole set; a share no id hashes to is empty but well formed', () => {
    expect(referencesOf(splitColumns(store.columns!, { index: 1, count: 1 }))).toEqual(store.file.references);
    const few = splitColumns(store.columns!, { index: 1, count: 1_000_000 });
    expect(few.idOffsets.length).toBe(few.sizes.length + 1);
    expect(few.viewStart[few.sizes.length]).toBe(few.viewReference.length);
  });

  it('loads the same share from a v1 file and from a store, each set keeping its whole digest', async () => {
    for (const index of [1, 2, 3]) {
      const split = { index, count: 3 };
      const fromJson = await loadFingerprints([path.join(dir, 'agency.fp.json')], { split });
      const fromStore = await loadFingerprints([path.join(dir, 'agency.cfs')], { split });
      const expected = v1.references.filter((r) => referenceShareOf(r.id, 3) === index);
      expect(fromJson.references).toEqual(expected);
      expect(fromStore.references).toEqual(expected);
      expect(fromStore.sets[0]!.columns!.sizes.length).toBe(expected.length);
      expect(fromJson.digests).toEqual([v1.digest]);
      expect(fromStore.digests).toEqual([store.file.digest]);
      // Plates are never split (a report masks the plates the audit loaded).
      expect(Buffer.from(fromStore.plateSets[0]!.digests).toString('hex')).toBe(v1.plates!.digests.join(''));
      expect(fromStore.plateSets[0]!.count).toBe(v1.plates!.digests.length);
    }
  });
});
