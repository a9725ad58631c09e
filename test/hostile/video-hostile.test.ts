import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIDEO_LIMITS } from '../../src/sources/archives/video-frames.js';
import { makeTempDir } from '../sources/archives/support/harness.js';
import { hasTool } from '../support/tools.js';
import { type Agency, buildAgency } from './support/agency.js';
import { auditFiles } from './support/audit-files.js';

/** Hostile videos are made by Debian's ffmpeg, which custody also reads them with; without it these tests skip, saying so. */
const hasFfmpeg = hasTool('ffmpeg', ['-version'], 'hostile video tests: ffmpeg is absent (apt-get install ffmpeg), so they are skipped');

/** A video made by ffmpeg from a lavfi source and filter. */
async function lavfi(dir: string, name: string, source: string, filter: string): Promise<Buffer> {
  const out = path.join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, '-vf', filter, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out]);
  return readFile(out);
}

/** Every file under `dir` with its size and modification time: what an audit must leave as it was. */
async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const rows = await Promise.all(
    entries.map(async (entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const info = await stat(file);
      return `${path.relative(dir, file)} ${info.size} ${info.mtimeMs}`;
    }),
  );
  return rows.sort();
}

let dir: string;
let cleanup: () => Promise<void>;
let agency: Agency;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  agency = await buildAgency(dir);
}, 60_000);
afterAll(() => cleanup());

describe.runIf(hasFfmpeg)('hostile videos', () => {
  it('a truncated mp4 and garbage behind a Matroska header are corrupt-archive: reported, the audit incomplete, the tree untouched', async () => {
    const video = await lavfi(dir, 'whole.mp4', 'testsrc2=s=160x120:r=25:d=4', 'null');
    const matroska = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]), Buffer.from('matroska'), randomBytes(50_000)]);
    const { exitCode, report } = await auditFiles(dir, agency, { 'cut.mp4': video.subarray(0, video.length >> 1), 'junk.mkv': matroska });
    const share = path.join(dir, (await readdir(dir)).find((name) => name.startsWith('share-'))!);
    expect(report.coverage).toContainEqual(expect.objectContaining({ location: 'cut.mp4', reason: 'corrupt-archive', incomplete: true }));
    expect(report.coverage).toContainEqual(expect.objectContaining({ location: 'junk.mkv', reason: 'corrupt-archive', incomplete: true }));
    expect(report.coverage.find((c) => c.location === 'cut.mp4')?.detail).toMatch(/^ffmpeg: /);
    expect(exitCode).toBe(3);
    // ffmpeg wrote nothing beside the videos (no frames, no logs, no temp files).
    expect((await snapshot(share)).map((row) => row.split(' ')[0])).toEqual(['cut.mp4', 'junk.mkv']);
  }, 120_000);

  it(`a video of endless scene changes stops at ${VIDEO_LIMITS.frames} frames, recorded as archive-limit`, async () => {
    // Cuts every other frame: the scene detector keeps ~5 frames a second, so 140 s passes the cap.
    const churn = await lavfi(dir, 'churn.mp4', 'nullsrc=s=64x64:r=25:d=140', "geq=lum='mod(floor(N/2)*97+X*(1+mod(floor(N/2)\\,5))\\,256)':cb=128:cr=128");
    const { exitCode, report } = await auditFiles(dir, agency, { 'churn.mp4': churn });
    expect(report.coverage.filter((c) => c.reason !== 'low-quality-hash')).toEqual([
      { location: 'churn.mp4', reason: 'archive-limit', detail: `video frame limit (${VIDEO_LIMITS.frames}) reached`, incomplete: true },
    ]);
    expect(exitCode).toBe(3);
  }, 180_000);
});
