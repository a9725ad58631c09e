import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveHook } from '../../src/sources/archives-on-disk.js';
import { setViaDescriptors } from '../../src/sources/directories.js';
import { walkFilesystem } from '../../src/sources/filesystem.js';
import type { CoverageEntry, Item } from '../../src/sources/item.js';
import { tempDir, writeTree } from '../support/tmp.js';
import { buildZip } from './support/archives.js';

/**
 * A directory of the audited tree swapped for a symlink out of it while the walk runs. The walk is a
 * lazy generator, so the swaps below happen at exact points between two events: after a directory
 * was listed and before its subdirectory is opened, and after a directory was opened and before its
 * next file is stat'ed. The last test races a swapping process against whole walks.
 */
const SECRET = 'outside the audited tree';
let dir: string;
let cleanup: () => Promise<void>;
let outside: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('custody-walk-swap-'));
  outside = path.join(dir, 'outside');
  await writeTree(outside, { '1.txt': SECRET, '2.txt': SECRET, 'secret.txt': SECRET });
});
afterAll(async () => cleanup());

/** Replaces directory `victim` by a symlink to the outside directory (the original is moved out of the tree). */
async function swapForLink(victim: string): Promise<void> {
  await rename(victim, path.join(dir, `aside-${path.basename(path.dirname(victim))}`));
  await symlink(outside, victim);
}

async function readOrError(item: Item): Promise<string> {
  try {
    return (await item.content!.readAll()).toString();
  } catch (error) {
    return `error: ${(error as Error).name}`;
  }
}

describe('a directory swapped for a symlink during the walk', () => {
  it('between listing the parent and opening the directory: recorded as changed, never listed through the link', async () => {
    const root = path.join(dir, 'before-open');
    await writeTree(root, { '0.txt': 'first', 'a/inside.txt': 'inside' });
    const items: Item[] = [];
    const coverage: CoverageEntry[] = [];
    for await (const event of walkFilesystem(root)) {
      if (event.kind === 'item') items.push(event.item);
      if (event.kind === 'coverage') coverage.push(event.entry);
      // The root is listed and `0.txt` came first: `a` is known to be a directory, not yet opened.
      if (event.kind === 'item' && event.item.location === '0.txt') await swapForLink(path.join(root, 'a'));
    }
    expect(items.map((i) => i.location)).toEqual(['0.txt']);
    expect(coverage).toEqual([{ location: 'a', reason: 'changed-during-scan', detail: 'no longer a directory', incomplete: true }]);
  });

  it("after opening the directory and before stat-ing its files: files are the tree's own, and a read through the swapped path is refused", async () => {
    const root = path.join(dir, 'after-open');
    // The walk stats a directory's files in groups of 256: the swap comes after the first group,
    // so the second group's files are stat'ed after it.
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`a/${String(i).padStart(3, '0')}.txt`] = 'ten bytes!';
    await writeTree(root, files);
    await writeFile(path.join(outside, '299.txt'), SECRET); // What a stat by path would meet after the swap.
    const items: Item[] = [];
    for await (const event of walkFilesystem(root)) {
      if (event.kind !== 'item') continue;
      items.push(event.item);
      if (event.item.location === 'a/000.txt') await swapForLink(path.join(root, 'a'));
    }
    expect(items.map((i) => i.location)).toEqual(Object.keys(files).sort());
    // All were stat'ed in the tree (sizes of the tree's files), and none is read through the link.
    expect(new Set(items.map((i) => i.size))).toEqual(new Set([10]));
    // a/299.txt's path now leads to the outside file of that name: the read sees another inode.
    expect(await readOrError(items[299]!)).toBe('error: ContentChangedError');
    expect(await readOrError(items[0]!)).toMatch(/^error: /);
  });

  it('in a bounded race against a swapping process, no file outside the root is ever listed or read', async () => {
    const root = path.join(dir, 'race');
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`a/sub/f${String(i).padStart(2, '0')}.txt`] = `inside ${i}`;
    await writeTree(root, files);
    await mkdir(path.join(outside, 'sub'), { recursive: true });
    await writeFile(path.join(outside, 'sub', 'f00.txt'), SECRET);
    const aside = path.join(dir, 'race-aside');
    const swapper = startSwapper(path.join(root, 'a'), aside, outside);
    const seen = { walks: 0, items: 0, reads: 0, caught: 0 };
    const leaks: string[] = [];
    try {
      for (let walk = 0; walk < 150; walk++) {
        seen.walks++;
        for await (const event of walkFilesystem(root)) {
          if (event.kind === 'coverage') {
            if (event.entry.reason === 'changed-during-scan' || event.entry.reason === 'symlink') seen.caught++;
            continue;
          }
          if (event.kind !== 'item') continue;
          seen.items++;
          if (!/^a\/sub\/f\d\d\.txt$/.test(event.item.location) || event.item.size === SECRET.length)
            leaks.push(`listed ${event.item.location} (${event.item.size} bytes)`);
          const text = await readOrError(event.item);
          if (text === SECRET) leaks.push(`read ${event.item.location}`);
          if (text.startsWith('error')) seen.caught++;
          else seen.reads++;
        }
      }
    } finally {
      swapper.kill();
      await new Promise((resolve) => swapper.once('exit', resolve));
      await restore(path.join(root, 'a'), aside);
    }
    console.log(`hostile: walk raced against directory swaps: ${JSON.stringify(seen)}, leaks ${leaks.length}`);
    expect(leaks).toEqual([]);
    expect(seen.reads).toBeGreaterThan(0);
  }, 120_000);
});

