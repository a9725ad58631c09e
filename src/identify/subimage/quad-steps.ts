/**
 * The angle steps of the line search (quad-lines.ts): the accumulator's angles and slopes, and the
 * step of an edge pixel's slope, which the edge pass asks for every edge pixel of every query.
 */

/** Largest angle off the axis searched, degrees: a 10-degree turn plus a 5% corner move. */
export const MAX_ANGLE = 13;
/** Angle step of the accumulator, degrees. */
const STEP = 0.25;
export const ANGLES = Math.round((2 * MAX_ANGLE) / STEP) + 1;

const slopeOf = (step: number) => Math.tan(((step * STEP - MAX_ANGLE) * Math.PI) / 180);
/** The slope (tangent) of each accumulator step. */
export const SLOPES = Float64Array.from({ length: ANGLES }, (_, s) => slopeOf(s));
/** The angle in degrees of an accumulator step. */
export const angleOf = (step: number) => step * STEP - MAX_ANGLE;

/** Largest slope an edge pixel may have (MAX_ANGLE and two degrees of noise). */
export const EDGE_LIMIT = Math.tan(((MAX_ANGLE + 2) * Math.PI) / 180);

/** The accumulator step of a slope, by definition: its angle to the nearest STEP, clamped to the range. */
export function stepByAngle(slope: number): number {
  const step = Math.round(((Math.atan(slope) * 180) / Math.PI + MAX_ANGLE) / STEP);
  return Math.max(0, Math.min(ANGLES - 1, step));
}

/**
 * THRESHOLDS[k]: the least slope whose step (stepByAngle) is at least k, found by bisection over
 * doubles, so counting the thresholds a slope reaches gives stepByAngle's own answer for every
 * slope, as long as the arctangent is monotonic. An arctangent per edge pixel was measured at about
 * a third of the edge pass (0.3 of 1.0 ms per 320 x 240 plane).
 */
export const THRESHOLDS = Float64Array.from({ length: ANGLES }, (_, k) => {
  if (k === 0) return -Infinity;
  let lo = -1;
  let hi = 1;
  for (;;) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) return hi;
    if (stepByAngle(mid) >= k) hi = mid;
    else lo = mid;
  }
});
/** Buckets of slope over [-EDGE_LIMIT, EDGE_LIMIT], each narrower than a step (0.25 degree is 0.0044 in slope). */
export const BUCKETS = 512;
export const BUCKET_SCALE = BUCKETS / (2 * EDGE_LIMIT);
/** A step at most that of any slope in the bucket (one less than at its lower edge, for rounding): where the count starts. */
export const BUCKET_START = Uint8Array.from({ length: BUCKETS }, (_, j) => Math.max(0, stepByAngle(j / BUCKET_SCALE - EDGE_LIMIT) - 1));

/** stepByAngle(slope), from the bucket's first step and the one or two thresholds above it. */
export function stepOf(slope: number): number {
  const j = Math.max(0, Math.min(BUCKETS - 1, Math.floor((slope + EDGE_LIMIT) * BUCKET_SCALE)));
  let s = BUCKET_START[j]!;
  while (s < ANGLES - 1 && slope >= THRESHOLDS[s + 1]!) s++;
  return s;
}
