// @ts-check
/** Small SVG and colour helpers shared by the scene painters. */

/**
 * CSS colour from HSL (h in degrees, s and l in 0..1), as #rrggbb so librsvg never guesses.
 * @param {number} h
 * @param {number} s
 * @param {number} l
 */
export function hsl(h, s, l) {
  const k = (/** @type {number} */ n) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (/** @type {number} */ n) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return `#${[f(0), f(8), f(4)].map((v) => Math.round(Math.max(0, Math.min(1, v)) * 255).toString(16).padStart(2, '0')).join('')}`;
}

/**
 * An SVG document of the given size around `body`.
 * @param {number} width
 * @param {number} height
 * @param {string} body
 */
export function svgDoc(width, height, body) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`;
}

/**
 * Rounds a coordinate to 0.01 px so SVG text stays short and stable.
 * @param {number} v
 */
export const n = (v) => Math.round(v * 100) / 100;

/**
 * Polygon points attribute from [x, y] pairs.
 * @param {ReadonlyArray<readonly [number, number]>} points
 */
export const pts = (points) => points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ');
