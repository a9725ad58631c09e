import type { LowRes } from './low-res.js';
import { edgesOf, houghLines, type Line } from './quad-lines.js';
import { ANGLES, angleOf } from './quad-steps.js';
import type { Point, Quad } from './warp-homography.js';

/**
 * Candidate quadrilaterals in the low-resolution plane where a turned or skewed picture may be:
 * four straight sides a few degrees off the axes (a picture on a canvas, a print photographed at an
 * angle, the bright screen inside a monitor's bezel), or, for a turned picture cropped to fill the
 * frame (no sides to find), the frame turned back by the dominant edge angle.
 */

/** Shortest side of a quad, as a share of the plane's side along it: a monitor photo's screen is larger. */
const MIN_SIDE_SHARE = 0.18;
/** Share of each side that must be edge (blur and moire break up a screen's edge less than this). */
const SIDE_COVERAGE = 0.7;
/** Sides all closer than this to the axes (degrees) are an upright rectangle: rectangles.ts looks for those. */
const UPRIGHT = 0.4;
/** How far a corner may lie beyond the frame (share of its side): a picture photographed at an angle may be cut off there. */
const OUTSIDE = 0.06;
/** Most quads returned, best framed first. */
const MAX_QUADS = 6;
/** Smallest turn (degrees) worth turning back: a degree costs PDQ ~26 bits, half of one the crop grid absorbs. */
const MIN_TURN = 0.75;
/**
 * A turn's lines must be this much stronger than the upright ones: a photo whose scene is upright
 * has its strongest lines there, while a turned picture keeps some upright strength from the votes
 * of its edges spread over +-2 degrees.
 */
const TURN_DOMINANCE = 1.1;

/** A candidate region and what turning it upright corrects. */
export interface QuadCandidate {
  /** Corners in low-resolution pixels (top-left, top-right, bottom-right, bottom-left). */
  quad: Quad;
  /** `quad`: four sides found; `turn`: the frame turned back by the dominant angle; `outline`: a picture's outline on a plain canvas (outline-quads.ts). */
  method: 'quad' | 'turn' | 'outline';
  /** Degrees the picture is turned (clockwise positive). */
  rotation: number;
  /** How clearly it is framed (least side coverage; 0 for a turn). */
  score: number;
}

/** Quads with four edge sides, then turn candidates; empty for most upright photos. */
export function quadCandidates(plane: LowRes): QuadCandidate[] {
  // On the whole 320 px plane: on a half-size one (a quarter of the work) a picture straightened by
  // 3 degrees was measured at 1.2 and missed.
  const { width: w, height: h } = plane;
  const edges = edgesOf(plane);
  const across = houghLines(edges, 'horizontal', Math.ceil(w * MIN_SIDE_SHARE * SIDE_COVERAGE));
  const down = houghLines(edges, 'vertical', Math.ceil(h * MIN_SIDE_SHARE * SIDE_COVERAGE));
  const out = quadsOf(across.lines, down.lines, w, h);
  for (const turn of dominantTurns(across.histogram, down.histogram))
    for (const quad of turnedFrames(w, h, turn)) out.push({ quad, method: 'turn', rotation: round1(turn), score: 0 });
  return out;
}

function quadsOf(across: Line[], down: Line[], w: number, h: number): QuadCandidate[] {
  const found: QuadCandidate[] = [];
  for (const top of across) {
    for (const bottom of across) {
      if (bottom.at - top.at < MIN_SIDE_SHARE * h) continue;
      for (const left of down) {
        for (const right of down) {
          if (right.at - left.at < MIN_SIDE_SHARE * w) continue;
          const sides = [top, right, bottom, left];
          if (sides.every((l) => Math.abs(slopeDegrees(l)) < UPRIGHT)) continue;
          const quad: Quad = [cross(top, left, w, h), cross(top, right, w, h), cross(bottom, right, w, h), cross(bottom, left, w, h)];
          if (quad.some((p) => p.x < -OUTSIDE * w || p.y < -OUTSIDE * h || p.x > (1 + OUTSIDE) * w || p.y > (1 + OUTSIDE) * h)) continue;
          const score = Math.min(
            covered(top, quad[0].x, quad[1].x),
            covered(bottom, quad[3].x, quad[2].x),
            covered(left, quad[0].y, quad[3].y),
            covered(right, quad[1].y, quad[2].y),
          );
          if (score < SIDE_COVERAGE) continue;
          const rotation = (slopeDegrees(top) + slopeDegrees(bottom) - slopeDegrees(left) - slopeDegrees(right)) / 4;
          found.push({ quad, method: 'quad', rotation: round1(rotation), score });
        }
      }
    }
  }
  found.sort((a, b) => b.score - a.score || area(b.quad) - area(a.quad));
  const distinct: QuadCandidate[] = [];
  for (const c of found) {
    if (distinct.some((d) => d.quad.every((p, i) => Math.abs(p.x - c.quad[i]!.x) <= 0.02 * w && Math.abs(p.y - c.quad[i]!.y) <= 0.02 * h))) continue;
    distinct.push(c);
    if (distinct.length === MAX_QUADS) break;
  }
  return distinct;
}

