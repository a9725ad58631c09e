import type { Rect } from './pdq-hasher.js';

/** Percent trimmed from each side of the reference: top, right, bottom, left. */
export type Crop = readonly [top: number, right: number, bottom: number, left: number];

/** The `variant` string stored in PdqEntry for a crop (`full` for none). */
export const cropVariant = (crop: Crop): string => (crop.every((v) => v === 0) ? 'full' : `crop:${crop.join(',')}`);

/** Parses a variant string back to a crop; undefined for unknown variants. */
export function parseVariant(variant: string): Crop | undefined {
  if (variant === 'full') return [0, 0, 0, 0];
  const m = /^crop:(\d+(?:\.\d+)?),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(variant);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : undefined;
}

/** The pixel rectangle of `crop` (percent per side) inside `outer`. */
export function cropRect(outer: Rect, crop: Crop): Rect {
  const [t, r, b, l] = crop;
  const x0 = outer.x + Math.round((outer.width * l) / 100);
  const x1 = outer.x + outer.width - Math.round((outer.width * r) / 100);
  const y0 = outer.y + Math.round((outer.height * t) / 100);
  const y1 = outer.y + outer.height - Math.round((outer.height * b) / 100);
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}
