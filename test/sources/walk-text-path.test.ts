import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { walkFilesystem } from '../../src/sources/filesystem.js';
import type { Item } from '../../src/sources/item.js';
import { tempDir } from '../support/tmp.js';

/**
 * A file's `path` (text, for readers that want random access) is given only when it spells the
 * bytes on disk exactly. The walk decides without encoding every name again: a decoded name with no
 * U+FFFD is exact; one with U+FFFD is exact only when the name held U+FFFD itself.
 */
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('custody-walk-text-'));
  const root = Buffer.from(path.join(dir, 'tree'));
  await mkdir(root);
  const bytes = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
  await writeFile(bytes(root, '/plain.txt'), 'a');
  await writeFile(bytes(root, '/replacement \uFFFD char.txt'), 'b');
  await writeFile(bytes(root, '/latin1 ', Buffer.from([0xe9]), '.txt'), 'c');
  await mkdir(bytes(root, '/bad ', Buffer.from([0xff]), ' dir'));
  await writeFile(bytes(root, '/bad ', Buffer.from([0xff]), ' dir/inside.txt'), 'd');
});
afterAll(async () => cleanup?.());

it('gives a text path exactly when the path on disk is valid UTF-8, U+FFFD in a name included', async () => {
  const items: Item[] = [];
  for await (const event of walkFilesystem(path.join(dir, 'tree'))) if (event.kind === 'item') items.push(event.item);
  const paths = Object.fromEntries(items.map((i) => [i.location, i.path === undefined ? undefined : path.basename(i.path)]));
  expect(paths).toEqual({
    'bad \\xff dir/inside.txt': undefined,
    'latin1 \\xe9.txt': undefined,
    'plain.txt': 'plain.txt',
    'replacement \uFFFD char.txt': 'replacement \uFFFD char.txt',
  });
  // Whatever the name, the content is reachable.
  for (const item of items) expect((await item.content!.readAll()).length).toBe(1);
});