const slopeDegrees = (l: Line) => (Math.atan(l.slope) * 180) / Math.PI;
const round1 = (v: number) => Math.round(v * 10) / 10;

/** Where a near-horizontal and a near-vertical line cross (Line's parametrisation about the centre). */
function cross(a: Line, b: Line, w: number, h: number): Point {
  const cx = w / 2;
  const cy = h / 2;
  // y = a.at + s (x - cx); x = b.at + t (y - cy)
  const s = a.slope;
  const t = b.slope;
  const x = (b.at + t * (a.at - cy) - t * s * cx) / (1 - t * s);
  return { x, y: a.at + s * (x - cx) };
}

/** Share of the line between positions `from` and `to` along its axis that is edge. */
function covered(line: Line, from: number, to: number): number {
  const n = line.cover.length - 1;
  const a = Math.max(0, Math.min(n, Math.round(from)));
  const b = Math.max(0, Math.min(n, Math.round(to)));
  return b - a < 4 ? 0 : (line.cover[b]! - line.cover[a]!) / (b - a);
}

/** Shoelace area of a quad. */
export function area(q: Quad): number {
  let s = 0;
  for (let i = 0; i < 4; i++) s += q[i]!.x * q[(i + 1) % 4]!.y - q[(i + 1) % 4]!.x * q[i]!.y;
  return Math.abs(s) / 2;
}

/**
 * The angles (degrees, clockwise positive) along which the plane's edges line up best, off the
 * axes and at least as strong as the upright one, at most TURNS of them, strongest first. A
 * clockwise turn tilts horizontal edges by +angle and vertical ones by -angle (as Line slopes), so
 * the two line-strength profiles are added mirrored; each peak refined on a parabola.
 */
export function dominantTurns(across: Float64Array, down: Float64Array): number[] {
  const score = new Float64Array(ANGLES);
  for (let s = 0; s < ANGLES; s++) score[s] = across[s]! + down[ANGLES - 1 - s]!;
  const upright = score[(ANGLES - 1) / 2]!;
  const peaks: { angle: number; score: number }[] = [];
  for (let s = 1; s < ANGLES - 1; s++) {
    const [l, c, r] = [score[s - 1]!, score[s]!, score[s + 1]!];
    if (c <= l || c < r || c < TURN_DOMINANCE * upright) continue;
    const offset = l - 2 * c + r === 0 ? 0 : (0.5 * (l - r)) / (l - 2 * c + r);
    const angle = angleOf(s + offset);
    if (Math.abs(angle) >= MIN_TURN && Math.abs(angle) <= MAX_TURN) peaks.push({ angle, score: c });
  }
  return peaks
    .sort((a, b) => b.score - a.score)
    .slice(0, TURNS)
    .map((p) => p.angle);
}

/** Turn candidates tried per query: a portrait's few straight edges may peak a degree off the true turn. */
const TURNS = 2;
/** Largest turn turned back (degrees): beyond it the line search's range ends. */
const MAX_TURN = 11;

/**
 * Where an upright picture may lie in a w x h frame holding it turned by `turn` degrees: turned
 * and cropped to the largest rectangle of the frame's shape inside it (a photo editor's
 * straighten), the frame itself turned back (what it holds, its corners filled from its border),
 * or the whole picture it was cut from (larger than the frame: the part beyond the frame is filled
 * likewise); or turned on a canvas grown to hold it (an image viewer's turn), whose picture is the
 * rectangle that grew to exactly this frame.
 */
function turnedFrames(w: number, h: number, turn: number): Quad[] {
  const a = (Math.abs(turn) * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const f = Math.min(w / (w * cos + h * sin), h / (w * sin + h * cos));
  const out = [turnedRect(w, h, w, h, turn), turnedRect(w, h, w / f, h / f, turn)];
  const den = cos * cos - sin * sin;
  const pw = (w * cos - h * sin) / den;
  const ph = (h * cos - w * sin) / den;
  if (pw > MIN_SIDE_SHARE * w && ph > MIN_SIDE_SHARE * h) out.push(turnedRect(w, h, pw, ph, turn));
  return out;
}

/** A pw x ph rectangle centred in the frame, turned clockwise by `turn` degrees. */
function turnedRect(w: number, h: number, pw: number, ph: number, turn: number): Quad {
  const a = (turn * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const at = (dx: number, dy: number): Point => ({ x: w / 2 + dx * cos - dy * sin, y: h / 2 + dx * sin + dy * cos });
  return [at(-pw / 2, -ph / 2), at(pw / 2, -ph / 2), at(pw / 2, ph / 2), at(-pw / 2, ph / 2)];
}
