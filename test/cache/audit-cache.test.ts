import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditRequest, runAudit } from '../../src/audit/audit.js';
import type { CacheStats } from '../../src/cache/inspection-cache.js';
import { builtinPolicy } from '../../src/policy/builtin.js';
import { fingerprintDigest, loadFingerprints } from '../../src/references/load.js';
import type { FingerprintFile } from '../../src/references/schema.js';
import type { Report } from '../../src/report/model.js';
import { archiveHook } from '../../src/sources/archives-on-disk.js';
import { type Agency, buildAgency, PLATE_KEY } from '../hostile/support/agency.js';
import { buildZip } from '../hostile/support/archives.js';
import { encode, flipBytes, rawPicture } from '../hostile/support/images.js';
import { rng } from '../support/fuzz.js';
import { tempDir } from '../support/tmp.js';

/**
 * The re-audit cache through runAudit: a warm run must give the cold run's report byte for byte
 * while reading nothing, and must never trust an entry whose file, settings or cache file changed.
 * "Bytes read" below is the audit's own tally of every byte that went through an item's content
 * source during this run (the report's figure also counts what replayed files took when inspected).
 */
let base: string;
let cleanup: () => Promise<void>;
let agency: Agency;
let fingerprints: Awaited<ReturnType<typeof loadFingerprints>>;
let trees = 0;

const NOW = new Date('2026-11-20T12:00:00Z');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  ({ dir: base, cleanup } = await tempDir('custody-cache-'));
  agency = await buildAgency(base);
  fingerprints = await loadFingerprints([agency.fingerprintFile]);
}, 120_000);
afterAll(async () => cleanup?.());

