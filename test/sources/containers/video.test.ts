import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameName } from '../../../src/sources/archives/video-frames.js';
import { containerFormat } from '../../../src/sources/containers/registry.js';
import { sniff } from '../../../src/sources/sniff.js';
import { unsupportedCoverage } from '../../../src/sources/unsupported.js';
import { type Agency, buildAgency } from '../../hostile/support/agency.js';
import { auditFiles } from '../../hostile/support/audit-files.js';
import { encode, rawPicture } from '../../hostile/support/images.js';
import { rng } from '../../support/fuzz.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/pdq');

import { hasTool } from '../../support/tools.js';
import { makeTempDir } from '../archives/support/harness.js';

/** Videos are made by Debian's ffmpeg, which custody also reads them with; without it these tests skip, saying so. */
const hasFfmpeg = hasTool('ffmpeg', ['-version'], 'video tests: ffmpeg is absent (apt-get install ffmpeg), so the tests on real videos are skipped');

/** A video showing each still for `seconds`, made by ffmpeg from PNG frames. */
async function makeVideo(dir: string, name: string, stills: Buffer[], codec: string[], seconds = 2): Promise<Buffer> {
  const frames = path.join(dir, `${name}-frames`);
  await mkdir(frames, { recursive: true });
  for (const [i, still] of stills.entries()) await writeFile(path.join(frames, `f${i}.png`), still);
  const out = path.join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-framerate', `1/${seconds}`, '-i', path.join(frames, 'f%d.png'), ...codec, '-r', '25', out]);
  return execFileSync('cat', [out], { maxBuffer: 1 << 28 });
}

const H264 = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'];
const MJPEG = ['-c:v', 'mjpeg', '-q:v', '3'];

let dir: string;
let cleanup: () => Promise<void>;
let agency: Agency;
let stills: Buffer[];
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  // Real photographs as the agency's captures (noise-like synthetic pictures do not survive H.264 at
  // its default quality, and agency captures are photographs), all 640x400 as a video's frames are.
  const sharp = (await import('sharp')).default;
  const photos = ['bridge-640.jpg', 'q1050.jpg', 'q2821.jpg'].map((name) => path.join(FIXTURES, name));
  stills = await Promise.all(photos.map((photo) => sharp(photo).resize(640, 400, { fit: 'fill' }).png().toBuffer()));
  agency = await buildAgency(dir, await Promise.all(stills.map((png) => sharp(png).jpeg({ quality: 92 }).toBuffer())));
}, 60_000);
afterAll(() => cleanup());

describe('video formats are opened, not merely recognised', () => {
  it.each([
    ['mp4', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\0\0isommp41')]), 'video/mp4'],
    ['mov', Buffer.concat([Buffer.from([0, 0, 0, 0x14]), Buffer.from('ftypqt  \0\0\0\0qt  ')]), 'video/quicktime'],
    ['matroska', Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88, ...Buffer.from('matroska')]), 'video/x-matroska'],
    ['avi', Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x40, 0, 0, 0]), Buffer.from('AVI LIST'), Buffer.alloc(40, 7)]), 'video/x-msvideo'],
  ])('%s is a container custody opens (no unsupported-media entry)', (_name, head, media) => {
    expect(sniff(head)).toBe(media);
    expect(containerFormat(media)?.id).toBeDefined();
    expect(unsupportedCoverage('x', sniff(head))).toBeUndefined();
  });

  it('names frames by their time, whole seconds plainly', () => {
    expect([frameName(0), frameName(72), frameName(3723.48), frameName(Number.NaN)]).toEqual(['t=00:00:00', 't=00:01:12', 't=01:02:03.480', 't=unknown']);
  });
});

describe.runIf(hasFfmpeg)('agency stills in a video are found, named by their time', () => {
  it.each([
    ['an H.264 mp4', 'clip.mp4', H264],
    ['an MJPEG QuickTime', 'clip.mov', MJPEG],
  ])(
    '%s',
    async (_name, file, codec) => {
      const video = await makeVideo(dir, file, stills, codec);
      const { exitCode, report } = await auditFiles(dir, agency, { [`outbox/${file}`]: video });
      const found = [...new Set(report.assets.map((a) => a.location))];
      // Each still once (near-duplicate frames are dropped), at the second it appears.
      expect(found).toEqual([`outbox/${file}!/t=00:00:00`, `outbox/${file}!/t=00:00:02`, `outbox/${file}!/t=00:00:04`]);
      expect(report.coverage.filter((c) => c.incomplete)).toEqual([]);
      expect(exitCode).toBe(1);
    },
    120_000,
  );

  it('a video inside a zip is opened too, and a video of other pictures claims nothing', async () => {
    const r = rng(99);
    const others = await Promise.all([0, 1].map(() => encode(rawPicture(r, 160, 120), 160, 120, 'png')));
    const unrelated = await makeVideo(dir, 'other.mp4', others, H264);
    const agencyClip = await makeVideo(dir, 'inner.mp4', stills.slice(0, 1), H264);
    const { buildZip } = await import('../archives/support/zip-writer.js');
    const zip = buildZip([{ name: 'inner.mp4', data: agencyClip }]);
    const { report } = await auditFiles(dir, agency, { 'other.mp4': unrelated, 'deliver.zip': zip });
    expect([...new Set(report.assets.map((a) => a.location))]).toEqual(['deliver.zip!/inner.mp4!/t=00:00:00']);
    // The unrelated video's frames were inspected (files seen: two videos, a zip, and their frames).
    expect(report.summary.filesInspected).toBeGreaterThanOrEqual(5);
  }, 120_000);

  it('without ffmpeg a video is missing-tool coverage and the audit is incomplete (exit 3)', async () => {
    const video = await makeVideo(dir, 'again.mp4', stills.slice(0, 1), H264);
    const saved = process.env.CUSTODY_FFMPEG;
    process.env.CUSTODY_FFMPEG = path.join(dir, 'no-such-ffmpeg');
    try {
      const { exitCode, report } = await auditFiles(dir, agency, { 'clip.mp4': video });
      expect(report.coverage).toContainEqual(expect.objectContaining({ location: 'clip.mp4', reason: 'missing-tool', incomplete: true }));
      expect(exitCode).toBe(3);
    } finally {
      if (saved === undefined) delete process.env.CUSTODY_FFMPEG;
      else process.env.CUSTODY_FFMPEG = saved;
    }
  }, 120_000);
});
