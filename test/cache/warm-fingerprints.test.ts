import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditWith } from '../../src/audit/audit-options.js';
import { cacheKeys, loadCacheKey } from '../../src/cache/cache-key.js';
import { writeCacheFile } from '../../src/cache/file.js';
import { cachedFingerprintLoader } from '../../src/cache/fingerprint-cache.js';
import { encodeColumns } from '../../src/cache/fingerprint-columns.js';
import type { FingerprintIndex } from '../../src/references/index-set.js';
import { loadFingerprints } from '../../src/references/load.js';
import { syntheticFile } from '../references/support/synthetic.js';
import { tempDir } from '../support/tmp.js';

/**
 * The re-audit cache keeps a v1 fingerprint file's verified columns under the SHA-256 of its bytes
 * (src/cache/fingerprint-cache.ts). A warm load must give what a full load gives, must take its
 * columns from the cache (shown by an entry forged under the user's key, which is the trust model),
 * and must never spare an edited file, or a damaged cache entry, the full check.
 */
let dir: string;
let cleanup: () => Promise<void>;
let fpFile: string;

/** What an audit takes from a loaded index: every column's bytes, the tables, the sets' digests and plate metadata. */
function indexShape(index: FingerprintIndex) {
  const columns = Object.fromEntries(
    Object.entries(index.columns).map(([name, column]) => [name, Buffer.from(column.buffer, column.byteOffset, column.byteLength).toString('hex')]),
  );
  return { columns, tables: index.tables, sets: index.sets.map((s) => ({ format: s.format, version: s.version, digest: s.digest, plates: s.plates })) };
}

const verifiedFiles = async (cacheDir: string) => (await readdir(cacheDir)).filter((n) => n.endsWith('.verified'));

async function load(cacheDir: string, file = fpFile): Promise<{ index: FingerprintIndex; notices: string[] }> {
  const notices: string[] = [];
  const index = await loadFingerprints([file], { loadFile: cachedFingerprintLoader({ dir: cacheDir, notice: (m) => notices.push(m) }) });
  return { index, notices };
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('custody-warm-fp-'));
  fpFile = path.join(dir, 'agency.fp.json');
  await writeFile(fpFile, `${JSON.stringify(syntheticFile(6), null, 2)}\n`);
});
afterAll(async () => cleanup?.());

describe('verified fingerprint sets in the re-audit cache', () => {
  it('gives a warm load exactly what a full load gives, and keeps one entry per content', async () => {
    const cacheDir = path.join(dir, 'cache-same');
    const full = indexShape(await loadFingerprints([fpFile]));
    const cold = await load(cacheDir);
    expect(cold.notices).toEqual([]);
    expect(await verifiedFiles(cacheDir)).toHaveLength(1);
    const warm = await load(cacheDir);
    expect(warm.notices).toEqual([]);
    expect(indexShape(cold.index)).toEqual(full);
    expect(indexShape(warm.index)).toEqual(full);
    // The objects, for a command that asks, are the file's, checked in full.
    expect(warm.index.sets[0]!.file).toEqual((await loadFingerprints([fpFile])).sets[0]!.file);
    expect(await verifiedFiles(cacheDir)).toHaveLength(1);
  });

  it('takes the columns from the cache: an entry written under the user key is what a warm load returns', async () => {
    const cacheDir = path.join(dir, 'cache-forged');
    await load(cacheDir);
    const [name] = await verifiedFiles(cacheDir);
    const entry = path.join(cacheDir, name!);
    const header = JSON.parse((await readFile(entry, 'utf8')).split('\n')[1]!) as { key: string; custody: string; format: number };
    const key = await loadCacheKey(cacheDir);
    if (key.kind !== 'ok') throw new Error(key.problem);
    const real = (await loadFingerprints([fpFile])).sets[0]!;
    const body = encodeColumns({ ...real, digest: 'sha256:forged' });
    await writeCacheFile(
      entry,
      { format: header.format, custody: header.custody, key: header.key, entries: 1 },
      body,
      Buffer.concat(body).length,
      cacheKeys(key.key, undefined),
    );
    expect((await load(cacheDir)).index.sets[0]!.digest).toBe('sha256:forged');
  });

  it('checks an edited file in full, even with its size and times restored', async () => {
    const cacheDir = path.join(dir, 'cache-edited');
    const edited = path.join(dir, 'edited.fp.json');
    const good = await readFile(fpFile);
    await writeFile(edited, good);
    await load(cacheDir, edited);
    const before = await stat(edited);
    // One digit of a reference's size changed: same length, digest no longer matches.
    await writeFile(edited, good.toString('utf8').replace('"size": 1000', '"size": 1001'));
    await utimes(edited, before.atime, before.mtime);
    expect((await stat(edited)).size).toBe(before.size);
    await expect(load(cacheDir, edited)).rejects.toThrow(/digest does not match its content/);
    await writeFile(edited, good.toString('utf8').replace('"size": 1000', '"size": "x000"'));
    await expect(load(cacheDir, edited)).rejects.toThrow(/not a custody fingerprint file: references\.0\.size/);
  });

  it('creates nothing in the cache directory for a fingerprint file that fails its check', async () => {
    const cacheDir = path.join(dir, 'cache-never-made');
    const bad = path.join(dir, 'bad.fp.json');
    await writeFile(bad, (await readFile(fpFile, 'utf8')).replace('"size": 1000', '"size": 1001'));
    await expect(load(cacheDir, bad)).rejects.toThrow(/digest does not match its content/);
    await expect(readdir(cacheDir)).rejects.toThrow(/ENOENT/);
  });

  it('rebuilds an entry that fails authentication, with a notice, and loads in full meanwhile', async () => {
    const cacheDir = path.join(dir, 'cache-damaged');
    await load(cacheDir);
    const [name] = await verifiedFiles(cacheDir);
    const entry = path.join(cacheDir, name!);
    const bytes = await readFile(entry);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 60) ^ 0x01, bytes.length - 60);
    await writeFile(entry, bytes, { mode: 0o600 });
    const damaged = await load(cacheDir);
    expect(damaged.notices).toEqual([expect.stringMatching(/fingerprints-[0-9a-f]{16}\.verified fails authentication .*; rebuilding it$/)]);
    expect(indexShape(damaged.index)).toEqual(indexShape(await loadFingerprints([fpFile])));
    expect((await load(cacheDir)).notices).toEqual([]);
  });

  it('audits with the same report cold, warm and without a cache', async () => {
    const tree = path.join(dir, 'tree');
    await mkdir(tree, { recursive: true });
    await writeFile(path.join(tree, 'notes.txt'), 'nothing here\n');
    const now = new Date('2026-11-20T12:00:00Z');
    const run = async (cache?: string) => {
      const report = await auditWith({ cwd: dir, roots: ['tree'], fingerprints: [fpFile], plates: false, now, ...(cache ? { cache: { dir: cache } } : {}) });
      return JSON.stringify({ ...report, startedAt: undefined, finishedAt: undefined });
    };
    const cacheDir = path.join(dir, 'cache-audit');
    const none = await run();
    expect(await run(cacheDir)).toBe(none);
    expect(await verifiedFiles(cacheDir)).toHaveLength(1);
    expect(await run(cacheDir)).toBe(none);
  });
});
