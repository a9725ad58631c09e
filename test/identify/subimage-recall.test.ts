import { beforeAll, describe, expect, it } from 'vitest';
import { CalibrationMatcher, decide } from '../../src/calibrate/measure.js';
import { buildReferences } from '../../src/calibrate/references.js';
import { MATCH_THRESHOLD, searchPlan } from '../../src/identify/pdq/match-settings.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { type PdqIndex, pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { geometryOf, SubImageMatcher } from '../../src/identify/subimage/sub-image-matcher.js';
import { TURN_CLAIM_DISTANCE, TurnBack } from '../../src/identify/subimage/turn-back.js';
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
  let plate: Buffer;
  let vehicle: Buffer;

  beforeAll(async () => {
    plate = await scenes.plateCrop({ seed: 1002, plate: 'KXT4821' });
    vehicle = await scenes.vehicleCapture({ seed: 1002, cameraId: 'L3-C07', plate: 'MR52WZP', timestamp: '2026-10-01T06:00:00.000Z' });
  }, 60_000);

  it('claims a plate crop straightened by 1 degree and cropped a little inside the largest rectangle, with the turn', async () => {
    const index = await indexOf(plate, 'plate-image');
    const whole = new PerceptualMatcher(index);
    const plan = searchPlan(whole.size);
    const search = new TurnBack(whole, whole.hamming, { ...plan, radius: Math.min(plan.radius, 70) });
    const image = await decoded(await warpCase('rotate-crop-1', plate));
    expect(whole.match(image).kind).not.toBe('match');
    // Before: the centre view at the largest rectangle's scale was 50-64 bits off at the true turn.
    const found = search.find(image, lowRes(image));
    expect(found?.match.reference.id).toBe('refs/r.jpg');
    expect(found!.match.distance).toBeLessThanOrEqual(TURN_CLAIM_DISTANCE);
    expect(found!.method).toBe('turn-back');
    expect(Math.abs(found!.geometry.rotation + 1)).toBeLessThanOrEqual(0.5);
  }, 60_000);

  it('claims a vehicle capture skewed with corners cut off by the frame, from the part of its outline inside the frame', async () => {
    const audit = new SubImageMatcher(await indexOf(vehicle, 'vehicle-image'));
    const outcome = audit.match(await decoded(await warpCase('perspective-5-mixed', vehicle)));
    // Before: the whole outline warped upright, the frame's edge smeared past it, matched at 22-24 bits.
    expect(outcome.kind).toBe('match');
    if (outcome.kind !== 'match') return;
    expect(outcome.match.reference.id).toBe('refs/r.jpg');
    expect(outcome.match.distance).toBeLessThanOrEqual(20);
    expect(geometryOf(outcome.match)?.method).toBe('outline');
  }, 60_000);

  it('claims a plate crop on a monitor whose content came 50-70 rough bits from its reference', async () => {
    const crop = await scenes.plateCrop({ seed: 1003, plate: 'SAD4472' });
    const audit = new SubImageMatcher(await indexOf(crop, 'plate-image'));
    const outcome = audit.match(await decoded(await warpCase('monitor-right', crop)));
    // Before: the screen gate (50 bits) let no content quad of this photo through.
    expect(outcome.kind).toBe('match');
    if (outcome.kind !== 'match') return;
    expect(outcome.match.distance).toBeLessThanOrEqual(20);
    expect(geometryOf(outcome.match)?.method).toBe('screen');
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