/**
 * A separate process that swaps `victim` between the real directory (kept at `aside`, out of the tree,
 * in between) and a symlink to `target`, each state held for up to half a millisecond.
 */
function startSwapper(victim: string, aside: string, target: string): ChildProcess {
  const script = `
    const fs = require('node:fs');
    const [victim, aside, target] = process.argv.slice(1);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const hold = () => Atomics.wait(pause, 0, 0, Math.random() * 0.5);
    for (;;) {
      try {
        fs.renameSync(victim, aside);
        fs.symlinkSync(target, victim);
        hold();
        fs.unlinkSync(victim);
        fs.renameSync(aside, victim);
        hold();
      } catch {}
    }`;
  return spawn(process.execPath, ['-e', script, victim, aside, target], { stdio: 'ignore' });
}

/** Puts the real directory back, whichever state the swapper was killed in. */
async function restore(victim: string, aside: string): Promise<void> {
  await unlink(victim).catch(() => undefined);
  await rename(aside, victim).catch(() => undefined);
}

describe('a zip read with random access after the walk', () => {
  // yauzl reads a zip on disk by path: that path must not lead out of the tree either.
  async function membersAfterSwap(name: string, swap: (root: string) => Promise<void>): Promise<{ members: string[]; coverage: CoverageEntry[] }> {
    const root = path.join(dir, name);
    const zip = buildZip([{ name: 'inside.txt', data: Buffer.from('inside') }]);
    await writeTree(root, { 'd/delivery.zip': zip });
    await writeFile(path.join(outside, `${name}.zip`), buildZip([{ name: 'secret.txt', data: Buffer.from(SECRET) }]));
    let item: Item | undefined;
    for await (const event of walkFilesystem(root)) if (event.kind === 'item') item = event.item;
    await swap(root);
    const members: string[] = [];
    const coverage: CoverageEntry[] = [];
    for await (const event of archiveHook().expand(item!, 'application/zip')) {
      if (event.kind === 'item') members.push(`${event.item.location}: ${(await event.item.content!.readAll()).toString()}`);
      if (event.kind === 'coverage') coverage.push(event.entry);
    }
    return { members, coverage };
  }

  it('unchanged: its members are read', async () => {
    expect((await membersAfterSwap('zip-unchanged', async () => undefined)).members).toEqual(['d/delivery.zip!/inside.txt: inside']);
  });

  it('swapped for a symlink to a zip outside the tree: recorded as changed, nothing outside read', async () => {
    const result = await membersAfterSwap('zip-link', async (root) => {
      await unlink(path.join(root, 'd', 'delivery.zip'));
      await symlink(path.join(outside, 'zip-link.zip'), path.join(root, 'd', 'delivery.zip'));
    });
    expect(result).toEqual({
      members: [],
      coverage: [{ location: 'd/delivery.zip', reason: 'changed-during-scan', detail: 'replaced by a symbolic link during the scan', incomplete: true }],
    });
  });

  it('its directory swapped for a symlink to a directory outside holding a zip of that name: recorded as changed', async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    await writeTree(elsewhere, { 'delivery.zip': buildZip([{ name: 'secret.txt', data: Buffer.from(SECRET) }]) });
    const result = await membersAfterSwap('zip-dir', async (root) => {
      await rename(path.join(root, 'd'), path.join(dir, 'aside-zip-dir'));
      await symlink(elsewhere, path.join(root, 'd'));
    });
    expect(result).toEqual({
      members: [],
      coverage: [{ location: 'd/delivery.zip', reason: 'changed-during-scan', detail: 'replaced by another file during the scan', incomplete: true }],
    });
  });
});

describe('where /proc is absent (directories opened by path, identities compared)', () => {
  beforeAll(() => setViaDescriptors(false));
  afterAll(() => setViaDescriptors(undefined));

  it('walks the same items, and a directory swapped before it is opened is recorded as changed', async () => {
    const root = path.join(dir, 'fallback');
    await writeTree(root, { '0.txt': 'first', 'a/inside.txt': 'inside', 'b/c/deep.txt': 'deep' });
    const locations: string[] = [];
    const coverage: CoverageEntry[] = [];
    for await (const event of walkFilesystem(root)) {
      if (event.kind === 'item') locations.push(event.item.location);
      if (event.kind === 'coverage') coverage.push(event.entry);
      if (event.kind === 'item' && event.item.location === '0.txt') await swapForLink(path.join(root, 'a'));
    }
    expect(locations).toEqual(['0.txt', 'b/c/deep.txt']);
    expect(coverage).toEqual([{ location: 'a', reason: 'changed-during-scan', detail: 'no longer a directory', incomplete: true }]);
  });
});
