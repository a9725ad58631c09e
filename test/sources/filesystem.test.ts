import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WHOLE_HEAD_BYTES } from '../../src/sources/file-content.js';
import { countEntries, type WalkOptions, walkFilesystem, walkFilesystemGroups } from '../../src/sources/filesystem.js';
import type { CoverageEntry, Item, SourceEvent } from '../../src/sources/item.js';
import { IS_ROOT, overlongTree, tempDir, writeTree } from '../support/tmp.js';

async function walk(root: string, options: WalkOptions = {}): Promise<{ items: Item[]; coverage: CoverageEntry[] }> {
  const items: Item[] = [];
  const coverage: CoverageEntry[] = [];
  for await (const event of walkFilesystem(root, options)) {
    if (event.kind === 'item') items.push(event.item);
    if (event.kind === 'coverage') coverage.push(event.entry);
  }
  items.sort((a, b) => (a.location < b.location ? -1 : 1));
  coverage.sort((a, b) => (a.location < b.location ? -1 : 1));
  return { items, coverage };
}

const locationOf = (event: SourceEvent): string => (event.kind === 'item' ? event.item.location : event.kind === 'coverage' ? event.entry.location : 'notice');

const HOSTILE_NAMES = [
  'with space.jpg',
  'dir\nwith newline/inside.jpg',
  'Zoë – März ✓.txt',
  '日本語/写真.jpg',
  'line\nbreak.bin',
  'bell\u0007tab\tesc\u001b[31m.bin',
  ' leading and trailing ',
  '.hidden',
];

