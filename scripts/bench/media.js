#!/usr/bin/env node
// @ts-check
/**
 * Media bench (issue #18 items 7-8): what a video and a HEIC photo cost an audit, against the same
 * bytes as a plain file (the cost custody paid before, when it only digested them), and against the
 * same picture as a JPEG. Each audit is the CLI on a one-file share, in its own process.
 * 1. video: a 1080p H.264 mp4 of 60 s (testsrc2, ffmpeg's moving test pattern with a scene every few
 *    seconds): wall time, MB/s of the file, frames inspected.
 * 2. HEIC: twelve 12-megapixel photos (a real photo scaled up, encoded by heif-enc) against the same
 *    twelve as JPEGs.
 * Needs ffmpeg and heif-enc (libheif-examples), and a build (npm run build).
 * Run: node scripts/bench/media.js
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'bin/custody.js');
const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-media-bench-'));

/**
 * Audits `share` against the fingerprints; wall seconds and the JSON report.
 * @param {string} share
 * @param {string} fingerprints
 * @returns {{ seconds: number, report: any }}
 */
function audit(share, fingerprints) {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [cli, 'audit', share, '-f', fingerprints, '--format', 'json', '--no-cache'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status === 2) throw new Error(run.stderr);
  return { seconds, report: JSON.parse(run.stdout) };
}

/**
 * A share holding copies of `files` (name in the share -> file to copy).
 * @param {string} name
 * @param {Record<string, string>} files
 */
async function share(name, files) {
  const at = path.join(dir, name);
  await mkdir(at, { recursive: true });
  for (const [file, from] of Object.entries(files)) await copyFile(from, path.join(at, file));
  return at;
}

try {
  const refs = path.join(dir, 'refs');
  await mkdir(refs);
  await copyFile(path.join(root, 'fixtures/pdq/bridge-640.jpg'), path.join(refs, 'bridge.jpg'));
  const fingerprints = path.join(dir, 'refs.fp.json');
  execFileSync(process.execPath, [cli, 'fingerprint', refs, '-o', fingerprints], { stdio: 'ignore' });

  const video = path.join(dir, 'clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=1920x1080:r=30:d=60', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', video]);
  // The same bytes with the magic cleared: an unknown binary, digested only.
  const plain = path.join(dir, 'clip.bin');
  execFileSync('sh', ['-c', `printf '\\0\\0\\0\\0\\0\\0\\0\\0' | cat - "${video}" > "${plain}"`]);
  const size = (await stat(video)).size;
  const asVideo = audit(await share('video', { 'clip.mp4': video }), fingerprints);
  const asPlain = audit(await share('plain', { 'clip.bin': plain }), fingerprints);
  const frames = asVideo.report.summary.filesSeen - 1;
  console.log(`video, 1080p H.264, 60 s, ${(size / 1e6).toFixed(1)} MB: ${asVideo.seconds.toFixed(1)} s (${(size / 1e6 / asVideo.seconds).toFixed(1)} MB/s), ${frames} frames inspected; as a plain file ${asPlain.seconds.toFixed(1)} s (${(size / 1e6 / asPlain.seconds).toFixed(1)} MB/s): ${(asVideo.seconds / asPlain.seconds).toFixed(1)}x`);

  /** @type {Record<string, string>} */
  const heics = {};
  /** @type {Record<string, string>} */
  const jpegs = {};
  const big = path.join(dir, 'big.jpg');
  for (let i = 0; i < 12; i++) {
    // 4000x3000, each a different crop offset so no two files are the same.
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path.join(root, 'fixtures/pdq/bridge-640.jpg'), '-vf', `scale=4400:2764,crop=4000:2764:${i * 30}:0,scale=4000:3000`, '-q:v', '3', big]);
    const jpeg = path.join(dir, `p${i}.jpg`);
    await copyFile(big, jpeg);
    const heic = path.join(dir, `p${i}.heic`);
    execFileSync('heif-enc', ['-q', '80', '-o', heic, jpeg], { stdio: 'ignore' });
    jpegs[`p${i}.jpg`] = jpeg;
    heics[`p${i}.heic`] = heic;
  }
  const asHeic = audit(await share('heic', heics), fingerprints);
  const asJpeg = audit(await share('jpeg', jpegs), fingerprints);
  const found = (/** @type {any} */ report) => report.assets.length;
  console.log(`12 photos of 12 megapixels: HEIC ${asHeic.seconds.toFixed(1)} s (${found(asHeic.report)} found, coverage ${asHeic.report.coverage.length}); JPEG ${asJpeg.seconds.toFixed(1)} s (${found(asJpeg.report)} found): ${(asHeic.seconds / asJpeg.seconds).toFixed(1)}x`);
  await writeFile(path.join(dir, 'done'), '');
} finally {
  await rm(dir, { recursive: true, force: true });
}
