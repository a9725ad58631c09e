import type { PixelImage } from '../pdq/borders.js';
import type { LowRes } from './low-res.js';
import type { QuadCandidate } from './quad-candidates.js';
import type { Point, Quad } from './warp-homography.js';

/**
 * The outline of a picture on a plain canvas (method `outline`): turned by an image viewer (the
 * canvas grown to hold it), or a print photographed at an angle on a plain table. The line search
 * (quad-lines.ts) votes for every straight edge, and a plate crop's own plate border, tilted a
 * degree or two inside the crop, outvotes the crop's frame: the quads it builds mix the two, and
 * their rough hashes came 80-100 bits from the reference. Here the canvas itself says where the
 * picture is: from each side of the plane, the first pixel of each column (row) that is not canvas
 * lies on the picture's side facing it, and a line fitted to those points (robustly: the points of
 * the neighbouring sides near a corner are a minority) is that side. A side the frame cuts off
 * (a corner moved outward, past the frame) is the frame's own edge there.
 */

/** Grey-level difference from the canvas that counts as picture (JPEG ringing at q85 stays under it). */
const CANVAS_TOLERANCE = 10;
/**
 * Share of the plane's outermost ring that must be within RING_TOLERANCE of one frame corner's grey
 * level before any outline is looked for, and that tolerance: a canvas is flat in the box-averaged
 * plane. Measured (the robustness bench's turned and skewed copies, 161 unrelated images of
 * subimage-cost.js): canvas turns and inward skews 0.91-1.00, skews cut off by the frame 0.41-0.43;
 * camera photos and synthetic scenes at most 0.34 but for flat test images, scans and a trail camera's
 * frame (8 of 161, 0.41-1.00), where the tolerance of 10 passed 131 of them.
 */
const CANVAS_SHARE = 0.35;
const RING_TOLERANCE = 4;
/** How far into the plane (share of the side) a profile looks for the picture: a plate turned 10 degrees on its canvas starts 37% in at its corners. */
const DEPTH = 0.45;
/**
 * Sides must be this close to the axes (slope). Wider than the line search's 13 degrees: a corner
 * moved by 5% of a plate crop's width moves its short side by 18 degrees.
 */
const MAX_SLOPE = 0.5;
/** Largest distance (plane pixels) a profile point may lie off its fitted side and count for it. */
const INLIER = 1.5;
/**
 * Share of a fitted side's profile points that must lie on it (a ragged edge is no outline), and
 * share of its length between its corners that must be on it or past the frame (a side the frame
 * cuts off halfway is seen for half its length).
 */
const MIN_INLIERS = 0.6;
const MIN_SUPPORT = 0.5;
/** Sides of a quad closer than this to the axes (degrees) are an upright rectangle: rectangles.ts finds those. */
const UPRIGHT = 0.4;
/** Smallest outline, as a share of the plane's area. */
const MIN_AREA = 0.25;

/** A side as fitted: `at + slope * t` across the profile's axis, and how many points agreed. */
interface Side {
  at: number;
  slope: number;
  support: number;
  /** Profile points past the frame (the picture runs beyond it there). */
  beyond: number;
  /** The frame's own edge (the side is cut off), not a fitted one. */
  cut: boolean;
}

/**
 * At most one outline quad of the plane: empty unless its ring is mostly one plain canvas colour.
 * `canvas`: the plane's canvasLevel, when the caller has tested the ring already.
 */
export function outlineQuads(plane: LowRes, image?: PixelImage, canvas = canvasLevel(plane)): QuadCandidate[] {
  if (canvas === undefined) return [];
  const { width: w, height: h } = plane;
  const fitted = (facing: Facing) => {
    const coarse = side(plane, canvas, facing);
    return coarse && image && !coarse.cut ? (refined(image, plane, canvas, facing, coarse) ?? coarse) : coarse;
  };
  const top = fitted('top');
  const bottom = fitted('bottom');
  const left = fitted('left');
  const right = fitted('right');
  const sides = [top, right, bottom, left];
  if (sides.some((s) => s === undefined)) return [];
  const [t, r, b, l] = sides as [Side, Side, Side, Side];
  // Three sides at least must be seen: a canvas-coloured sky above a landscape gives one.
  if (sides.filter((s) => s?.cut).length > 1) return [];
  if (sides.every((s) => Math.abs(Math.atan((s as Side).slope) * 180) / Math.PI < UPRIGHT)) return [];
  const quad: Quad = [cross(t, l), cross(t, r), cross(b, r), cross(b, l)];
  if (shoelace(quad) < MIN_AREA * w * h) return [];
  // Each fitted side must be mostly edge between its corners.
  const lengths = [quad[1].x - quad[0].x, quad[2].y - quad[1].y, quad[2].x - quad[3].x, quad[3].y - quad[0].y];
  for (let i = 0; i < 4; i++) {
    const s = sides[i] as Side;
    if (!s.cut && s.support + s.beyond < MIN_SUPPORT * (lengths[i] as number)) return [];
  }
  const rotation = ((Math.atan(t.slope) + Math.atan(b.slope) - Math.atan(l.slope) - Math.atan(r.slope)) * 45) / Math.PI;
  return [{ quad, method: 'outline', rotation: Math.round(rotation * 10) / 10, score: 1 }];
}

