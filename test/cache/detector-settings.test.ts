import { afterAll, describe, expect, it } from 'vitest';
import { cacheIdentity } from '../../src/cache/key.js';
import { DEFAULT_DETECT_LIMITS, type Detector, type DetectorSetup } from '../../src/identify/detector.js';
import { buildPlateSet } from '../../src/identify/plates/agency.js';
import { DETECTORS } from '../../src/identify/registry.js';
import { FingerprintIndex } from '../../src/references/index-set.js';
import { loadedSet } from '../../src/references/load.js';
import type { FingerprintFile } from '../../src/references/schema.js';
import { canonicalJson } from '../../src/util/canonical-json.js';

// Every detector supplies its own part of the re-audit cache key (Detector.settings). A setting a
// detector reads from its setup but leaves out of that part would let a warm audit replay results
// made under another setting: these tests fail when that happens, for every registered detector.

const KEY = Buffer.from('detector-settings-key-0123456789abcdef');
const OTHER_KEY = Buffer.from('another-settings-key-0123456789abcdef');

function fingerprints(digest: string): FingerprintIndex {
  const file: FingerprintFile = {
    format: 'custody-fingerprints',
    version: 1,
    tool: { name: 'custody', version: 'test' },
    createdAt: '2026-01-01T00:00:00Z',
    roots: ['agency'],
    references: [
      {
        id: 'lane3/capture.jpg',
        class: 'vehicle-image',
        size: 1234,
        sha256: 'a'.repeat(64),
        md5: 'b'.repeat(32),
        media: 'image/jpeg',
        pdq: [
          { hash: 'c3'.repeat(32), quality: 100, variant: 'full' },
          { hash: '5a'.repeat(32), quality: 100, variant: 'tile:0,0' },
        ],
      },
    ],
    plates: buildPlateSet(['ABC1234', 'XYZ9876'], KEY, [{ id: 'reads.csv', column: 'plate', rows: 2 }]),
    digest,
  };
  return new FingerprintIndex([loadedSet('agency.fp.json', file)]);
}

const BASE: Required<DetectorSetup> = {
  fingerprints: fingerprints(`sha256:${'1'.repeat(64)}`),
  markers: [{ field: 'Make', equals: 'Agency Optics', asset: 'vehicle-image' }],
  limits: DEFAULT_DETECT_LIMITS,
  threads: 1,
  plateKey: KEY,
  readPlates: true,
  notice: () => {},
};

/** Setup fields that cannot change what a detector concludes: how many threads, where notices go. */
const NOT_CONCLUSIONS: ReadonlySet<keyof DetectorSetup> = new Set(['threads', 'notice']);
/**
 * Fields a detector reads only to serve another detector, whose own part carries them: the perceptual
 * detector keeps its 512 px decode for the plate reader under --read-plates (one decode, not two).
 */
const SERVES_OTHERS: Readonly<Record<string, ReadonlySet<keyof DetectorSetup>>> = { perceptual: new Set(['readPlates']) };

/** Another value for each field that can change conclusions. A new DetectorSetup field needs one here. */
const VARIANTS: { [K in keyof DetectorSetup]?: DetectorSetup[K] } = {
  fingerprints: fingerprints(`sha256:${'2'.repeat(64)}`),
  markers: [{ field: 'Make', equals: 'Other Optics', asset: 'vehicle-image' }],
  limits: { maxImagePixels: 1000, maxImageBytes: 1000 },
  plateKey: OTHER_KEY,
  readPlates: false,
};

const made: Detector[] = [];

/** The detector's part of the cache key, or null when the setup gives it nothing to do. */
function partOf(factory: (typeof DETECTORS)[number], setup: DetectorSetup, read?: Set<string>): string {
  const watched = read
    ? new Proxy(setup, {
        get(target, key, receiver) {
          if (typeof key === 'string') read.add(key);
          return Reflect.get(target, key, receiver);
        },
      })
    : setup;
  const detector = factory.create(watched);
  if (detector) made.push(detector);
  return canonicalJson(detector ? { id: detector.id, settings: detector.settings } : null);
}

afterAll(async () => {
  await Promise.all(made.map((d) => d.close?.()));
});

describe('each detector supplies its part of the cache key', () => {
  it.each(DETECTORS.map((factory) => [factory.id, factory] as const))('%s: every setting it reads changes its part', (_id, factory) => {
    const read = new Set<string>();
    const base = partOf(factory, BASE, read);
    expect(base, 'the full setup gives every detector something to do').not.toBe('null');
    const serves = SERVES_OTHERS[factory.id] ?? new Set();
    const concluding = [...read].filter((key) => !NOT_CONCLUSIONS.has(key as keyof DetectorSetup) && !serves.has(key as keyof DetectorSetup));
    expect(concluding.length).toBeGreaterThan(0);
    for (const key of concluding) {
      const variant = VARIANTS[key as keyof DetectorSetup];
      expect(variant, `no variant for setup field '${key}': add one to VARIANTS`).toBeDefined();
      const changed = partOf(factory, { ...BASE, [key]: variant });
      expect(changed, `changing '${key}' must change the ${factory.id} detector's cache-key part`).not.toBe(base);
    }
  });

  it('never puts a key itself into its part (a key id at most)', () => {
    for (const factory of DETECTORS) {
      const part = partOf(factory, BASE);
      expect(part).not.toContain(KEY.toString('hex'));
      expect(part).not.toContain(KEY.toString('utf8'));
    }
  });

  it('the cache file changes with a detector part', async () => {
    const detectors = (setup: DetectorSetup) =>
      DETECTORS.flatMap((factory) => {
        const detector = factory.create(setup);
        if (detector) made.push(detector);
        return detector ? [{ id: detector.id, settings: detector.settings }] : [];
      });
    const scope = { roots: ['/audited'] };
    const settings = { wantMedia: true, archives: 'off', plateKeyId: null };
    const a = await cacheIdentity({ ...settings, detectors: detectors(BASE) }, scope);
    const again = await cacheIdentity({ ...settings, detectors: detectors(BASE) }, scope);
    const b = await cacheIdentity({ ...settings, detectors: detectors({ ...BASE, markers: VARIANTS.markers! }) }, scope);
    expect(again.fileName).toBe(a.fileName);
    expect(b.fileName).not.toBe(a.fileName);
  });
});
