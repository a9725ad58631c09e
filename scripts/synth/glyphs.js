// @ts-check
/**
 * A small stroke font (A-Z, 0-9 and a little punctuation) drawn as SVG paths. Plates and overlay
 * text use it instead of SVG <text> because text goes through fontconfig: a machine with other (or
 * no) fonts would render other pixels, and plates with different characters could even come out
 * identical. Paths make the pictures depend on sharp's librsvg only.
 *
 * Glyphs live on a 4 x 6 grid (x right, y down); each is a list of polylines "x,y x,y ...".
 */

/** @type {Record<string, readonly string[]>} */
const GLYPHS = {
  '0': ['1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,1 1,0', '3.6,0.6 0.4,5.4'],
  '1': ['1,1 2,0 2,6', '1,6 3,6'],
  '2': ['0,1 1,0 3,0 4,1 4,2 0,6 4,6'],
  '3': ['0,0 4,0 2,2.5 3,2.5 4,3.5 4,5 3,6 1,6 0,5'],
  '4': ['3,6 3,0 0,4 4,4'],
  '5': ['4,0 0,0 0,2.5 3,2.5 4,3.5 4,5 3,6 0,6'],
  '6': ['3,0 1,0 0,1 0,5 1,6 3,6 4,5 4,3.5 3,2.5 0,2.5'],
  '7': ['0,0 4,0 1.5,6'],
  '8': ['1,0 3,0 4,1 4,2 3,3 1,3 0,2 0,1 1,0', '1,3 0,4 0,5 1,6 3,6 4,5 4,4 3,3'],
  '9': ['4,3.5 1,3.5 0,2.5 0,1 1,0 3,0 4,1 4,5 3,6 1,6'],
  A: ['0,6 0,2 2,0 4,2 4,6', '0,3.5 4,3.5'],
  B: ['0,0 0,6 3,6 4,5 4,4 3,3 0,3', '0,0 3,0 4,1 4,2 3,3'],
  C: ['4,1 3,0 1,0 0,1 0,5 1,6 3,6 4,5'],
  D: ['0,0 0,6 2.5,6 4,4.5 4,1.5 2.5,0 0,0'],
  E: ['4,0 0,0 0,6 4,6', '0,3 3,3'],
  F: ['4,0 0,0 0,6', '0,3 3,3'],
  G: ['4,1 3,0 1,0 0,1 0,5 1,6 3,6 4,5 4,3.5 2.5,3.5'],
  H: ['0,0 0,6', '4,0 4,6', '0,3 4,3'],
  I: ['1,0 3,0', '2,0 2,6', '1,6 3,6'],
  J: ['4,0 4,5 3,6 1,6 0,5'],
  K: ['0,0 0,6', '4,0 0,3.5', '1.2,2.8 4,6'],
  L: ['0,0 0,6 4,6'],
  M: ['0,6 0,0 2,3 4,0 4,6'],
  N: ['0,6 0,0 4,6 4,0'],
  O: ['1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,1 1,0'],
  P: ['0,6 0,0 3,0 4,1 4,2 3,3 0,3'],
  Q: ['1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,1 1,0', '2.5,4.5 4,6'],
  R: ['0,6 0,0 3,0 4,1 4,2 3,3 0,3', '2,3 4,6'],
  S: ['4,1 3,0 1,0 0,1 0,2 1,3 3,3 4,4 4,5 3,6 1,6 0,5'],
  T: ['0,0 4,0', '2,0 2,6'],
  U: ['0,0 0,5 1,6 3,6 4,5 4,0'],
  V: ['0,0 2,6 4,0'],
  W: ['0,0 1,6 2,3 3,6 4,0'],
  X: ['0,0 4,6', '4,0 0,6'],
  Y: ['0,0 2,3 4,0', '2,3 2,6'],
  Z: ['0,0 4,0 0,6 4,6'],
  '-': ['1,3 3,3'],
  ':': ['2,1.6 2,2', '2,4.4 2,4.8'],
  '.': ['2,5.6 2,6'],
  '/': ['4,0 0,6'],
  '(': ['3,0 2,1 2,5 3,6'],
  ')': ['1,0 2,1 2,5 1,6'],
  '©': ['1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,1 1,0', '3,2 2.5,1.7 1.5,1.7 1.2,2.2 1.2,3.8 1.5,4.3 2.5,4.3 3,4'],
  ' ': [],
};

/** Characters the font can draw (lower case is drawn as upper case). */
export const GLYPH_CHARS = Object.keys(GLYPHS).join('');

/**
 * @typedef {object} StrokeTextOptions
 * @property {number} x left edge (or centre/right edge, see anchor)
 * @property {number} y top of the capitals
 * @property {number} size cap height in pixels
 * @property {string} [color] stroke colour, default black
 * @property {number} [weight] stroke width as a fraction of size, default 0.12
 * @property {number} [tracking] gap between glyphs as a fraction of size, default 0.2
 * @property {'start' | 'middle' | 'end'} [anchor] default 'start'
 * @property {number} [opacity] default 1
 */

/**
 * Advance width of `text` in pixels at cap height `size`.
 * @param {string} text
 * @param {number} size
 * @param {number} [tracking]
 */
export function textWidth(text, size, tracking = 0.2) {
  const unit = size / 6;
  return text.length === 0 ? 0 : text.length * 4 * unit + (text.length - 1) * tracking * size;
}

/**
 * SVG for `text` as stroked paths. Characters outside the font are drawn as a small box so that
 * they still change the picture rather than vanish silently.
 * @param {string} text
 * @param {StrokeTextOptions} options
 * @returns {string} one SVG <path> element
 */
export function strokeText(text, options) {
  const { size, color = '#000', weight = 0.12, tracking = 0.2, anchor = 'start', opacity = 1 } = options;
  const unit = size / 6;
  const width = textWidth(text, size, tracking);
  let x = anchor === 'middle' ? options.x - width / 2 : anchor === 'end' ? options.x - width : options.x;
  const parts = [];
  for (const ch of text.toUpperCase()) {
    const glyph = GLYPHS[ch] ?? ['0.5,1 3.5,1 3.5,5 0.5,5 0.5,1'];
    for (const line of glyph) {
      const points = line.split(' ').map((pair) => {
        const [gx = 0, gy = 0] = pair.split(',').map(Number);
        return `${r(x + gx * unit)},${r(options.y + gy * unit)}`;
      });
      parts.push(`M${points.join('L')}`);
    }
    x += 4 * unit + tracking * size;
  }
  return `<path d="${parts.join('')}" fill="none" stroke="${color}" stroke-width="${r(weight * size)}" stroke-linecap="round" stroke-linejoin="round" opacity="${opacity}"/>`;
}

/** @param {number} v */
const r = (v) => Math.round(v * 100) / 100;
