/** A point in continuous pixel coordinates (pixel i covers [i, i + 1)). */
export interface Point {
  x: number;
  y: number;
}

/** Four corners of a quadrilateral in the query: top-left, top-right, bottom-right, bottom-left. */
export type Quad = readonly [Point, Point, Point, Point];

/** A 3x3 projective transform, row-major, h[8] = 1. */
export type Homography = Float64Array;

/** Where `h` takes the point (x, y). */
export function mapPoint(h: Homography, x: number, y: number): Point {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  return { x: (h[0]! * x + h[1]! * y + h[2]!) / w, y: (h[3]! * x + h[4]! * y + h[5]!) / w };
}

/**
 * The homography taking the rectangle [0, width] x [0, height] onto `quad` (corner to corner), so
 * that sampling the query at mapPoint(h, u, v) for every output pixel (u, v) turns the quad back
 * into an upright picture. Undefined when the quad is degenerate (three corners on a line).
 */
export function rectToQuad(quad: Quad, width: number, height: number): Homography | undefined {
  const from: Point[] = [
    { x: 0, y: 0 },
    { x: width, y: 0 },
    { x: width, y: height },
    { x: 0, y: height },
  ];
  // The eight unknowns h0..h7 from x' (h6 x + h7 y + 1) = h0 x + h1 y + h2, and likewise for y'.
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = from[i]!;
    const { x: u, y: v } = quad[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  const solved = solve(a);
  return solved && Float64Array.from([...solved, 1]);
}

/** Gaussian elimination with partial pivoting of an n x (n + 1) augmented system. */
function solve(a: number[][]): number[] | undefined {
  const n = a.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-12) return undefined;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const row = a[col]!;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const other = a[r]!;
      const f = other[col]! / row[col]!;
      if (f !== 0) for (let c = col; c <= n; c++) other[c]! -= f * row[c]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}
