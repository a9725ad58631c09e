import { execFileSync } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listedPaths, readList } from '../../src/sources/files-from.js';
import type { CoverageEntry, Item, Notice } from '../../src/sources/item.js';
import { SOURCES, sourceEvents } from '../../src/sources/registry.js';
import { UsageError } from '../../src/util/errors.js';
import { tempDir, writeTree } from '../support/tmp.js';

/** The files-from source on its own: how a list is split, and what each listed path becomes. */
describe('files-from source', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-files-from-'));
    await writeTree(dir, { 'a.jpg': 'aaaa', 'sub/b.jpg': 'bb', 'outside/secret.jpg': 'ssss' });
    await symlink(path.join(dir, 'outside', 'secret.jpg'), path.join(dir, 'link.jpg'));
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    await writeFile(Buffer.from(path.join(dir, 'bad-\xff.jpg'), 'latin1'), 'xx');
  });
  afterAll(async () => cleanup());

  async function audit(list: string | Buffer) {
    const items: Item[] = [];
    const coverage: CoverageEntry[] = [];
    const notices: Notice[] = [];
    for await (const event of sourceEvents([{ source: 'files-from', name: 'list', list: Buffer.from(list), cwd: dir }])) {
      if (event.kind === 'item') items.push(event.item);
      else if (event.kind === 'coverage') coverage.push(event.entry);
      else notices.push(event.notice);
    }
    return { items, coverage, notices };
  }
  const at = (relative: string) => path.join(dir, relative);

  it('splits on newlines, or on NUL bytes when the list holds one; empty entries are not paths', () => {
    expect(listedPaths(Buffer.from('a\n\nb c\n')).map(String)).toEqual(['a', 'b c']);
    expect(listedPaths(Buffer.from('a\nb\0c\0\0')).map(String)).toEqual(['a\nb', 'c']);
    expect(listedPaths(Buffer.alloc(0))).toEqual([]);
  });

  it('audits each listed file like a file root: read-only items with modes, named by path from the list cwd', async () => {
    const { items, coverage } = await audit(`a.jpg\n${at('sub/b.jpg')}\n./sub/../a.jpg\n`);
    expect(coverage).toEqual([]);
    expect(items.map((i) => [i.location, i.origin, i.size])).toEqual([
      ['a.jpg', 'filesystem', 4],
      ['sub/b.jpg', 'filesystem', 2],
    ]);
    expect(items[0]!.known).toBe(SOURCES['files-from'].knowledge);
    expect(items[0]!.mode).toBeTypeOf('number');
    expect((await items[0]!.content!.readAll()).toString()).toBe('aaaa');
  });

  it('does not follow a listed symlink, records special and missing files as the walk does, and names directories it does not walk', async () => {
    const { items, coverage, notices } = await audit(['link.jpg', 'pipe', 'gone.jpg', 'sub', 'a.jpg', 'a.jpg'].join('\n'));
    expect(items.map((i) => i.location)).toEqual(['a.jpg']);
    expect(coverage).toEqual([
      { location: 'link.jpg', reason: 'symlink', detail: 'symbolic links are not followed', incomplete: false },
      { location: 'pipe', reason: 'special-file', detail: 'FIFO', incomplete: false },
      { location: 'gone.jpg', reason: 'unreadable', detail: 'ENOENT', incomplete: true },
    ]);
    expect(notices).toEqual([
      { location: '--files-from list', level: 'warning', message: `1 listed directory was not walked (list their files, e.g. find -type f): sub` },
      { location: '--files-from list', level: 'info', message: '1 path was listed more than once: audited once' },
    ]);
  });

  it('names a file by its real folder: a directory link or .. on the listed path cannot give it another folder, nor a second name', async () => {
    // ok/lnk leads to outside/: `ok/lnk/secret.jpg` is outside/secret.jpg, and `ok/lnk/../x` is not in ok/.
    await symlink(at('outside'), at('sub/lnk'));
    const { items, notices } = await audit(['sub/lnk/secret.jpg', 'sub/lnk/../outside/secret.jpg', 'outside/secret.jpg'].join('\n'));
    expect(items.map((i) => i.location)).toEqual(['outside/secret.jpg']);
    expect(notices).toContainEqual({ location: '--files-from list', level: 'info', message: '2 paths were listed more than once: audited once' });
  });

  it('applies --include and --exclude to the located paths', async () => {
    const listed = ['a.jpg', 'sub/b.jpg', 'outside/secret.jpg'].join('\n');
    const only = async (patterns: { include?: string[]; exclude?: string[] }) => {
      const located: string[] = [];
      for await (const event of sourceEvents([{ source: 'files-from', name: 'list', list: Buffer.from(listed), cwd: dir, ...patterns }])) {
        if (event.kind === 'item') located.push(event.item.location);
      }
      return located;
    };
    expect(await only({ exclude: ['outside/'] })).toEqual(['a.jpg', 'sub/b.jpg']);
    expect(await only({ include: ['sub/**'] })).toEqual(['sub/b.jpg']);
  });

  it('reaches a name that is not valid UTF-8 by its bytes, and shows it escaped', async () => {
    const { items } = await audit(Buffer.concat([Buffer.from('bad-'), Buffer.from([0xff]), Buffer.from('.jpg\0')]));
    expect(items.map((i) => i.location)).toEqual(['bad-\\xff.jpg']);
    expect((await items[0]!.content!.readAll()).toString()).toBe('xx');
  });

  it('estimates the entries from the list alone, and reads a list from any stream; no stdin is a usage error', async () => {
    expect(await SOURCES['files-from'].estimate!({ source: 'files-from', name: 'l', list: Buffer.from('a\nb\n') })).toBe(2);
    async function* chunks() {
      yield 'a\n';
      yield Buffer.from('b');
    }
    expect((await readList(chunks(), 'l')).toString()).toBe('a\nb');
    await expect(readList(undefined, '-')).rejects.toThrow(UsageError);
  });
});
