import { beforeAll, describe, expect, it } from 'vitest';
import { CalibrationMatcher, decide } from '../../src/calibrate/measure.js';
import { buildReferences } from '../../src/calibrate/references.js';
import { MATCH_THRESHOLD } from '../../src/identify/pdq/match-settings.js';
import { type PdqIndex, pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import { SubImageMatcher } from '../../src/identify/subimage/sub-image-matcher.js';
import { scenes } from '../synth/synth-api.js';
import { decoded } from './support/perceptual.js';
import { warpCase } from './support/warp-cases.js';

/*
 * Copies of the robustness bench's warp classes (scripts/bench/robustness-warp.js) that the sub-image
 * search missed, or that calibration said it missed while the audit claimed them, each against an
 * index of its one reference.
 */

const indexOf = async (bytes: Buffer, cls: string): Promise<PdqIndex> => pdqIndexOfReferences(await buildReferences([{ id: 'refs/r.jpg', class: cls, bytes }]));

describe('recall of straightened, skewed and monitor copies', () => {
  let _plate: Buffer;
  let vehicle: Buffer;

  beforeAll(async () => {
    _plate = await scenes.plateCrop({ seed: 1002, plate: 'KXT4821' });
    vehicle = await scenes.vehicleCapture({ seed: 1002, cameraId: 'L3-C07', plate: 'MR52WZP', timestamp: '2026-10-01T06:00:00.000Z' });
  }, 60_000);

  it('measures in calibration what the audit claims inside a monitor photo, where a matcher opened to 47 bits stopped at the whole view', async () => {
    const index = await indexOf(vehicle, 'vehicle-image');
    const bytes = await warpCase('monitor-left', vehicle);
    const outcome = new SubImageMatcher(index).match(await decoded(bytes));
    expect(outcome.kind).toBe('match');
    if (outcome.kind !== 'match') return;
    const hit = decide(await new CalibrationMatcher(index).measure(bytes), MATCH_THRESHOLD);
    expect(hit).toEqual({ reference: outcome.match.reference.id, distance: outcome.match.distance });
  }, 60_000);
});
