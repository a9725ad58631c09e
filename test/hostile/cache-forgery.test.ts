import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, readFile, rename, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheKeys, KEY_FILE, loadCacheKey } from '../../src/cache/cache-key.js';
import { decodeEntry } from '../../src/cache/entry.js';
import { CacheTooLarge, MAX_CACHE_BYTES, readCacheFile, writeCacheFile } from '../../src/cache/file.js';
import { sealKeyFor } from '../../src/cache/key.js';
import { RecordWriter } from '../../src/cache/records.js';
import type { Report } from '../../src/report/model.js';
import { IS_ROOT, tempDir } from '../support/tmp.js';
import { type Agency, buildAgency, PLATE_KEY } from './support/agency.js';
import { type CliResult, runCli } from './support/cli.js';

/**
 * Issue #22, class 3: the re-audit cache is the auditor's own record, and the audited party must
 * not be able to forge it. A forged entry that replays an agency copy as "nothing found" would turn
 * exit 1 into exit 0. Every test here checks the audit's answer (exit code, the copy reported), not
 * only the cache's notice. Class 5: a huge (sparse) cache file is discarded unread.
 */
let base: string;
let cleanup: () => Promise<void>;
let agency: Agency;
let cacheDir: string;
let runs = 0;
let dirs = 0;

const COPY = 'copies/exact.jpg';

beforeAll(async () => {
  ({ dir: base, cleanup } = await tempDir('custody-cache-forgery-'));
  agency = await buildAgency(base);
  await mkdir(path.join(base, 'tree', 'copies'), { recursive: true });
  await mkdir(path.join(base, 'tree', 'notes'), { recursive: true });
  await writeFile(path.join(base, 'tree', COPY), agency.images[0]!);
  await writeFile(path.join(base, 'tree', 'notes', 'readme.txt'), 'nothing to see here\n');
  // Stamps younger than the CLI's racy window (2 s) would not be stored.
  await new Promise((resolve) => setTimeout(resolve, 2100));
}, 120_000);
afterAll(async () => cleanup?.());

interface Audit extends CliResult {
  report: Report;
  reported: string[];
}

/** One audit of the tree through the CLI, with this test's cache directory. */
async function audit(env: Record<string, string> = {}): Promise<Audit> {
  const out = `out-${++runs}.json`;
  const result = await runCli(['audit', 'tree', '-f', agency.fingerprintFile, '--no-plates', '--cache', cacheDir, '--format', 'json', '--output', out], {
    cwd: base,
    env,
  });
  const report = JSON.parse(await readFile(path.join(base, out), 'utf8')) as Report;
  return { ...result, report, reported: report.assets.map((a) => a.location) };
}

const cacheFile = async (): Promise<string> => {
  const names = (await readdir(cacheDir)).filter((n) => n.endsWith('.cache'));
  expect(names).toHaveLength(1);
  return path.join(cacheDir, names[0]!);
};

/** The header of a cache file (it is in clear, so an attacker can read it too). */
async function headerOf(file: string): Promise<{ custody: string; key: string; format: number }> {
  const bytes = await readFile(file);
  const first = bytes.indexOf(0x0a);
  return JSON.parse(bytes.toString('utf8', first + 1, bytes.indexOf(0x0a, first + 1))) as { custody: string; key: string; format: number };
}

/**
 * A complete, well-formed cache file saying the copy holds nothing (`{"f":{}}`, stamp current), so
 * it would replay as clean: written with the real format code under the given user key.
 */
async function forge(file: string, userKey: Buffer, json = '{"f":{}}', bytesRead = 0, plateKey?: Buffer): Promise<void> {
  const header = await headerOf(file);
  const s = await stat(path.join(base, 'tree', COPY), { bigint: true });
  const records = new RecordWriter();
  records.add(COPY, { dev: s.dev, ino: s.ino, size: Number(s.size), mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs }, bytesRead, json);
  await writeCacheFile(
    file,
    { format: header.format, custody: header.custody, key: header.key, entries: 1 },
    [records.bytes()],
    records.length,
    cacheKeys(userKey, sealKeyFor(plateKey)),
  );
}

