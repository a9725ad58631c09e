import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrate, runCalibration } from '../../src/calibrate/calibrate.js';
import { formatCalibrationJson, formatCalibrationText } from '../../src/calibrate/format.js';
import { buildReferences } from '../../src/calibrate/references.js';
import { createFingerprints } from '../../src/fingerprint/create.js';
import { perceptualHasher } from '../../src/fingerprint/perceptual.js';
import type { Reference } from '../../src/references/schema.js';
import { InputError } from '../../src/util/errors.js';
import { tempDir, writeTree } from '../support/tmp.js';
import { scenes, transformsModule } from '../synth/synth-api.js';

const { ROBUSTNESS_CASES, applyCase } = transformsModule;
const caseNamed = (name: string) => ROBUSTNESS_CASES.find((c) => c.name === name)!;

// Plate crops: the cheapest scene, and the hardest negatives (one template, different characters).
let refA: Buffer;
let refB: Buffer;
let copyA: Buffer;
let croppedB: Buffer;
let negative: Buffer;
let references: Reference[];

beforeAll(async () => {
  refA = await scenes.plateCrop({ seed: 11, plate: 'KXT4821' });
  refB = await scenes.plateCrop({ seed: 12, plate: 'MR52WZP' });
  negative = await scenes.plateCrop({ seed: 13, plate: 'HNV7735' });
  copyA = await applyCase(caseNamed('reencode-q50'), refA);
  croppedB = await applyCase(caseNamed('crop-10'), refB);
  references = await buildReferences([
    { id: 'plates/a.jpg', class: 'plate-image', bytes: refA },
    { id: 'plates/b.jpg', class: 'plate-image', bytes: refB },
  ]);
}, 120_000);

describe('calibrate', () => {
  it('puts a true copy in a low band and a hard negative beyond the threshold', async () => {
    const result = await calibrate(
      [
        { class: 'reencode', expected: 'plates/a.jpg', content: copyA },
        { class: 'crop', expected: 'plates/b.jpg', content: async () => croppedB },
        { class: 'negative-plate', content: negative },
        { class: 'negative-plate', content: Buffer.from('not an image at all') },
        { class: 'negative-plate', content: () => Promise.reject(Object.assign(new Error('gone'), { code: 'ENOENT' })) },
      ],
      references,
    );
    // Both copies land in 0-7: a 10%-per-side trim is one of the crop variants every reference stores.
    expect(result.bands[0]).toMatchObject({ from: 0, to: 7, correct: 2, wrong: 0, negatives: 0 });
    expect(result.classes.find((c) => c.class === 'reencode')).toMatchObject({ found: 1, recall: 1 });
    expect(result.classes.find((c) => c.class === 'crop')).toMatchObject({ found: 1, recall: 1 });
    const negatives = result.classes.find((c) => c.class === 'negative-plate')!;
    expect(negatives).toMatchObject({ negatives: 3, falseMatches: 0, failed: 2 });
    // The hard negative has no hit at or below 31; if it has one at all, it sits in the top bands.
    expect(result.bands.slice(0, 4).reduce((s, b) => s + b.negatives, 0)).toBe(0);
    expect(result.recall).toBe(1);
    expect(result.precision).toBe(1);
  }, 120_000);
});

describe('runCalibration', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let fingerprints: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-calibrate-'));
    await writeTree(dir, { 'refs/a.jpg': refA, 'refs/b.jpg': refB, 'labelled/copy.jpg': copyA, 'labelled/other.jpg': negative });
    const { file } = await createFingerprints({ roots: ['refs'], cwd: dir, perceptual: perceptualHasher() });
    fingerprints = path.join(dir, 'agency.fp.json');
    await writeFile(fingerprints, JSON.stringify(file));
  }, 120_000);
  afterAll(() => cleanup());

  it('reads the labelled CSV and the fingerprint file as an audit would', async () => {
    const labels = path.join(dir, 'labelled', 'labels.csv');
    await writeFile(labels, 'query,reference,class\ncopy.jpg,a.jpg,reencode\nother.jpg,,negative-plate\nmissing.jpg,,negative-plate\n');
    const result = await runCalibration(labels, [fingerprints]);
    expect(result.totals).toEqual({ queries: 3, positives: 1, negatives: 2, lowQuality: 0, failed: 1 });
    expect(result.recall).toBe(1);
    expect(result.falseMatchRate).toBe(0);

    const text = formatCalibrationText(result);
    expect(text).toContain('At threshold 31: recall 1.000, precision 1.000');
    expect(text).toMatch(/^0-7 +1 +0 +0 +1\.000 +1\.000 +0$/m);
    expect(text).not.toContain('copy.jpg');
    expect(JSON.parse(formatCalibrationJson(result))).toEqual(result);
  }, 120_000);

  it('rejects a label naming a reference the fingerprints lack, at its line', async () => {
    const labels = path.join(dir, 'labelled', 'bad.csv');
    await writeFile(labels, 'query,reference\ncopy.jpg,a.jpg\ncopy.jpg,nope.jpg\n');
    await expect(runCalibration(labels, [fingerprints])).rejects.toThrow(new InputError(`${labels}:3`, 'reference id not found in the fingerprint files'));
  }, 120_000);
});