describe('walkFilesystem', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let outside: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    outside = path.join(dir, 'outside');
    await writeTree(outside, { 'secret.jpg': 'outside the root' });
  });
  afterAll(async () => cleanup());

  // Names with a newline are dropped by globby/picomatch ('.' in its regexes does not match \n): see report.
  it('yields every regular file with its name intact, "/"-separated, with size, times and mode', async () => {
    const root = path.join(dir, 'names');
    await writeTree(root, Object.fromEntries(HOSTILE_NAMES.map((name) => [`sub dir/${name}`, { data: `content of ${name}`, mode: 0o640 }])));
    const { items, coverage } = await walk(root);
    expect(coverage).toEqual([]);
    expect(items.map((i) => i.location)).toEqual(HOSTILE_NAMES.map((n) => `sub dir/${n}`).sort());
    for (const item of items) {
      const name = item.location.slice('sub dir/'.length);
      expect(item.origin).toBe('filesystem');
      expect(item.size).toBe(Buffer.byteLength(`content of ${name}`));
      expect(item.mode).toBe(0o640);
      expect(item.mtime).toBeInstanceOf(Date);
      expect((await item.content!.readAll()).toString()).toBe(`content of ${name}`);
    }
  });

  it('walks a root inside the working directory by relative paths, with the same items as from outside it', async () => {
    const root = path.join(dir, 'relative');
    await writeTree(root, { 'a/b/one.jpg': 'one', 'two.txt': 'two' });
    const fromOutside = await walk(root);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const fromInside = await walk(root);
      const strip = (items: Item[]) => items.map(({ content: _c, path: _p, ...rest }) => rest);
      expect(strip(fromInside.items)).toEqual(strip(fromOutside.items));
      expect(fromInside.items.map((i) => i.path)).toEqual(['relative/a/b/one.jpg', 'relative/two.txt']);
      expect(fromOutside.items.map((i) => i.path)).toEqual([path.join(root, 'a/b/one.jpg'), path.join(root, 'two.txt')]);
      expect((await fromInside.items[0]!.content!.readAll()).toString()).toBe('one');
      process.chdir(root);
      expect((await walk(root)).items.map((i) => i.path)).toEqual(['./a/b/one.jpg', './two.txt']);
    } finally {
      process.chdir(cwd);
    }
  });

  it('records symbolic links (a loop, a link out of the root, a dangling one) as coverage and never follows them', async () => {
    const root = path.join(dir, 'links');
    await writeTree(root, { 'real/a.jpg': 'a' });
    await symlink('..', path.join(root, 'real', 'loop'));
    await symlink(outside, path.join(root, 'escape'));
    await symlink(path.join(outside, 'secret.jpg'), path.join(root, 'escape-file.jpg'));
    await symlink('does-not-exist', path.join(root, 'dangling'));
    const { items, coverage } = await walk(root);
    expect(items.map((i) => i.location)).toEqual(['real/a.jpg']);
    expect(coverage).toEqual(
      ['dangling', 'escape', 'escape-file.jpg', 'real/loop'].map((location) => ({
        location,
        reason: 'symlink',
        detail: 'symbolic links are not followed',
        incomplete: false,
      })),
    );
  });

  it('records a FIFO as a special file (complete scan, never opened)', async () => {
    const root = path.join(dir, 'fifo');
    await writeTree(root, { 'plain.txt': 'x' });
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    const { items, coverage } = await walk(root);
    expect(items.map((i) => i.location)).toEqual(['plain.txt']);
    expect(coverage).toEqual([{ location: 'pipe', reason: 'special-file', detail: 'FIFO', incomplete: false }]);
  });

  it('records an unreadable directory as incomplete coverage (chmod 000); a file past PATH_MAX is listed, and its read fails', async () => {
    const root = path.join(dir, 'unreadable-dir');
    await writeTree(root, { 'ok.txt': 'x', 'locked/inner.txt': 'y' });
    await chmod(path.join(root, 'locked'), 0o000);
    const deep = await overlongTree(root, 'deep');
    try {
      const { items, coverage } = await walk(root);
      const unreadable = coverage.filter((c) => c.reason === 'unreadable-directory');
      // Directories are opened through their parent's descriptor, so depth does not stop the walk;
      // files are read by path, which the kernel refuses past PATH_MAX (the audit records it as unreadable).
      const tooDeep = items.find((i) => i.location.startsWith('deep/') && i.location.endsWith('/deep.bin'));
      expect(tooDeep?.size).toBe('too deep to read'.length);
      await expect(tooDeep!.content!.readAll()).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
      if (IS_ROOT) {
        expect(items.map((i) => i.location)).toContain('locked/inner.txt');
      } else {
        expect(unreadable).toContainEqual({ location: 'locked', reason: 'unreadable-directory', detail: 'EACCES', incomplete: true });
        expect(items.map((i) => i.location)).not.toContain('locked/inner.txt');
      }
      expect(items.map((i) => i.location)).toContain('ok.txt');
    } finally {
      await chmod(path.join(root, 'locked'), 0o755);
      await deep.undo();
    }
  });

  it('yields an unreadable file as an item whose read fails (root: reads succeed)', async () => {
    const root = path.join(dir, 'unreadable-file');
    await writeTree(root, { 'locked.bin': { data: 'secret', mode: 0o000 } });
    const { items } = await walk(root);
    expect(items.map((i) => [i.location, i.mode])).toEqual([['locked.bin', 0o000]]);
    const read = items[0]!.content!.readAll();
    if (IS_ROOT) await expect(read).resolves.toEqual(Buffer.from('secret'));
    else await expect(read).rejects.toMatchObject({ code: 'EACCES' });
  });

  it('applies include and exclude globs, and prefixes locations', async () => {
    const root = path.join(dir, 'globs');
    await writeTree(root, { 'a/x.jpg': '1', 'a/y.txt': '2', 'b/z.jpg': '3', 'node_modules/m.jpg': '4' });
    const only = await walk(root, { include: ['**/*.jpg'], exclude: ['node_modules/**'] });
    expect(only.items.map((i) => i.location)).toEqual(['a/x.jpg', 'b/z.jpg']);
    const excluded = await walk(root, { exclude: ['a/**'], locationPrefix: 'share' });
    expect(excluded.items.map((i) => i.location)).toEqual(['share/b/z.jpg', 'share/node_modules/m.jpg']);
  });

  it('counts ahead exactly the entries the walk meets (files, links, special files), under the same globs', async () => {
    const root = path.join(dir, 'count');
    await writeTree(root, { 'a/x.jpg': '1', 'a/y.txt': '2', 'b/c/z.jpg': '3', 'node_modules/m.jpg': '4', [HOSTILE_NAMES[1]!]: '5' });
    await symlink('../a/x.jpg', path.join(root, 'b', 'link.jpg'));
    execFileSync('mkfifo', [path.join(root, 'a', 'pipe')]);
    for (const options of [{}, { include: ['**/*.jpg'] }, { exclude: ['node_modules/**', 'a/**'] }] satisfies WalkOptions[]) {
      const walked = await walk(root, options);
      expect(await countEntries(root, options)).toBe(walked.items.length + walked.coverage.length);
    }
    expect(await countEntries(root)).toBe(7);
  });

  it('reports a size change between walk and read as a ContentChangedError', async () => {
    const root = path.join(dir, 'changing');
    await writeTree(root, { 'grows.bin': '1234' });
    const { items } = await walk(root);
    await writeFile(path.join(root, 'grows.bin'), '123456789');
    await expect(items[0]!.content!.readAll()).rejects.toMatchObject({ name: 'ContentChangedError', message: 'size changed during the scan (4 -> 9 bytes)' });
    const chunks: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of items[0]!.content!.stream()) chunks.push(chunk as Buffer);
      })(),
    ).rejects.toMatchObject({ name: 'ContentChangedError' });
    expect(await items[0]!.content!.head(2)).toEqual(Buffer.from('12'));
  });

  it('streams a small file in one read and a large one through a file stream, with the same bytes and the same size check', async () => {
    const root = path.join(dir, 'streamed');
    const small = Buffer.alloc(WHOLE_HEAD_BYTES, 3);
    const large = Buffer.alloc(WHOLE_HEAD_BYTES + 4096 * 3 + 5, 4);
    await writeTree(root, { 'large.bin': large, 'small.bin': small });
    const { items } = await walk(root);
    const streamed = async (item: Item): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      for await (const chunk of item.content!.stream()) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    expect((await streamed(items[0]!)).equals(large)).toBe(true);
    expect((await streamed(items[1]!)).equals(small)).toBe(true);
    for (const name of ['large.bin', 'small.bin']) await writeFile(path.join(root, name), Buffer.alloc(10));
    for (const item of items)
      await expect(streamed(item)).rejects.toMatchObject({ name: 'ContentChangedError', message: `size changed during the scan (${item.size} -> 10 bytes)` });
  });

  it('modifies nothing: mode, mtime and atime are unchanged after walking and reading every file', async () => {
    const root = path.join(dir, 'untouched');
    await writeTree(root, { 'a.jpg': { data: 'aaaa', mode: 0o604 }, 'd/b.bin': { data: 'bbbbbbbb', mode: 0o640 } });
    // An atime older than the mtime is exactly what relatime would update on a plain read.
    const old = new Date('2020-01-02T03:04:05Z');
    const mtime = new Date('2021-01-02T03:04:05Z');
    for (const f of ['a.jpg', 'd/b.bin']) await utimes(path.join(root, f), old, mtime);
    const before = await Promise.all(['a.jpg', 'd/b.bin', 'd'].map((f) => stat(path.join(root, f))));
    const { items } = await walk(root);
    for (const item of items) {
      await item.content!.head(2);
      await item.content!.readAll();
      for await (const _ of item.content!.stream());
    }
    const after = await Promise.all(['a.jpg', 'd/b.bin', 'd'].map((f) => stat(path.join(root, f))));
    after.forEach((s, i) => {
      const b = before[i]!;
      expect([s.mode, s.mtimeMs, s.size]).toEqual([b.mode, b.mtimeMs, b.size]);
      if (!s.isDirectory()) expect(s.atimeMs).toBe(b.atimeMs);
    });
    expect((await readFile(path.join(root, 'a.jpg'))).toString()).toBe('aaaa');
  });

  it('yields nothing for an empty directory', async () => {
    const root = path.join(dir, 'empty');
    await mkdir(root);
    expect(await walk(root)).toEqual({ items: [], coverage: [] });
  });

  it('gives the same events in groups, each within one directory and at most 256 long', async () => {
    const root = path.join(dir, 'groups');
    const files: Record<string, string> = { 'top.txt': 'top', 'b/one.txt': 'one' };
    for (let i = 0; i < 300; i++) files[`a/f${String(i).padStart(3, '0')}.txt`] = `file ${i}`;
    await writeTree(root, files);
    await symlink(outside, path.join(root, 'a', 'link'));
    const one: string[] = [];
    for await (const event of walkFilesystem(root)) one.push(locationOf(event));
    const groups: string[][] = [];
    for await (const group of walkFilesystemGroups(root)) groups.push(group.map(locationOf));
    expect(groups.flat()).toEqual(one);
    expect(one).toHaveLength(303);
    // top.txt; a's 300 files and its link (coverage) in two groups; b's file.
    expect(groups.map((g) => g.length)).toEqual([1, 256, 45, 1]);
    for (const group of groups) {
      const directories = new Set(group.map((location) => path.posix.dirname(location)));
      expect(directories.size, group.join(' ')).toBe(1);
    }
  });
});