const userKey = async (): Promise<Buffer> => readFile(path.join(cacheDir, KEY_FILE));
const cacheLines = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('custody: cache'));

beforeEach(async () => {
  cacheDir = path.join(base, `cache-${++dirs}`);
});

describe('a forged re-audit cache', () => {
  it('control: a well-formed record under the real key does replay the copy as clean (what a forger is after)', async () => {
    expect((await audit()).exitCode).toBe(1);
    await forge(await cacheFile(), await userKey());
    const replayed = await audit();
    // This is the attack the MAC stops: with the key, the forged record is believed.
    expect(replayed.exitCode).toBe(0);
    expect(replayed.reported).toEqual([]);
  });

  it('a record edited with the old plain SHA-256 trailer fixed is never used: the copy is still reported (exit 1)', async () => {
    const cold = await audit();
    expect(cold.exitCode).toBe(1);
    expect(cold.reported).toEqual([COPY]);
    const file = await cacheFile();
    const bytes = await readFile(file);
    const bodyAt = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1;
    bytes[bodyAt + 3] = bytes[bodyAt + 3]! ^ 0x5a;
    createHash('sha256')
      .update(bytes.subarray(0, bytes.length - 32))
      .digest()
      .copy(bytes, bytes.length - 32);
    await writeFile(file, bytes);

    const forged = await audit();
    expect(forged.exitCode).toBe(1);
    expect(forged.reported).toEqual([COPY]);
    expect(cacheLines(forged.stderr)).toEqual([`custody: cache ${file} fails authentication (not written by this user’s custody, or damaged); rebuilding it`]);
  });

  it.each([
    ['without a plate key', {}, undefined],
    ['with the plate key (known to the forger, the cache key not)', { CUSTODY_PLATE_KEY: PLATE_KEY }, Buffer.from(PLATE_KEY)],
  ])('a whole file forged under another key is never used, not even in part (%s)', async (_label, env, plateKey) => {
    expect((await audit(env)).exitCode).toBe(1);
    const file = await cacheFile();
    await forge(file, randomBytes(32), '{"f":{}}', 0, plateKey);
    const forged = await audit(env);
    expect(forged.exitCode).toBe(1);
    expect(forged.reported).toEqual([COPY]);
    expect(cacheLines(forged.stderr)).toEqual([expect.stringContaining(`cache ${file} fails authentication`)]);
    // Rebuilt under the real key: the next audit is warm and silent, and still right.
    const warm = await audit(env);
    expect([warm.exitCode, warm.reported, cacheLines(warm.stderr)]).toEqual([1, [COPY], []]);
  });
});

describe('an unauthenticated header', () => {
  it('is echoed only as a number: a forged format string cannot put terminal escapes in the notice', async () => {
    const dir = path.join(base, 'header');
    const key = await loadCacheKey(dir);
    if (key.kind !== 'ok') throw new Error(key.problem);
    const file = path.join(dir, 'audit-0000000000000000-0000000000000000.cache');
    const expected = { key: 'k', custody: 'x' };
    const padding = Buffer.alloc(64);
    await writeFile(file, Buffer.concat([Buffer.from('custody inspection cache\n{"format":"\\u001b]0;owned\\u0007"}\n'), padding]), { mode: 0o600 });
    expect(await readCacheFile(file, expected, cacheKeys(key.key, undefined))).toEqual({
      kind: 'bad',
      problem: 'is in cache format (unknown) (this custody uses 2)',
    });
    await writeFile(file, Buffer.concat([Buffer.from('custody inspection cache\n{"format":1}\n'), padding]));
    expect(await readCacheFile(file, expected, cacheKeys(key.key, undefined))).toEqual({ kind: 'bad', problem: 'is in cache format 1 (this custody uses 2)' });
  });
});

