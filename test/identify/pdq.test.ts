import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { medianOf256 } from '../../src/identify/pdq/dct.js';
import { DIHEDRAL, dihedralHashes } from '../../src/identify/pdq/dihedral.js';
import { HammingIndex, MAX_INDEX_RADIUS } from '../../src/identify/pdq/hamming-index.js';
import { hamming, hashFromHex, hashToHex, newHash, popcount32 } from '../../src/identify/pdq/hash256.js';
import { PdqHasher } from '../../src/identify/pdq/pdq-hasher.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'pdq');

async function rawOf(input: string | Buffer) {
  const { data, info } = await sharp(input, { ignoreIcc: true }).raw().toBuffer({ resolveWithObject: true });
  return { data, ...info };
}

/** Deterministic pseudo-random hashes (xorshift), for index tests. */
function randomHashes(n: number, seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
  return Array.from({ length: n }, () => Uint32Array.from({ length: 8 }, next));
}

describe('hash256', () => {
  it('round-trips the reference hex format (w[15] first) and counts bits', () => {
    const hex = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
    const h = hashFromHex(hex)!;
    expect(hashToHex(h)).toBe(hex);
    // Bit 0 is the lowest bit of the last hex digit (0x22 -> bit 1 set, bit 0 clear).
    expect(h[0]! & 1).toBe(0);
    expect((h[0]! >>> 1) & 1).toBe(1);
    expect(hashFromHex('F8')).toBeUndefined();
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
    const other = newHash();
    other.set(h);
    other[7] = (other[7]! ^ 0x80000000) >>> 0;
    expect(hamming(h, other)).toBe(1);
  });
});

describe('PDQ hasher', () => {
  const hasher = new PdqHasher();

  it.each([
    ['q1050.jpg', '489db672e9190276d452aeab41eba20f02375fe4092d88defdf491a5c55c5f70'],
    ['q2821.jpg', 'b150231ffae4710ffcf4f18bb574b109a576f14bb8543189f8743289f174b109'],
  ])('is bit-exact with the reference on %s', async (file, expected) => {
    const img = await rawOf(path.join(fixtures, file));
    const result = hasher.hashPixels(img.data, img.width, img.height, img.channels);
    expect(hashToHex(result.hash)).toBe(expected);
    expect(result.quality).toBe(100);
  });

  it('returns a zero hash of quality 0 below 5 pixels a side, and a low quality for flat images', async () => {
    const tiny = hasher.hashPixels(new Uint8Array(4 * 40 * 3).fill(90), 4, 40, 3);
    expect(hashToHex(tiny.hash)).toBe('0'.repeat(64));
    expect(tiny.quality).toBe(0);
    const flat = hasher.hashPixels(new Uint8Array(100 * 80).fill(128), 100, 80, 1);
    expect(flat.quality).toBe(0);
  });

  it('derives dihedral hashes that match actually rotated and mirrored pixels', async () => {
    const src = path.join(fixtures, 'bridge-640.jpg');
    const base = await rawOf(src);
    const variants = dihedralHashes(hasher.hashPixels(base.data, base.width, base.height, base.channels).dct, hasher);
    const cases: Array<[string, ReturnType<typeof sharp>]> = [
      ['rotate180', sharp(src).rotate(180)],
      ['flipY', sharp(src).flop()],
      ['flipX', sharp(src).flip()],
      // PDQ's rotate90 is a quarter turn counter-clockwise; sharp's rotate(90) is clockwise.
      ['rotate270', sharp(src).rotate(90)],
      ['rotate90', sharp(src).rotate(270)],
    ];
    for (const [which, pipeline] of cases) {
      const png = await pipeline.png().toBuffer();
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      const actual = hasher.hashPixels(data, info.width, info.height, info.channels).hash;
      const index = DIHEDRAL.indexOf(which as (typeof DIHEDRAL)[number]);
      expect(hamming(actual, variants[index]!), which).toBeLessThanOrEqual(16);
      expect(hamming(actual, variants[0]!), `${which} vs original`).toBeGreaterThan(40);
    }
  });
});

