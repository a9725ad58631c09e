import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlateSet, Reference } from '../../src/references/schema.js';
import { readStore } from '../../src/references/store-read.js';
import { repoRoot } from './synth-api.js';

/** scripts/bench/distractors.js, loaded by URL as the other script tests do (see synth-api.ts). */
interface Distractors {
  DISTRACTOR_PREFIX: string;
  distractorSource(real: Reference[], count: number, seed: number): () => Iterable<Reference>;
  plateSetOf(plates: PlateSet, total: number, seed: number): PlateSet;
  writeStoreFile(
    file: string,
    references: () => Iterable<Reference>,
    plates: PlateSet | undefined,
  ): Promise<{ bytes: number; references: number; plates: number }>;
}

const hex = (seed: number, bytes: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (seed * 131 + i * 29 + ((seed * i) % 7)) & 0xff)).toString('hex');
const views = (seed: number) => ['full', 'crop:5,5,5,5', 'tile:0,0'].map((variant, v) => ({ hash: hex(seed * 10 + v, 32), quality: 60 + v, variant }));
const REAL: Reference[] = [
  { id: 'plate-reads/reads.csv', class: 'plate-record', size: 500, sha256: hex(1, 32), md5: hex(1, 16), media: 'text/csv' },
  { id: 'plates/p-1.jpg', class: 'plate-image', size: 20_000, sha256: hex(2, 32), md5: hex(2, 16), media: 'image/jpeg', pdq: views(2) },
  { id: 'vehicles/v-1.jpg', class: 'vehicle-image', size: 90_000, sha256: hex(3, 32), md5: hex(3, 16), media: 'image/jpeg', pdq: views(3) },
];
const PLATES: PlateSet = { algorithm: 'hmac-sha256', normalisation: 'v1', keyId: 'hmac-sha256:test', digests: [hex(7, 32), hex(8, 32)], sources: [] };
const bitsApart = (a: string, b: string) => {
  let n = 0;
  for (const byte of Buffer.from(a, 'hex').map((x, i) => x ^ (Buffer.from(b, 'hex')[i] ?? 0))) for (let x = byte; x; x >>= 1) n += x & 1;
  return n;
};
const xor = (a: string, b: string) => Buffer.from(Buffer.from(a, 'hex').map((x, i) => x ^ (Buffer.from(b, 'hex')[i] ?? 0))).toString('hex');
/** The writer reads each reference before asking for the next; the source reuses one object, so a test copies each. */
const snapshot = (source: () => Iterable<Reference>) => [
  ...(function* () {
    for (const r of source())
      yield { id: r.id, class: r.class, size: r.size, sha256: r.sha256, md5: r.md5, media: r.media, pdq: r.pdq?.map((v) => ({ ...v, hash: v.hash })) };
  })(),
];

let d: Distractors;
let tmp: string;
beforeAll(async () => {
  d = (await import(pathToFileURL(path.join(repoRoot, 'scripts/bench/distractors.js')).href)) as Distractors;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'custody-distractors-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('bench distractor stores', () => {
  it('keeps the real references, then adds near-miss captures of real images and uniform ones, sorted and repeatable', () => {
    const refs = snapshot(d.distractorSource(REAL, 40, 3));
    expect(refs).toHaveLength(43);
    expect(refs.slice(0, 3)).toEqual(REAL.map((r) => ({ ...r, pdq: r.pdq })));
    expect(refs.map((r) => r.id)).toEqual(refs.map((r) => r.id).sort());
    expect(new Set(refs.map((r) => r.sha256)).size).toBe(43);
    expect(snapshot(d.distractorSource(REAL, 40, 3))).toEqual(refs);
    expect(snapshot(d.distractorSource(REAL, 40, 4))).not.toEqual(refs);
    const images = REAL.filter((r) => r.pdq);
    for (const [k, r] of refs.slice(3).entries()) {
      expect(r.id.startsWith(d.DISTRACTOR_PREFIX)).toBe(true);
      expect(images.map((i) => i.size)).toContain(r.size);
      expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(r.md5).toMatch(/^[0-9a-f]{32}$/);
      const base = images.find((i) => i.class === r.class);
      expect(base).toBeDefined();
      const pdq = r.pdq ?? [];
      expect(pdq.map((v) => [v.variant, v.quality])).toEqual(base?.pdq?.map((v) => [v.variant, v.quality]));
      const patterns = pdq.map((v, i) => xor(v.hash, base?.pdq?.[i]?.hash ?? ''));
      if (k < 20) {
        // One flip pattern of 36-80 bits for every view of the capture.
        expect(new Set(patterns).size).toBe(1);
        expect(bitsApart(pdq[0]?.hash ?? '', base?.pdq?.[0]?.hash ?? '')).toBeGreaterThanOrEqual(36);
        expect(bitsApart(pdq[0]?.hash ?? '', base?.pdq?.[0]?.hash ?? '')).toBeLessThanOrEqual(80);
      } else {
        expect(r.id).toContain('/uniform/');
        for (const v of pdq) for (const real of images.flatMap((i) => i.pdq ?? [])) expect(bitsApart(v.hash, real.hash)).toBeGreaterThan(80);
      }
    }
  });

  it('writes a store the reader accepts, with every reference and view, and plate sets holding the real digests', async () => {
    const file = path.join(tmp, 'refs.cfs');
    const made = await d.writeStoreFile(file, d.distractorSource(REAL, 40, 3), d.plateSetOf(PLATES, 100, 3));
    const store = await readStore(file);
    expect(made).toMatchObject({ references: 43, plates: 100, bytes: expect.any(Number) });
    expect(store.footer.counts).toMatchObject({ references: 43, views: 42 * 3, plates: 100 });
    const refs = snapshot(d.distractorSource(REAL, 40, 3));
    const last = refs.at(-1)?.pdq?.at(-1)?.hash;
    expect(Buffer.from(store.columns.viewHash.subarray(-32)).toString('hex')).toBe(last);
    const digests = new Set(Array.from({ length: 100 }, (_, i) => Buffer.from(store.columns.plateDigests.subarray(i * 32, i * 32 + 32)).toString('hex')));
    for (const real of PLATES.digests) expect(digests.has(real)).toBe(true);
  });
});