/** A share with an exact copy, a re-encoded copy, plate records, an unrelated photo, a corrupt image and a zip. */
async function buildTree(): Promise<{ root: string; cacheDir: string; files: number }> {
  const root = path.join(base, `tree-${++trees}`);
  const r = rng(trees);
  const unrelated = await encode(rawPicture(r, 120, 90), 120, 90, 'jpeg');
  const files: Record<string, Buffer | string> = {
    'copies/exact.jpg': agency.images[0]!,
    'copies/mirrored.png': await sharp(agency.images[1]!).flop().png().toBuffer(),
    'exports/reads.csv': `${agency.plateCsv}ZZZ0001,2026-11-09T10:00:00Z,9\n`,
    'photos/holiday.jpg': unrelated,
    'photos/broken.jpg': flipBytes(Buffer.from(agency.images[2]!), r, 400),
    'notes/readme.txt': 'nothing to see here\n',
    'backup/lanes.zip': buildZip([
      { name: 'lane-2.jpg', data: agency.images[2]! },
      { name: 'notes.txt', data: Buffer.from('zip member\n') },
    ]),
  };
  for (const [relative, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await writeFile(path.join(root, relative), data);
  }
  // Entries are only stored for files older than the audit's start (racyWindowMs 0 below).
  await sleep(30);
  return { root, cacheDir: path.join(base, `cache-${trees}`), files: Object.keys(files).length };
}

interface Run {
  report: Report;
  stats: CacheStats;
  /** Bytes actually read through content sources in this run. */
  bytesRead: number;
  notices: string[];
}

async function audit(root: string, cacheDir: string, overrides: Partial<AuditRequest> = {}, racyWindowMs = 0): Promise<Run> {
  const notices: string[] = [];
  let stats: CacheStats | undefined;
  let bytesRead = 0;
  const report = await runAudit({
    inputs: [{ source: 'filesystem', roots: [root] }],
    policy: builtinPolicy([], base),
    fingerprints,
    plateKey: Buffer.from(PLATE_KEY),
    archives: archiveHook(),
    now: NOW,
    concurrency: 4,
    cache: { dir: cacheDir, racyWindowMs, notice: (m) => notices.push(m), onDone: (s) => (stats = { ...s }) },
    onItem: (tally) => (bytesRead = tally.bytesRead),
    ...overrides,
  });
  return { report, stats: stats!, bytesRead, notices };
}

/** The report without its run times: everything a warm run must reproduce exactly. */
const comparable = (report: Report): string => JSON.stringify({ ...report, startedAt: undefined, finishedAt: undefined });

async function cacheFileOf(cacheDir: string): Promise<string> {
  const names = (await readdir(cacheDir)).filter((n) => n.endsWith('.cache'));
  expect(names).toHaveLength(1);
  return path.join(cacheDir, names[0]!);
}

describe('re-audit cache', () => {
  it('replays a warm run without reading a byte, and the report is identical', async () => {
    const { root, cacheDir, files } = await buildTree();
    const cold = await audit(root, cacheDir);
    expect(cold.stats).toMatchObject({ hits: 0, misses: files, notStored: 0, written: true });
    expect(cold.bytesRead).toBeGreaterThan(0);
    // The tree is worth caching: exact, perceptual, record and archive-member findings, and a corrupt image.
    expect(new Set(cold.report.assets.map((a) => a.method))).toEqual(new Set(['exact', 'perceptual', 'record']));
    expect(cold.report.assets.some((a) => a.location.includes('.zip!/'))).toBe(true);
    expect(cold.report.coverage.map((c) => [c.location, c.incomplete])).toEqual([['photos/broken.jpg', true]]);

    const warm = await audit(root, cacheDir);
    expect(warm.stats).toMatchObject({ hits: files, misses: 0, dropped: 0, written: false });
    expect(warm.bytesRead).toBe(0);
    expect(warm.notices).toEqual([]);
    expect(comparable(warm.report)).toBe(comparable(cold.report));
  });

  it('inspects again a file rewritten with the same size and its mtime put back (ctime tells)', async () => {
    const { root, cacheDir, files } = await buildTree();
    const cold = await audit(root, cacheDir);
    expect(cold.report.assets.map((a) => a.location)).toContain('copies/exact.jpg');
    const file = path.join(root, 'copies/exact.jpg');
    const before = await stat(file, { bigint: true });
    await writeFile(file, Buffer.alloc(Number(before.size), 0x41));
    // Nanosecond mtime put back exactly (utimes would round through a double).
    execFileSync('touch', ['-m', '-d', `@${before.mtimeNs / 1_000_000_000n}.${String(before.mtimeNs % 1_000_000_000n).padStart(9, '0')}`, file]);
    const after = await stat(file, { bigint: true });
    expect([after.size, after.mtimeNs]).toEqual([before.size, before.mtimeNs]);
    expect(after.ctimeNs).not.toBe(before.ctimeNs);
    await sleep(30);

    const warm = await audit(root, cacheDir);
    expect(warm.stats).toMatchObject({ hits: files - 1, misses: 1 });
    // Only that file is read again (sniffed and, its size being a reference's, hashed).
    expect(warm.bytesRead).toBeGreaterThanOrEqual(Number(before.size));
    expect(warm.bytesRead).toBeLessThan(cold.bytesRead);
    expect(warm.report.assets.map((a) => a.location)).not.toContain('copies/exact.jpg');
  });

  it('drops entries of deleted files and stores new ones', async () => {
    const { root, cacheDir, files } = await buildTree();
    await audit(root, cacheDir);
    await writeFile(path.join(root, 'notes/readme.txt'), 'other\n'); // new inode stamp
    await writeFile(path.join(root, 'notes/new.txt'), 'new\n');
    await sleep(30);
    const second = await audit(root, cacheDir);
    expect(second.stats).toMatchObject({ hits: files - 1, misses: 2, dropped: 1, written: true });
    const third = await audit(root, cacheDir);
    expect(third.stats).toMatchObject({ hits: files + 1, misses: 0, dropped: 0 });
  });

  it.each([
    [
      'a flipped byte',
      async (file: string) => {
        const bytes = await readFile(file);
        bytes[bytes.length - 60] = bytes[bytes.length - 60]! ^ 0xff;
        await writeFile(file, bytes);
      },
      /fails authentication/,
    ],
    ['truncation', async (file: string) => truncate(file, Math.floor((await stat(file)).size / 2)), /fails authentication|is truncated/],
    ['garbage', async (file: string) => writeFile(file, Buffer.from('\x00\x01 not a cache at all')), /is not a custody cache file/],
    ['an empty file', async (file: string) => writeFile(file, ''), /is not a custody cache file/],
  ])('detects a cache file damaged by %s, says so once, and rebuilds it', async (_label, damage, problem) => {
    const { root, cacheDir, files } = await buildTree();
    const cold = await audit(root, cacheDir);
    const file = await cacheFileOf(cacheDir);
    await damage(file);

    const rebuilt = await audit(root, cacheDir);
    expect(rebuilt.notices).toHaveLength(1);
    expect(rebuilt.notices[0]).toMatch(problem);
    expect(rebuilt.notices[0]).toContain(file);
    expect(rebuilt.stats).toMatchObject({ hits: 0, misses: files, written: true });
    expect(comparable(rebuilt.report)).toBe(comparable(cold.report));

    const warm = await audit(root, cacheDir);
    expect(warm.notices).toEqual([]);
    expect(warm.stats.hits).toBe(files);
  });

  it('never uses a cache file written for other settings, even under this audit’s file name', async () => {
    const { root, cacheDir, files } = await buildTree();
    await audit(root, cacheDir);
    const ours = await cacheFileOf(cacheDir);
    // Same user, same key (a file made under another key fails authentication before its header counts).
    const otherDir = path.join(cacheDir, 'other');
    await mkdir(otherDir, { mode: 0o700 });
    await copyFile(path.join(cacheDir, 'cache-key'), path.join(otherDir, 'cache-key'));
    await audit(root, otherDir, { archives: undefined });
    await copyFile(await cacheFileOf(otherDir), ours);
    const run = await audit(root, cacheDir);
    expect(run.notices).toEqual([expect.stringMatching(/was written for other settings; rebuilding it$/)]);
    expect(run.stats.hits).toBe(0);
    expect(run.stats.misses).toBe(files);
  });

  it('keys entries by fingerprint set, plate key, policy markers, limits and archive settings', async () => {
    const { root, cacheDir, files } = await buildTree();
    await audit(root, cacheDir);
    expect((await audit(root, cacheDir)).stats.hits).toBe(files);

    const original = JSON.parse(await readFile(agency.fingerprintFile, 'utf8')) as FingerprintFile;
    const trimmed = { ...original, references: original.references.slice(1) };
    const otherSet = path.join(base, `trimmed-${trees}.fp.json`);
    await writeFile(otherSet, JSON.stringify({ ...trimmed, digest: fingerprintDigest(trimmed) }));
    const policy = builtinPolicy([], base);
    const withMarker = {
      ...policy,
      doc: { ...policy.doc, assets: { ...policy.doc.assets, markers: [{ field: 'Make', equals: 'AgencyCam', asset: 'vehicle-image' }] } },
    };

    const variants: [string, Partial<AuditRequest>][] = [
      ['another fingerprint set', { fingerprints: await loadFingerprints([otherSet]) }],
      ['another plate key', { plateKey: Buffer.from('another-plate-key-for-the-cache-test') }],
      ['policy markers', { policy: withMarker as typeof policy }],
      ['detect limits', { limits: { maxImagePixels: 1_000_000, maxImageBytes: 1024 * 1024 } }],
      ['archive limits', { archives: archiveHook({ maxDepth: 1 }) }],
    ];
    for (const [label, overrides] of variants) {
      const run = await audit(root, cacheDir, overrides);
      expect(run.stats.hits, label).toBe(0);
      expect(run.bytesRead, label).toBeGreaterThan(0);
    }
    // Each setting has its own file: the original one is still warm.
    expect((await audit(root, cacheDir)).stats.hits).toBe(files);
  });

  it('does not store racy entries: files changed within the window before the audit started are read again', async () => {
    const { root, cacheDir, files } = await buildTree();
    // Written ~30 ms ago: inside a 60 s window, so every stamp is too fresh to be trusted later.
    const cold = await audit(root, cacheDir, {}, 60_000);
    expect(cold.stats).toMatchObject({ notStored: files });
    const warm = await audit(root, cacheDir, {}, 60_000);
    expect(warm.stats).toMatchObject({ hits: 0, misses: files });
    expect(warm.bytesRead).toBe(cold.bytesRead);
    // Once the files are old enough, they are stored and replayed.
    await audit(root, cacheDir);
    expect((await audit(root, cacheDir)).stats.hits).toBe(files);
  });

  it('survives two audits writing the same cache at once (the last writer wins, the file stays whole)', async () => {
    const { root, cacheDir, files } = await buildTree();
    const [a, b] = await Promise.all([audit(root, cacheDir), audit(root, cacheDir)]);
    // (Not the whole reports: libvips words a corrupt image's error differently when decodes overlap.)
    expect(JSON.stringify(a.report.findings)).toBe(JSON.stringify(b.report.findings));
    const after = await audit(root, cacheDir);
    expect(after.notices).toEqual([]);
    expect(after.stats.hits).toBe(files);
    expect((await readdir(cacheDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('seals every cache, under the plate key too when there is one: no file name or evidence in clear', async () => {
    const { root, cacheDir } = await buildTree();
    await writeFile(path.join(root, 'ABC1234.jpg'), agency.images[0]!);
    await sleep(30);
    await audit(root, cacheDir);
    const sealed = await readFile(await cacheFileOf(cacheDir));
    expect(sealed.includes('ABC1234')).toBe(false);
    expect(sealed.includes('copies/exact.jpg')).toBe(false);

    const plainDir = path.join(base, `plain-${trees}`);
    const cold = await audit(root, plainDir, { plateKey: undefined });
    expect(cold.report.assets.map((a) => a.location)).toContain('ABC1234.jpg');
    const unkeyed = await readFile(await cacheFileOf(plainDir));
    expect(unkeyed.includes('ABC1234')).toBe(false);
    expect(unkeyed.includes('copies/exact.jpg')).toBe(false);
    expect((await audit(root, plainDir, { plateKey: undefined })).stats.hits).toBeGreaterThan(0);
    // The plate key is part of the seal: the same user's file under another plate key is never opened.
    await copyFile(await cacheFileOf(cacheDir), path.join(plainDir, path.basename(await cacheFileOf(cacheDir))));
    const other = await audit(root, plainDir, { plateKey: Buffer.from('another-plate-key-for-the-cache-test') });
    expect(other.stats.hits).toBe(0);
  });

  it('shards of one audit keep separate files in a shared directory', async () => {
    const { root, cacheDir, files } = await buildTree();
    const shards = [1, 2].map((index) => ({ shard: { index, count: 2 } }));
    const cold = await Promise.all(shards.map((s) => audit(root, cacheDir, s)));
    expect(cold.reduce((n, r) => n + r.stats.misses, 0)).toBe(files);
    expect((await readdir(cacheDir)).filter((n) => n.endsWith('.cache'))).toHaveLength(2);
    const warm = await Promise.all(shards.map((s) => audit(root, cacheDir, s)));
    expect(warm.map((r) => r.stats.misses)).toEqual([0, 0]);
    expect(warm.reduce((n, r) => n + r.stats.hits, 0)).toBe(files);
    expect(warm.map((r) => comparable(r.report))).toEqual(cold.map((r) => comparable(r.report)));
  });
});
