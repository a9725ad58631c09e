import { describe, expect, it } from 'vitest';
import { ANGLES, stepByAngle, stepOf } from '../../src/identify/subimage/quad-steps.js';

/** The double just below or above `x`. */
function nextDouble(x: number, up: boolean): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  // Positive doubles grow with their bits, negative ones shrink.
  view.setBigUint64(0, x > 0 === up ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

describe('angle steps of the line transform (quad-steps.ts)', () => {
  it('gives every slope the step of its own arctangent, on both sides of every step change', () => {
    // The table counts thresholds found by bisection; a threshold one double off would show here.
    let changes = 0;
    for (let x = -0.3; x <= 0.3; x += 1e-5) {
      const a = stepByAngle(x);
      expect(stepOf(x)).toBe(a);
      const next = stepByAngle(x + 1e-5);
      if (next === a) continue;
      changes++;
      // Bisect to the change, then the doubles either side of it.
      let lo = x;
      let hi = x + 1e-5;
      for (let mid = (lo + hi) / 2; mid !== lo && mid !== hi; mid = (lo + hi) / 2)
        if (stepByAngle(mid) === a) lo = mid;
        else hi = mid;
      for (const y of [lo, hi, nextDouble(lo, false), nextDouble(hi, true)]) expect(stepOf(y)).toBe(stepByAngle(y));
    }
    expect(changes).toBe(ANGLES - 1);
  });

  it('gives the slopes of gradients in 1/1024 luma, the plane unit, their arctangent step', () => {
    for (let gy = 1; gy <= 1020 * 1024; gy += 997)
      for (const gx of [-0.27 * gy, -0.13 * gy, -0.002 * gy, 0.05 * gy, 0.2 * gy].map(Math.round)) expect(stepOf(-gx / gy)).toBe(stepByAngle(-gx / gy));
  });
});
