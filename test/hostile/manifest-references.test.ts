import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../sources/manifests/helpers.js';
import { row, writeInventory } from '../sources/manifests/inventory-builder.js';

/**
 * Issue #22 class 7: a manifest names files by path, and custody must not read this machine's files
 * because a manifest says so. Every "outside" file below holds a valid inventory row for
 * `stolen.jpg`: had it been read, that item would appear.
 */
describe('manifest-referenced files stay inside the manifest folder', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'custody-manifest-refs-'));
  });
  afterAll(async () => rm(base, { recursive: true, force: true }));

  const STOLEN = [row({ key: 'stolen.jpg' })];
  const outsideRefused = (reference: string) => [expect.objectContaining({ location: reference, reason: 'manifest-reference-outside', incomplete: true })];

  it('refuses an absolute data file key without reading it', async () => {
    const key = join(base, 'abs-outside', 'part.csv.gz');
    const manifest = await writeInventory(join(base, 'abs'), STOLEN, { dataPath: '../abs-outside/part.csv.gz', key });
    const { items, coverage } = await collect(manifest);
    expect(items).toEqual([]);
    expect(coverage).toEqual(outsideRefused(key));
  });

  it('refuses a data file key with .. segments', async () => {
    const manifest = await writeInventory(join(base, 'dotdot'), STOLEN, { dataPath: 'data/part.csv.gz', key: '../dotdot/data/part.csv.gz' });
    const { items, coverage } = await collect(manifest);
    expect(items).toEqual([]);
    expect(coverage).toEqual(outsideRefused('../dotdot/data/part.csv.gz'));
  });

  it('does not look a relative key up in ancestors outside the manifest folder (the etc/passwd case)', async () => {
    const manifest = await writeInventory(join(base, 'anc', 'inv'), STOLEN, { dataPath: '../secret-store/part.csv.gz', key: 'secret-store/part.csv.gz' });
    const { items, coverage } = await collect(manifest);
    expect(items).toEqual([]);
    expect(coverage).toEqual([expect.objectContaining({ location: 'secret-store/part.csv.gz', reason: 'manifest-data-missing', incomplete: true })]);
  });

  it('refuses a data file that is a symbolic link leading out of the manifest folder', async () => {
    const dir = join(base, 'link');
    const manifest = await writeInventory(dir, STOLEN, { dataPath: '../link-outside/part-0.csv.gz' });
    await mkdir(join(dir, 'data'), { recursive: true });
    await symlink(join(base, 'link-outside', 'part-0.csv.gz'), join(dir, 'data', 'part-0.csv.gz'));
    const { items, coverage } = await collect(manifest);
    expect(items).toEqual([]);
    expect(coverage).toEqual(outsideRefused('inventory-dest/agency-bucket/cfg/data/part-0.csv.gz'));
  });

  it('still finds the S3 layout <config>/data/ beside <config>/<date>/manifest.json, and a key under the manifest folder', async () => {
    const s3 = await writeInventory(join(base, 'layout'), [row({ key: 'a.jpg' })], {
      dataPath: 'inventory-dest/agency-bucket/cfg/data/part-0.csv.gz',
      manifestPath: 'inventory-dest/agency-bucket/cfg/2024-04-22T00-00Z/manifest.json',
    });
    expect((await collect(s3)).items.map((i) => i.location)).toEqual(['s3://agency-bucket/a.jpg']);
    const below = await writeInventory(join(base, 'below'), [row({ key: 'b.jpg' })], { dataPath: 'nested/part.csv.gz', key: 'nested/part.csv.gz' });
    expect((await collect(below)).items.map((i) => i.location)).toEqual(['s3://agency-bucket/b.jpg']);
  });

  it('does not read (or quote) a manifest.checksum that links out of the folder', async () => {
    const dir = join(base, 'checksum');
    const manifest = await writeInventory(dir, [row({ key: 'a.jpg' })], { checksum: 'none' });
    await writeFile(join(base, 'shadow'), 'root:$6$secretsecretsecretsecret:19000:0:99999:7:::\n');
    await symlink(join(base, 'shadow'), join(dir, 'manifest.checksum'));
    const { events, coverage } = await collect(manifest);
    expect(JSON.stringify(events)).not.toContain('secret');
    expect(coverage).toEqual(outsideRefused(join(dir, 'manifest.checksum')));
  });
});

describe('BagIt files stay inside the bag', () => {
  let base: string;
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  async function write(file: string, text: string): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'custody-bag-refs-'));
    await write(join(base, 'elsewhere', 'a.txt'), 'outside payload');
    await write(join(base, 'elsewhere', 'manifest.txt'), `${sha('x')}  data/stolen.jpg\n`);
    await write(join(base, 'elsewhere', 'passwd'), 'root:x:0:0\n');
  });
  afterAll(async () => rm(base, { recursive: true, force: true }));

  async function bag(name: string, files: Record<string, string>, links: Record<string, string> = {}): Promise<string> {
    const root = join(base, name);
    await write(join(root, 'bagit.txt'), 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    for (const [file, text] of Object.entries(files)) await write(join(root, file), text);
    for (const [file, target] of Object.entries(links)) await symlink(join(base, target), join(root, file));
    return root;
  }

  it('does not walk a data/ folder that links out of the bag', async () => {
    const root = await bag('data-link', { 'manifest-sha256.txt': `${sha('outside payload')}  data/a.txt\n` }, { data: 'elsewhere' });
    const { coverage, notices } = await collect(root);
    expect(coverage).toEqual(outsideRefused(join(root, 'data')));
    expect(notices.map((n) => n.message).join('\n')).toMatch(/1 of 1 payload files missing/);
  });

  it('does not read a payload manifest that links out of the bag', async () => {
    const root = await bag('manifest-link', { 'data/a.txt': 'a' }, { 'manifest-sha256.txt': 'elsewhere/manifest.txt' });
    const { items, coverage } = await collect(root);
    expect(items.map((i) => i.location)).not.toContain('data/stolen.jpg');
    expect(coverage).toEqual(outsideRefused(join(root, 'manifest-sha256.txt')));
  });

  it('does not hash a tag file reached through a link out of the bag', async () => {
    const root = await bag(
      'tag-link',
      { 'data/a.txt': 'a', 'manifest-sha256.txt': `${sha('a')}  data/a.txt\n`, 'tagmanifest-sha256.txt': `${sha('root:x:0:0\n')}  etc/passwd\n` },
      { etc: 'elsewhere' },
    );
    const { coverage, notices } = await collect(root);
    expect(coverage).toEqual(outsideRefused(join(root, 'etc/passwd')));
    expect(notices.map((n) => n.message).join('\n')).toMatch(/tag file\(s\) fail tagmanifest-sha256\.txt: etc\/passwd/);
  });

  function outsideRefused(reference: string) {
    return [expect.objectContaining({ location: reference, reason: 'manifest-reference-outside', incomplete: true })];
  }
});
