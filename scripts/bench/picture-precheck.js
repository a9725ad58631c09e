// @ts-check
/**
 * Line features of a quarter of the sub-image search's 320 px plane (80 px), for a pre-check of
 * whether a photo may hold a picture the rectangle and quad finders could frame (issue 19,
 * subimage-precheck.js): the best pair of parallel lines along each axis within 12 degrees of it,
 * as Hough votes (`across`, `down`: the weaker line's votes over the side) and as runs of edge
 * pixels with one-pixel gaps bridged (`runAcross`, `runDown`), and the dominant edge angle
 * (`turn`, degrees clockwise, horizontal and vertical profiles mirrored as quad-candidates.ts does).
 * Bench code: the gate it was measured for was not kept (the README's pictures-in-pictures cost).
 */
/** Quarter-plane downsampling factor. */
const QUARTER = 4;
/** Angles tried either way of an axis, degrees, one degree apart. */
const MAX_TURN = 12;
const ANGLES = 2 * MAX_TURN + 1;
/** A quarter-plane pixel is an edge at this Sobel magnitude (|gx| + |gy|) in grey levels. */
const MIN_GRADIENT = 48;
/** A pair's lines are at least this share of the side apart (rectangles.ts MIN_SIDE_SHARE). */
const MIN_GAP = 0.12;

const slopes = Float64Array.from({ length: ANGLES }, (_, i) => Math.tan(((i - MAX_TURN) * Math.PI) / 180));
/** The quarter plane's line features (PictureFeatures). */
/** @param {{ luma: Float32Array, width: number, height: number }} plane */
export function pictureFeatures(plane) {
  const w = Math.floor(plane.width / QUARTER);
  const h = Math.floor(plane.height / QUARTER);
  if (w < 8 || h < 8) return { across: 1, down: 1, turn: 0, runAcross: 1, runDown: 1 };
  const q = new Float32Array(w * h);
  const src = plane.luma;
  const pw = plane.width;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = 0; dy < QUARTER; dy++) {
        const row = (y * QUARTER + dy) * pw + x * QUARTER;
        s += (src[row] ?? 0) + (src[row + 1] ?? 0) + (src[row + 2] ?? 0) + (src[row + 3] ?? 0);
      }
      q[y * w + x] = s / (QUARTER * QUARTER);
    }
  const rowsH = h + 2 * Math.ceil(w * 0.25);
  const rowsV = w + 2 * Math.ceil(h * 0.25);
  const edgeH = new Uint8Array(w * h);
  const edgeV = new Uint8Array(w * h);
  const votesH = new Int32Array(ANGLES * rowsH);
  const votesV = new Int32Array(ANGLES * rowsV);
  const offH = Math.ceil(w * 0.25);
  const offV = Math.ceil(h * 0.25);
  const cx = w / 2;
  const cy = h / 2;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx = (q[i - w + 1] ?? 0) + 2 * (q[i + 1] ?? 0) + (q[i + w + 1] ?? 0) - (q[i - w - 1] ?? 0) - 2 * (q[i - 1] ?? 0) - (q[i + w - 1] ?? 0);
      const gy = (q[i + w - 1] ?? 0) + 2 * (q[i + w] ?? 0) + (q[i + w + 1] ?? 0) - (q[i - w - 1] ?? 0) - 2 * (q[i - w] ?? 0) - (q[i - w + 1] ?? 0);
      const ax = Math.abs(gx);
      const ay = Math.abs(gy);
      if (ax + ay < MIN_GRADIENT) continue;
      if (ay >= ax) edgeH[i] = edgeH[i - w] = edgeH[i + w] = 1;
      else edgeV[i] = edgeV[i - 1] = edgeV[i + 1] = 1;
      // Each edge votes in its own family (gradient across the line), for every angle.
      if (ay >= ax)
        for (let a = 0; a < ANGLES; a++) {
          const k = a * rowsH + offH + Math.round(y - (slopes[a] ?? 0) * (x - cx));
          votesH[k] = (votesH[k] ?? 0) + 1;
        }
      else
        for (let a = 0; a < ANGLES; a++) {
          const k = a * rowsV + offV + Math.round(x - (slopes[a] ?? 0) * (y - cy));
          votesV[k] = (votesV[k] ?? 0) + 1;
        }
    }
  const across = bestPair(votesH, rowsH, Math.ceil(MIN_GAP * h)) / w;
  const down = bestPair(votesV, rowsV, Math.ceil(MIN_GAP * w)) / h;
  // A clockwise turn tilts horizontal lines by +a and vertical ones by -a: their profiles mirrored.
  let bestAngle = MAX_TURN;
  let bestScore = -1;
  for (let a = 0; a < ANGLES; a++) {
    const score = concentration(votesH, a, rowsH) + concentration(votesV, ANGLES - 1 - a, rowsV);
    if (score > bestScore) {
      bestScore = score;
      bestAngle = a;
    }
  }
  const runAcross = runPair(edgeH, w, h, 1, w, Math.ceil(MIN_GAP * h)) / w;
  const runDown = runPair(edgeV, h, w, w, 1, Math.ceil(MIN_GAP * w)) / h;
  return { across, down, turn: bestAngle - MAX_TURN, runAcross, runDown };
}

/**
 * Longest runs along lines of every other angle (2 degrees apart) through a bitmap, `len` pixels
 * long (step `along` between them) and `rows` lines across (step `across`), and the best pair.
 * @param {Uint8Array} edges @param {number} len @param {number} rows @param {number} along @param {number} across @param {number} gap
 */
function runPair(edges, len, rows, along, across, gap) {
  const c = len / 2;
  const runs = new Int32Array(rows);
  let best = 0;
  for (let a = 0; a < ANGLES; a += 2) {
    const s = slopes[a] ?? 0;
    for (let r = 0; r < rows; r++) {
      let run = 0;
      let miss = 0;
      let longest = 0;
      for (let x = 0; x < len; x++) {
        const y = Math.round(r + s * (x - c));
        if (y >= 0 && y < rows && (edges[x * along + y * across] ?? 0) === 1) {
          run += miss + 1;
          miss = 0;
          if (run > longest)
            longest = run;
        }
        else if (++miss > 1) {
          run = 0;
          miss = 0;
        }
      }
      runs[r] = longest;
    }
    let prefix = 0;
    for (let r = gap; r < rows; r++) {
      prefix = Math.max(prefix, (runs[r - gap] ?? 0));
      const pair = Math.min(prefix, (runs[r] ?? 0));
      if (pair > best)
        best = pair;
    }
  }
  return best;
}

/** Largest min(votes) of two lines of one angle at least `gap` apart. @param {Int32Array} votes @param {number} rows @param {number} gap */
function bestPair(votes, rows, gap) {
  let best = 0;
  for (let a = 0; a < ANGLES; a++) {
    const base = a * rows;
    let prefix = 0;
    for (let r = gap; r < rows; r++) {
      prefix = Math.max(prefix, (votes[base + r - gap] ?? 0));
      const pair = Math.min(prefix, (votes[base + r] ?? 0));
      if (pair > best)
        best = pair;
    }
  }
  return best;
}

/** Sum of squared votes of one angle: large where its edges gather on few lines. @param {Int32Array} votes @param {number} a @param {number} rows */
function concentration(votes, a, rows) {
  let s = 0;
  for (let r = a * rows; r < (a + 1) * rows; r++)
    s += (votes[r] ?? 0) * (votes[r] ?? 0);
  return s;
}