/**
 * The canvas's grey level: the level (of the four frame corners') that most of the plane's outermost
 * ring is within RING_TOLERANCE of, when at least CANVAS_SHARE of the ring is; else undefined.
 */
export function canvasLevel(plane: LowRes): number | undefined {
  const { luma, width: w, height: h } = plane;
  if (w < 16 || h < 16) return undefined;
  const ring = 2 * (w + h) - 4;
  let best: { level: number; count: number } | undefined;
  for (const level of [luma[0]!, luma[w - 1]!, luma[(h - 1) * w]!, luma[h * w - 1]!]) {
    let count = 0;
    const near = (i: number) => (Math.abs(luma[i]! - level) <= RING_TOLERANCE ? 1 : 0);
    for (let x = 0; x < w; x++) count += near(x) + near((h - 1) * w + x);
    for (let y = 1; y < h - 1; y++) count += near(y * w) + near(y * w + w - 1);
    if (!best || count > best.count) best = { level, count };
  }
  return best && best.count >= CANVAS_SHARE * ring ? best.level : undefined;
}

type Facing = 'top' | 'bottom' | 'left' | 'right';

/**
 * The picture's side facing one side of the plane: for each column (top, bottom) or row (left,
 * right), the depth of the first pixel off the canvas; the points at depth 0 are where the picture
 * runs past the frame. A side with no point off the frame is cut; one with too few points is none.
 */
function side(plane: LowRes, canvas: number, facing: Facing): Side | undefined {
  const { luma, width: w, height: h } = plane;
  const across = facing === 'top' || facing === 'bottom' ? w : h;
  const deep = facing === 'top' || facing === 'bottom' ? h : w;
  const limit = Math.floor(DEPTH * deep);
  const ts: number[] = [];
  const ds: number[] = [];
  let atFrame = 0;
  for (let t = 0; t < across; t++) {
    for (let d = 0; d < limit; d++) {
      const x = facing === 'top' || facing === 'bottom' ? t : facing === 'left' ? d : w - 1 - d;
      const y = facing === 'left' || facing === 'right' ? t : facing === 'top' ? d : h - 1 - d;
      if (Math.abs(luma[y * w + x]! - canvas) <= CANVAS_TOLERANCE) continue;
      if (d === 0) atFrame++;
      else {
        ts.push(t + 0.5);
        // The edge is between the last canvas pixel and this one: its position in continuous coordinates.
        ds.push(facing === 'top' || facing === 'left' ? d : deep - d);
      }
      break;
    }
  }
  const frameEdge = facing === 'top' || facing === 'left' ? 0 : deep;
  if (ts.length < 8) return atFrame > across / 2 ? { at: frameEdge, slope: 0, support: 0, beyond: atFrame, cut: true } : undefined;
  const fit = theilSen(ts, ds);
  if (Math.abs(fit.slope) > MAX_SLOPE) return undefined;
  let support = 0;
  for (let i = 0; i < ts.length; i++) if (Math.abs(ds[i]! - (fit.at + fit.slope * ts[i]!)) <= INLIER) support++;
  return support >= MIN_INLIERS * ts.length ? { ...fit, support, beyond: atFrame, cut: false } : undefined;
}

/**
 * The side fitted again on the full-resolution pixels, in plane units; undefined where too few
 * points agree (the plane's fit stands). The plane samples one point per box when the query is
 * under twice its size: a plate crop's short side, its depth changing 3 pixels over its run, was
 * fitted to whole plane pixels, its slope 0.016-0.019 where the picture's was 0.024, and the corner
 * it extrapolated past the frame landed 2 query pixels off, enough to miss the stored views
 * (robustness bench, perspective-5-mixed). Here each column (row) is read in a band of two plane
 * pixels either side of the plane's side, and the edge placed inside its pixel by the share of it
 * the picture covers. Runs only for an outline found, which few unrelated images have.
 */
