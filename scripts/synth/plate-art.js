// @ts-check
/**
 * The one licence-plate template of the synthetic jurisdiction. Every plate, on a vehicle or in a
 * crop, uses it, so plates differ only by their characters (and by wear and light): exactly the hard
 * negatives a plate matcher must tell apart.
 */
import { strokeText, textWidth } from './glyphs.js';
import { n } from './svg-util.js';

/** Template colours, fixed for the jurisdiction. */
export const PLATE_TEMPLATE = Object.freeze({
  ground: '#f3efe0',
  ink: '#1c2a55',
  header: 'FRONTIER STATE',
  footer: 'BORDER LANE',
  aspect: 10 / 3,
});

/**
 * SVG group drawing `plate` in a box.
 * @param {string} plate the registration, e.g. 'ABC1234'
 * @param {{ x: number, y: number, width: number }} box height follows the template aspect
 * @returns {string}
 */
export function plateSvg(plate, { x, y, width }) {
  const height = width / PLATE_TEMPLATE.aspect;
  const { ground, ink, header, footer } = PLATE_TEMPLATE;
  const border = width * 0.018;
  const charSize = height * 0.5;
  // Long registrations are squeezed, as real plates do, rather than overflowing the template.
  const natural = textWidth(plate, charSize, 0.16);
  const squeeze = Math.min(1, (width * 0.86) / natural);
  const cx = x + width / 2;
  const text = strokeText(plate, { x: 0, y: 0, size: charSize, color: ink, weight: 0.13, tracking: 0.16, anchor: 'middle' });
  return [
    `<rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" rx="${n(height * 0.08)}" fill="${ground}"/>`,
    `<rect x="${n(x + border)}" y="${n(y + border)}" width="${n(width - 2 * border)}" height="${n(height - 2 * border)}" rx="${n(height * 0.06)}" fill="none" stroke="${ink}" stroke-width="${n(border * 0.9)}"/>`,
    `<rect x="${n(x + border * 2)}" y="${n(y + border * 2)}" width="${n(width - 4 * border)}" height="${n(height * 0.17)}" fill="${ink}" opacity="0.12"/>`,
    strokeText(header, { x: cx, y: y + height * 0.07, size: height * 0.1, color: ink, weight: 0.14, anchor: 'middle' }),
    `<g transform="translate(${n(cx)} ${n(y + height * 0.3)}) scale(${n(squeeze)} 1)">${text}</g>`,
    strokeText(footer, { x: cx, y: y + height * 0.86, size: height * 0.07, color: ink, weight: 0.14, anchor: 'middle' }),
    `<circle cx="${n(x + width * 0.1)}" cy="${n(y + height * 0.19)}" r="${n(height * 0.035)}" fill="#8a8a8a"/>`,
    `<circle cx="${n(x + width * 0.9)}" cy="${n(y + height * 0.19)}" r="${n(height * 0.035)}" fill="#8a8a8a"/>`,
  ].join('');
}