describe('medianOf256', () => {
  it('is the 128th smallest value, with ties, runs and constant input', () => {
    let s = 12345;
    const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s / 2 ** 32);
    const cases: Float32Array[] = [
      Float32Array.from({ length: 256 }, () => next() - 0.5),
      Float32Array.from({ length: 256 }, () => Math.floor(next() * 4)),
      Float32Array.from({ length: 256 }, (_, i) => i),
      Float32Array.from({ length: 256 }, (_, i) => 255 - i),
      new Float32Array(256).fill(3),
      Float32Array.from({ length: 256 }, (_, i) => (i % 2 === 0 ? -1e-30 : 1e30)),
    ];
    for (let trial = 0; trial < 200; trial++) cases.push(Float32Array.from({ length: 256 }, () => Math.round((next() - 0.5) * 50) / 7));
    const scratch = new Float32Array(256);
    for (const values of cases) {
      const sorted = Float32Array.from(values).sort();
      // Numeric equality: the selection may return -0 where the sort's element is +0 (bits compare `>`).
      expect(medianOf256(values, scratch) === sorted[127]).toBe(true);
    }
  });
});

describe('HammingIndex', () => {
  it('finds exactly what a linear scan finds, at every radius', () => {
    const stored = randomHashes(3000, 7);
    const index = new HammingIndex(stored);
    const queries = randomHashes(20, 99).concat(
      // Near-duplicates of stored hashes at known distances.
      [5, 17, 31, 40, 63].map((flips, i) => {
        const q = Uint32Array.from(stored[i * 100]!);
        for (let b = 0; b < flips; b++) q[b % 8] = (q[b % 8]! ^ (1 << ((b * 7) % 32))) >>> 0;
        return q;
      }),
    );
    for (const radius of [0, 15, 31, 47, 63, 90]) {
      for (const q of queries) {
        const viaSearch: string[] = [];
        const viaScan: string[] = [];
        index.search(q, radius, (e, d) => viaSearch.push(`${e}:${d}`));
        index.scan(q, radius, (e, d) => viaScan.push(`${e}:${d}`));
        expect(viaSearch.sort()).toEqual(viaScan.sort());
        // The scan drops entries on their first half; the plain distance says what it must keep.
        const brute = stored.flatMap((h, e) => (hamming(q, h) <= radius ? [`${e}:${hamming(q, h)}`] : []));
        expect(viaScan.sort()).toEqual(brute.sort());
        if (radius > MAX_INDEX_RADIUS) continue;
        const viaProbe: string[] = [];
        index.probe(q, radius, (e, d) => viaProbe.push(`${e}:${d}`));
        expect(viaProbe.sort()).toEqual(viaScan.sort());
      }
    }
  });

  it('scans two indexes in turn as it scans each alone (the scan keeps one pool resident)', () => {
    const first = randomHashes(500, 11);
    const second = randomHashes(1200, 12);
    const indexes = [new HammingIndex(first), new HammingIndex(second)] as const;
    for (const [round, q] of randomHashes(6, 13).entries()) {
      const stored = round % 2 === 0 ? first : second;
      const got: string[] = [];
      indexes[round % 2]!.scan(q, 120, (e, d) => got.push(`${e}:${d}`));
      expect(got).toEqual(stored.flatMap((h, e) => (hamming(q, h) <= 120 ? [`${e}:${hamming(q, h)}`] : [])));
      expect(got.length).toBeGreaterThan(0);
    }
  });

  it('breaks ties by the lowest entry', () => {
    const [a] = randomHashes(1, 3) as [Uint32Array];
    const index = new HammingIndex([Uint32Array.from(a), Uint32Array.from(a), Uint32Array.from(a)]);
    expect(index.nearest(a, 31)).toEqual({ entry: 0, distance: 0 });
  });
});
