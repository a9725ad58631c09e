import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './synth-api.js';

/** scripts/bench/hides-score.js, loaded by URL as the other script tests do (see synth-api.ts). */
interface Planted {
  kind: string;
  group: string;
  rel: string;
  images: string[];
  plates: number;
  negative: boolean;
  expect: 'found' | 'coverage';
}
interface Asset {
  location: string;
  method: string;
  reference?: string;
  evidence: Record<string, unknown>;
}
interface Coverage {
  location: string;
  reason: string;
  incomplete?: boolean;
}
interface Row {
  kind: string;
  images: [number, number];
  plates: [number, number];
  falseClaims: number;
  silent: number;
  covered: number;
  met: boolean;
}
interface Scorer {
  keyOf(location: string): string;
  score(planted: Planted[], reports: { assets: Asset[]; coverage: Coverage[] }[]): { rows: Row[]; shortfalls: { rel: string }[] };
}

let s: Scorer;
beforeAll(async () => {
  s = (await import(pathToFileURL(path.join(repoRoot, 'scripts/bench/hides-score.js')).href)) as Scorer;
});

const plant = (kind: string, rel: string, held: Partial<Planted>): Planted => ({
  kind,
  group: 'g',
  rel,
  images: [],
  plates: 0,
  negative: false,
  expect: 'found',
  ...held,
});
const PLAN = [
  plant('pdf', 'pdf/a.pdf', { images: ['v/1.jpg', 'v/2.jpg'], plates: 40 }),
  plant('pdf', 'pdf/n.pdf', { negative: true }),
  plant('sealed', 'archives/s.7z', { images: ['v/3.jpg'], expect: 'coverage' }),
  plant('git', 'repos/pos:assets/x.jpg', { images: ['v/4.jpg'] }),
];
const found = (location: string, reference: string): Asset => ({ location, method: 'exact', reference, evidence: {} });
const plates = (location: string, records: number): Asset => ({ location, method: 'record', evidence: { records } });

describe('bench:hides scoring', () => {
  it('maps members, share-rooted and git locations to the planted file', () => {
    expect(s.keyOf('share/pdf/a.pdf!/page-1/image-1.jpg')).toBe('pdf/a.pdf');
    expect(s.keyOf('mail/x.eml!/fwd.eml!/a.jpg')).toBe('mail/x.eml');
    expect(s.keyOf('repos/pos/.git!0123abcd:assets/x.jpg')).toBe('repos/pos:assets/x.jpg');
    expect(s.keyOf('repos/pos/.git!0123abcd')).toBe('repos/pos');
  });

  it('meets every target when all is found and the sealed file is in coverage', () => {
    const report = {
      assets: [
        found('pdf/a.pdf!/page-1/image-1.jpg', 'v/1.jpg'),
        found('pdf/a.pdf!/page-2/image-1.jpg', 'v/2.jpg'),
        plates('pdf/a.pdf!/text', 40),
        found('repos/pos/.git!c0ffee:assets/x.jpg', 'v/4.jpg'),
      ],
      coverage: [{ location: 'archives/s.7z', reason: 'encrypted', incomplete: true }],
    };
    const { rows, shortfalls } = s.score(PLAN, [report]);
    expect(rows.map((r) => [r.kind, r.met])).toEqual([
      ['pdf', true],
      ['sealed', true],
      ['git', true],
    ]);
    expect(rows[0]?.images).toEqual([2, 2]);
    expect(shortfalls).toEqual([]);
  });

  it('misses a kind on a lost picture, a lost plate, a false claim or a silent sealed file', () => {
    const report = {
      // One picture found under the wrong reference, 39 of 40 plates, a claim in the negative, no coverage.
      assets: [
        found('pdf/a.pdf!/page-1/image-1.jpg', 'v/1.jpg'),
        found('pdf/a.pdf!/page-2/image-1.jpg', 'v/9.jpg'),
        plates('pdf/a.pdf!/text', 39),
        plates('pdf/n.pdf!/text', 3),
      ],
      coverage: [],
    };
    const { rows, shortfalls } = s.score(PLAN, [report]);
    const pdf = rows.find((r) => r.kind === 'pdf');
    expect(pdf).toMatchObject({ images: [1, 2], plates: [39, 40], falseClaims: 2, silent: 1, met: false });
    expect(rows.find((r) => r.kind === 'sealed')).toMatchObject({ covered: 0, silent: 1, met: false });
    expect(rows.find((r) => r.kind === 'git')).toMatchObject({ images: [0, 1], met: false });
    expect(shortfalls.map((f) => f.rel).sort()).toEqual(['archives/s.7z', 'pdf/a.pdf', 'pdf/n.pdf', 'repos/pos:assets/x.jpg']);
  });

  it('caps plates counted twice in one file at those planted there', () => {
    const { rows } = s.score([PLAN[0] as Planted], [{ assets: [plates('pdf/a.pdf!/text', 40), plates('pdf/a.pdf', 40)], coverage: [] }]);
    expect(rows[0]?.plates).toEqual([40, 40]);
  });
});