describe('junk inside an authenticated record (a leaked key, or another build)', () => {
  it('is a cache miss, never an internal error: the copy is inspected and reported', async () => {
    expect((await audit()).exitCode).toBe(1);
    // An identification that is null: the old decoder passed it through to the audit.
    await forge(await cacheFile(), await userKey(), '{"i":[null],"f":{}}');
    const run = await audit();
    expect(run.stderr).not.toMatch(/internal error/);
    expect(cacheLines(run.stderr)).toEqual([]);
    expect([run.exitCode, run.reported]).toEqual([1, [COPY]]);
  });

  it.each([
    ['not JSON', '{"f":', 0],
    ['null identification', '{"i":[null],"f":{}}', 0],
    ['identification without evidence', '{"i":[{"asset":"vehicle-image","method":"exact","evidence":null}],"f":{}}', 0],
    ['unknown method', '{"i":[{"asset":"vehicle-image","method":"guess","evidence":{}}],"f":{}}', 0],
    ['facts null', '{"f":null}', 0],
    ['a date no Date can hold', '{"f":{"capturedAt":1e300}}', 0],
    ['a digest that is not one', '{"f":{"sha256":"<script>"}}', 0],
    ['an unknown media type', '{"m":"image/x-evil","f":{}}', 0],
    ['a transient reason stored', '{"f":{},"c":[{"location":"x","reason":"unreadable","incomplete":true}]}', 0],
    ['coverage without its flag', '{"f":{},"c":[{"location":"x","reason":"corrupt-image"}]}', 0],
    ['a member that is null', '{"f":{},"x":[{"e":null,"k":{"f":{}}}]}', 0],
    ['an event of two kinds', '{"f":{},"x":[{"n":{"level":"info","message":"m"},"v":{"location":"x","reason":"encrypted","incomplete":true}}]}', 0],
    ['a notice of an unknown level', '{"f":{},"x":[{"n":{"level":"panic","message":"m"}}]}', 0],
    ['an extra key', '{"f":{},"zz":1}', 0],
    ['bytes read not a count', '{"f":{}}', Number.NaN],
    ['bytes read negative', '{"f":{}}', -1],
  ])('decodes %s as a miss', (_label, json, bytesRead) => {
    expect(decodeEntry(json, bytesRead)).toBeUndefined();
  });
});