function refined(image: PixelImage, plane: LowRes, canvas: number, facing: Facing, coarse: Side): Side | undefined {
  const { pixels, width: W, height: H, channels } = image;
  const vertical = facing === 'top' || facing === 'bottom';
  const sa = vertical ? plane.scaleX : plane.scaleY;
  const sd = vertical ? plane.scaleY : plane.scaleX;
  const across = vertical ? W : H;
  const deep = vertical ? H : W;
  const luma = (t: number, d: number): number => {
    const x = vertical ? t : facing === 'left' ? d : W - 1 - d;
    const y = vertical ? (facing === 'top' ? d : H - 1 - d) : t;
    const i = (y * W + x) * channels;
    return channels >= 3 ? (77 * pixels[i]! + 150 * pixels[i + 1]! + 29 * pixels[i + 2]!) / 256 : pixels[i]!;
  };
  const band = 2 * sd;
  const step = Math.max(1, Math.floor(across / 512));
  const ts: number[] = [];
  const ds: number[] = [];
  for (let t = 0; t < across; t += step) {
    // The plane's side, as a depth from this side of the query (plane `deep - d` for bottom and right).
    const planeDepth = coarse.at + coarse.slope * ((t + 0.5) / sa);
    const depth = (vertical ? facing === 'top' : facing === 'left') ? planeDepth * sd : deep - planeDepth * sd;
    const from = Math.max(0, Math.floor(depth - band));
    const to = Math.min(deep - 1, Math.ceil(depth + band));
    for (let d = from; d < to; d++) {
      const level = luma(t, d);
      if (Math.abs(level - canvas) <= CANVAS_TOLERANCE) continue;
      // At the band's start the edge may lie before it; at the frame it is past it.
      if (d > from) {
        const edge = d + 1 - covered(level, luma(t, d + 1), canvas);
        ts.push((t + 0.5) / sa);
        ds.push((vertical ? facing === 'top' : facing === 'left') ? edge / sd : (deep - edge) / sd);
      }
      break;
    }
  }
  if (ts.length < 8) return undefined;
  const fit = theilSen(ts, ds);
  let support = 0;
  for (let i = 0; i < ts.length; i++) if (Math.abs(ds[i]! - (fit.at + fit.slope * ts[i]!)) <= INLIER) support++;
  // Support counted in plane pixels, as the plane's fit counts it (the sides' support test).
  return support >= MIN_INLIERS * ts.length ? { ...fit, support: coarse.support, beyond: coarse.beyond, cut: false } : undefined;
}

/**
 * The share of a pixel of level `level` that the picture covers, the picture's level read from its
 * inner neighbour `inner`: all of it where that neighbour is as near the canvas's level (a thin
 * line, a picture whose edge is near the canvas), so the edge is then the pixel's boundary.
 */
function covered(level: number, inner: number, canvas: number): number {
  const contrast = inner - canvas;
  const share = (level - canvas) / contrast;
  if (Math.abs(contrast) <= CANVAS_TOLERANCE || !(share > 0)) return 1;
  return Math.min(1, share);
}

/**
 * A robust line through (t, d): the median slope of pairs half the points apart, then the median
 * intercept. The points of the neighbouring sides (a steep run near each corner) are outliers.
 */
function theilSen(ts: readonly number[], ds: readonly number[]): { at: number; slope: number } {
  const half = ts.length >> 1;
  const slopes: number[] = [];
  for (let i = 0; i + half < ts.length; i++) slopes.push((ds[i + half]! - ds[i]!) / (ts[i + half]! - ts[i]!));
  const slope = median(slopes);
  return { slope, at: median(ts.map((t, i) => ds[i]! - slope * t)) };
}

function median(values: number[]): number {
  const sorted = values.sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Where a horizontal side (y = at + slope x) and a vertical one (x = at + slope y) cross. */
function cross(across: Side, down: Side): Point {
  const x = (down.at + down.slope * across.at) / (1 - down.slope * across.slope);
  return { x, y: across.at + across.slope * x };
}

function shoelace(q: Quad): number {
  let s = 0;
  for (let i = 0; i < 4; i++) s += q[i]!.x * q[(i + 1) % 4]!.y - q[(i + 1) % 4]!.x * q[i]!.y;
  return Math.abs(s) / 2;
}
