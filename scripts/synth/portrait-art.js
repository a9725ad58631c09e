// @ts-check
/**
 * SVG painter for synthetic passport-style portraits: flat shapes for head, hair, shoulders and
 * features, with per-seed geometry, tones and lighting. Deliberately cartoon-like and stamped
 * SYNTHETIC, so no one can mistake a fixture for a person.
 */
import { strokeText } from './glyphs.js';
import { rng } from './prng.js';
import { hsl, n } from './svg-util.js';

export const PORTRAIT_WIDTH = 600;
export const PORTRAIT_HEIGHT = 800;

/**
 * @param {number} seed
 * @returns {string} SVG body
 */
export function portraitSvg(seed) {
  const r = rng(seed);
  const W = PORTRAIT_WIDTH;
  const H = PORTRAIT_HEIGHT;
  const cx = W / 2 + r.float(-40, 40);
  const cy = r.float(300, 370);
  const rx = r.float(110, 150);
  const ry = rx * r.float(1.22, 1.45);
  const skin = hsl(r.float(18, 34), r.float(0.3, 0.6), r.float(0.28, 0.8));
  const skinShade = hsl(r.float(15, 30), 0.35, 0.22);
  const hair = hsl(r.float(10, 40), r.float(0.1, 0.6), r.float(0.06, 0.75));
  const bgHue = r.float(180, 230);
  const cloth = hsl(r.float(0, 360), r.float(0.1, 0.6), r.float(0.15, 0.6));
  const lightAngle = r.float(0, 1);
  const parts = [
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="${n(r.next())}" y2="1"><stop offset="0" stop-color="${hsl(bgHue, r.float(0.05, 0.3), r.float(0.75, 0.92))}"/><stop offset="1" stop-color="${hsl(bgHue, 0.15, r.float(0.55, 0.75))}"/></linearGradient>`,
    `<radialGradient id="face" cx="${n(0.3 + 0.4 * lightAngle)}" cy="0.35" r="0.8"><stop offset="0" stop-color="${skin}"/><stop offset="1" stop-color="${skinShade}"/></radialGradient>`,
    `<linearGradient id="lamp" x1="${n(lightAngle)}" y1="0" x2="${n(1 - lightAngle)}" y2="1"><stop offset="0" stop-color="#ffffff" stop-opacity="${n(r.float(0.05, 0.3))}"/><stop offset="1" stop-color="#000000" stop-opacity="${n(r.float(0.05, 0.35))}"/></linearGradient></defs>`,
    `<rect width="${W}" height="${H}" fill="url(#bg)"/>`,
  ];
  // Bald is one style in six: hair outlines are a large part of what tells two portraits apart.
  const hairStyle = r.pick(['short', 'long', 'bun', 'curly', 'short', 'none']);
  if (hairStyle === 'long') {
    parts.push(`<path d="M${n(cx - rx * 1.15)},${n(cy - ry * 0.2)} Q${n(cx)},${n(cy - ry * 1.5)} ${n(cx + rx * 1.15)},${n(cy - ry * 0.2)} L${n(cx + rx * 1.25)},${n(cy + ry * 1.3)} L${n(cx - rx * 1.25)},${n(cy + ry * 1.3)} Z" fill="${hair}"/>`);
  }
  // Shoulders and neck.
  const shoulderW = rx * r.float(2.6, 3.4);
  const neckW = rx * r.float(0.6, 0.85);
  const neckTop = cy + ry * 0.7;
  const shoulderY = cy + ry + r.float(20, 60);
  parts.push(
    `<rect x="${n(cx - neckW / 2)}" y="${n(neckTop)}" width="${n(neckW)}" height="${n(shoulderY - neckTop + 30)}" fill="${skinShade}"/>`,
    `<path d="M${n(cx - shoulderW / 2)},${H} L${n(cx - shoulderW / 2 + 20)},${n(shoulderY + 40)} Q${n(cx)},${n(shoulderY - 30)} ${n(cx + shoulderW / 2 - 20)},${n(shoulderY + 40)} L${n(cx + shoulderW / 2)},${H} Z" fill="${cloth}"/>`,
  );
  const collar = r.pick(['v', 'round', 'shirt']);
  if (collar === 'v') parts.push(`<polygon points="${n(cx - neckW * 0.7)},${n(shoulderY)} ${n(cx)},${n(shoulderY + 110)} ${n(cx + neckW * 0.7)},${n(shoulderY)}" fill="${skinShade}"/>`);
  if (collar === 'shirt') parts.push(`<polygon points="${n(cx - neckW)},${n(shoulderY)} ${n(cx)},${n(shoulderY + 70)} ${n(cx - neckW * 0.2)},${n(shoulderY + 110)}" fill="#f4f4f4"/><polygon points="${n(cx + neckW)},${n(shoulderY)} ${n(cx)},${n(shoulderY + 70)} ${n(cx + neckW * 0.2)},${n(shoulderY + 110)}" fill="#f4f4f4"/>`);
  // Ears, head, hair on top.
  for (const side of [-1, 1]) parts.push(`<ellipse cx="${n(cx + side * rx * 0.98)}" cy="${n(cy + ry * 0.05)}" rx="${n(rx * 0.16)}" ry="${n(ry * 0.2)}" fill="${skin}"/>`);
  parts.push(`<ellipse cx="${n(cx)}" cy="${n(cy)}" rx="${n(rx)}" ry="${n(ry)}" fill="url(#face)"/>`);
  const hairline = cy - ry * r.float(0.35, 0.6);
  if (hairStyle === 'short' || hairStyle === 'long' || hairStyle === 'bun') {
    parts.push(`<path d="M${n(cx - rx * 1.02)},${n(cy - ry * 0.1)} Q${n(cx - rx * 1.1)},${n(cy - ry * 1.25)} ${n(cx)},${n(cy - ry * 1.12)} Q${n(cx + rx * 1.1)},${n(cy - ry * 1.25)} ${n(cx + rx * 1.02)},${n(cy - ry * 0.1)} Q${n(cx + rx * 0.7)},${n(hairline)} ${n(cx + r.float(-30, 30))},${n(hairline)} Q${n(cx - rx * 0.7)},${n(hairline)} ${n(cx - rx * 1.02)},${n(cy - ry * 0.1)} Z" fill="${hair}"/>`);
  }
  if (hairStyle === 'bun') parts.push(`<circle cx="${n(cx + r.float(-20, 20))}" cy="${n(cy - ry * 1.15)}" r="${n(rx * 0.4)}" fill="${hair}"/>`);
  if (hairStyle === 'curly') {
    for (let i = 0; i < 18; i++) {
      const a = Math.PI * (1.05 + (0.9 * i) / 17);
      parts.push(`<circle cx="${n(cx + Math.cos(a) * rx * 0.95)}" cy="${n(cy + Math.sin(a) * ry * 0.95)}" r="${n(rx * r.float(0.18, 0.28))}" fill="${hair}"/>`);
    }
  }
  // Features: per-seed spacing, size and tilt.
  const eyeY = cy - ry * r.float(0.02, 0.15);
  const eyeDx = rx * r.float(0.33, 0.46);
  const eyeR = rx * r.float(0.07, 0.11);
  const iris = hsl(r.float(20, 220), r.float(0.2, 0.6), r.float(0.15, 0.45));
  for (const side of [-1, 1]) {
    const ex = cx + side * eyeDx;
    parts.push(
      `<ellipse cx="${n(ex)}" cy="${n(eyeY)}" rx="${n(eyeR * 1.7)}" ry="${n(eyeR)}" fill="#f6f6f2"/>`,
      `<circle cx="${n(ex)}" cy="${n(eyeY)}" r="${n(eyeR * 0.75)}" fill="${iris}"/>`,
      `<circle cx="${n(ex)}" cy="${n(eyeY)}" r="${n(eyeR * 0.35)}" fill="#111"/>`,
      `<path d="M${n(ex - eyeR * 2)},${n(eyeY - eyeR * 2.2 + side * r.float(-4, 4))} Q${n(ex)},${n(eyeY - eyeR * r.float(2.6, 3.4))} ${n(ex + eyeR * 2)},${n(eyeY - eyeR * 2.1)}" stroke="${hair}" stroke-width="${n(r.float(5, 11))}" fill="none" stroke-linecap="round"/>`,
    );
  }
  const noseY = cy + ry * r.float(0.2, 0.32);
  const noseW = rx * r.float(0.15, 0.28);
  parts.push(`<path d="M${n(cx)},${n(eyeY + eyeR)} L${n(cx - noseW * 0.4)},${n(noseY)} Q${n(cx)},${n(noseY + noseW * 0.5)} ${n(cx + noseW * 0.6)},${n(noseY)}" stroke="${skinShade}" stroke-width="5" fill="none" stroke-linecap="round"/>`);
  const mouthY = cy + ry * r.float(0.5, 0.6);
  const mouthW = rx * r.float(0.3, 0.5);
  parts.push(`<path d="M${n(cx - mouthW)},${n(mouthY)} Q${n(cx)},${n(mouthY + r.float(-6, 22))} ${n(cx + mouthW)},${n(mouthY)}" stroke="${hsl(0, 0.45, r.float(0.25, 0.45))}" stroke-width="${n(r.float(7, 13))}" fill="none" stroke-linecap="round"/>`);
  if (r.next() < 0.3) {
    parts.push(`<g fill="none" stroke="#222" stroke-width="6"><circle cx="${n(cx - eyeDx)}" cy="${n(eyeY)}" r="${n(eyeR * 2.6)}"/><circle cx="${n(cx + eyeDx)}" cy="${n(eyeY)}" r="${n(eyeR * 2.6)}"/><line x1="${n(cx - eyeDx + eyeR * 2.6)}" y1="${n(eyeY)}" x2="${n(cx + eyeDx - eyeR * 2.6)}" y2="${n(eyeY)}"/></g>`);
  }
  parts.push(`<rect width="${W}" height="${H}" fill="url(#lamp)"/>`);
  parts.push(strokeText('SYNTHETIC', { x: W - 16, y: H - 30, size: 14, color: '#202020', anchor: 'end', opacity: 0.7 }));
  return parts.join('');
}