describe('a cache directory or key others could touch', () => {
  const refusedOnce = (run: Audit, what: RegExp) => {
    expect(cacheLines(run.stderr)).toEqual([expect.stringMatching(what)]);
    expect(cacheLines(run.stderr)[0]).toMatch(/^custody: cache off: .*; this audit inspects every file and keeps no cache$/);
    expect([run.exitCode, run.reported]).toEqual([1, [COPY]]);
  };

  it('creates the key 0600 in a 0700 directory, and two audits starting together agree on one key', async () => {
    const dir = path.join(base, 'fresh-key');
    const [a, b] = await Promise.all([loadCacheKey(dir), loadCacheKey(dir)]);
    expect(a).toEqual(b);
    expect(a.kind).toBe('ok');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual([KEY_FILE]);
  });

  it('refuses a world-writable cache directory (and a forged file in it), with one notice; the audit is still right', async () => {
    expect((await audit()).exitCode).toBe(1);
    const file = await cacheFile();
    await forge(file, await userKey());
    await chmod(cacheDir, 0o777);
    const before = await readFile(file);
    refusedOnce(await audit(), /is writable by group or others \(mode 0777\)/);
    expect((await readFile(file)).equals(before)).toBe(true); // neither used nor rewritten
  });

  it('refuses a group-writable cache directory, also when it is reached through a symbolic link', async () => {
    expect((await audit()).exitCode).toBe(1);
    await chmod(cacheDir, 0o770);
    refusedOnce(await audit(), /is writable by group or others \(mode 0770\)/);
    // The CLI resolves --cache to its real directory once (the write guard), so a link is followed
    // to a directory that is then checked itself; swapping the link later changes nothing.
    const real = `${cacheDir}-real`;
    await rename(cacheDir, real);
    await symlink(real, cacheDir);
    refusedOnce(await audit(), new RegExp(`cache off: ${real} is writable by group or others \\(mode 0770\\)`));
  });

  it.each([
    ['readable by others', async (key: string) => chmod(key, 0o644), /cache-key is accessible by group or others \(mode 0644\)/],
    ['writable by the group', async (key: string) => chmod(key, 0o620), /cache-key is accessible by group or others \(mode 0620\)/],
    [
      'a symbolic link to a private file',
      async (key: string) => {
        const elsewhere = path.join(base, `known-${runs}.bin`);
        await writeFile(elsewhere, Buffer.alloc(32), { mode: 0o600 });
        await rename(key, `${key}.old`);
        await symlink(elsewhere, key);
      },
      /cache-key is a symbolic link/,
    ],
    ['not a key', async (key: string) => writeFile(key, 'short'), /cache-key is not a cache key \(5 bytes, expected 32\)/],
  ])('refuses a key file %s', async (_label, spoil, what) => {
    expect((await audit()).exitCode).toBe(1);
    await spoil(path.join(cacheDir, KEY_FILE));
    refusedOnce(await audit(), what);
  });

  it.skipIf(!IS_ROOT)('refuses a key file or directory owned by another user', async () => {
    expect((await audit()).exitCode).toBe(1);
    await chown(path.join(cacheDir, KEY_FILE), 4321, 4321);
    refusedOnce(await audit(), /cache-key is owned by uid 4321, not by this user/);
    await chown(path.join(cacheDir, KEY_FILE), 0, 0);
    await chown(cacheDir, 4321, 4321);
    refusedOnce(await audit(), /is owned by uid 4321, not by this user/);
  });

  it('ignores a cache file writable by others or planted as a symbolic link, and replaces it (not its target)', async () => {
    expect((await audit()).exitCode).toBe(1);
    const file = await cacheFile();
    await chmod(file, 0o666);
    let run = await audit();
    expect(cacheLines(run.stderr)).toEqual([`custody: cache ${file} is writable by group or others (mode 0666); rebuilding it`]);
    expect([run.exitCode, run.reported]).toEqual([1, [COPY]]);
    const target = path.join(base, `target-${runs}.cache`);
    await rename(file, target);
    await symlink(target, file);
    const targetBytes = await readFile(target);
    run = await audit();
    expect(cacheLines(run.stderr)).toEqual([`custody: cache ${file} is a symbolic link; rebuilding it`]);
    expect((await readFile(target)).equals(targetBytes)).toBe(true);
    expect((await stat(file)).isFile()).toBe(true);
  });
});

describe('an oversized cache file', () => {
  it('a sparse 1.5 GiB cache file is discarded unread, with a notice, and rebuilt', async () => {
    expect((await audit()).exitCode).toBe(1);
    const file = await cacheFile();
    await truncate(file, 1.5 * 1024 ** 3);
    const run = await audit();
    expect(cacheLines(run.stderr)).toEqual([`custody: cache ${file} is too large (1536.0 MiB, over the 256.0 MiB cap; not read); rebuilding it`]);
    expect([run.exitCode, run.reported]).toEqual([1, [COPY]]);
    expect((await stat(file)).size).toBeLessThan(4096);
  });

  it('a cache that would pass the cap is not written at all', async () => {
    const dir = path.join(base, 'cap');
    const key = await loadCacheKey(dir);
    if (key.kind !== 'ok') throw new Error(key.problem);
    const file = path.join(dir, 'audit-0000000000000000-0000000000000000.cache');
    await expect(
      writeCacheFile(file, { format: 2, custody: 'x', key: 'k', entries: 1 }, [Buffer.alloc(1)], MAX_CACHE_BYTES, cacheKeys(key.key, undefined)),
    ).rejects.toThrow(CacheTooLarge);
    expect(await readdir(dir)).toEqual([KEY_FILE]);
  });
});
