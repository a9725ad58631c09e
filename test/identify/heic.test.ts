import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_DETECT_LIMITS } from '../../src/identify/detector.js';
import { decodeImage } from '../../src/identify/image-decode.js';
import { buildAgency } from '../hostile/support/agency.js';
import { auditFiles } from '../hostile/support/audit-files.js';
import { makeTempDir } from '../sources/archives/support/harness.js';
import { SHARED_CORPORA } from '../support/hostile-corpus.js';
import { hasTool } from '../support/tools.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/pdq');
const LIMITS = { maxImagePixels: DEFAULT_DETECT_LIMITS.maxImagePixels };

/** HEIC files are made by Debian's heif-enc (libheif-examples); without it these tests skip, saying so. */
const hasHeifEnc = hasTool(
  'heif-enc',
  ['--help'],
  'HEIC tests: heif-enc is absent (apt-get install libheif-examples), so the tests on HEIC made from agency photos are skipped',
);

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

/** A JPEG re-encoded as HEIC (HEVC) by heif-enc. */
async function toHeic(jpeg: Buffer, name: string, quality = 70): Promise<Buffer> {
  const input = path.join(dir, `${name}.jpg`);
  const output = path.join(dir, `${name}.heic`);
  await writeFile(input, jpeg);
  execFileSync('heif-enc', ['-q', String(quality), '-o', output, input], { stdio: 'ignore' });
  return readFile(output);
}

describe.runIf(hasHeifEnc)('HEIC copies of agency photos', () => {
  it('a phone-style HEIC copy of an agency capture is found, perceptually, like any other copy', async () => {
    const photo = await readFile(path.join(FIXTURES, 'bridge-640.jpg'));
    const agency = await buildAgency(dir, [photo]);
    const heic = await toHeic(photo, 'copy');
    const { exitCode, report } = await auditFiles(dir, agency, { 'phone/IMG_0001.HEIC': heic });
    expect(report.assets).toContainEqual(expect.objectContaining({ location: 'phone/IMG_0001.HEIC', method: 'perceptual' }));
    expect(report.coverage).toEqual([]);
    expect(exitCode).toBe(1);
  }, 60_000);

  it('a HEIC reference is fingerprinted through the same decoder, so its JPEG copy is found', async () => {
    const heic = await toHeic(await readFile(path.join(FIXTURES, 'q1050.jpg')), 'reference', 90);
    const decoded = await decodeImage(heic, { ...LIMITS, maxSide: 0 });
    if (!decoded.ok) throw new Error(`reference did not decode: ${decoded.detail}`);
    const { width, height, channels } = decoded.image;
    const jpegCopy = await sharp(decoded.image.pixels, { raw: { width, height, channels: channels as 3 } })
      .jpeg({ quality: 75 })
      .toBuffer();
    const agency = await buildAgency(path.join(dir, 'heic-ref'), [heic]);
    const { report } = await auditFiles(dir, agency, { 'mail/scan.jpg': jpegCopy });
    expect(report.assets).toContainEqual(expect.objectContaining({ location: 'mail/scan.jpg', method: 'perceptual' }));
  }, 60_000);

  it('hostile HEIC: truncated or damaged files are corrupt or decode, never throw or print, and libheif keeps working', async () => {
    const heic = await toHeic(await readFile(path.join(FIXTURES, 'q2821.jpg')), 'hostile');
    const log = vi.spyOn(console, 'log');
    const error = vi.spyOn(console, 'error');
    const outcomes = new Set<string>();
    for (let i = 1; i <= 12; i++) {
      const cut = heic.subarray(0, Math.floor((heic.length * i) / 13));
      const result = await decodeImage(cut, LIMITS);
      outcomes.add(result.ok ? 'ok' : result.reason);
    }
    for (let i = 0; i < 12; i++) {
      const flipped = Buffer.from(heic);
      for (let k = 0; k < 8; k++) {
        const at = (i * 7919 + k * 104_729) % flipped.length;
        flipped[at] = flipped[at]! ^ 0x5a;
      }
      const result = await decodeImage(flipped, LIMITS);
      outcomes.add(result.ok ? 'ok' : result.reason);
    }
    expect([...outcomes].filter((o) => o !== 'ok' && o !== 'corrupt')).toEqual([]);
    expect(outcomes.has('corrupt')).toBe(true);
    expect(log).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
    const again = await decodeImage(heic, LIMITS);
    expect(again.ok).toBe(true);
  }, 120_000);

  it('a HEIC whose header claims 60000x60000 is refused before anything is decoded', async () => {
    const heic = Buffer.from(await toHeic(await readFile(path.join(FIXTURES, 'q2821.jpg')), 'liar'));
    // The image spatial extents property (ispe): version/flags, then width and height.
    const at = heic.indexOf('ispe');
    heic.writeUInt32BE(60_000, at + 8);
    heic.writeUInt32BE(60_000, at + 12);
    const started = Date.now();
    const result = await decodeImage(heic, LIMITS);
    expect(result).toMatchObject({ ok: false, reason: 'too-large' });
    expect(Date.now() - started).toBeLessThan(20_000); // a backstop only: refusing reads the header alone
  }, 60_000);
});

describe.runIf(existsSync(path.join(SHARED_CORPORA, 'exif-samples/heic/mobile/iphone_13_pro_max.HEIC')))('real phone HEIC (shared corpora)', () => {
  it('an iPhone photo decodes to its displayed orientation', async () => {
    const bytes = await readFile(path.join(SHARED_CORPORA, 'exif-samples/heic/mobile/iphone_13_pro_max.HEIC'));
    const result = await decodeImage(bytes, LIMITS);
    expect(result.ok && [result.image.width, result.image.height]).toEqual([384, 512]);
  }, 60_000);
});
