import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { link, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/sign/keys.js';
import { bytesOf, tempDir, writeTree } from '../support/tmp.js';
import { runCli } from './support/cli.js';

/**
 * custody never writes into what it audits (issue #22, class 1): every file it writes (reports,
 * signatures, fingerprint files, the cache) goes through one guard that compares real paths and never
 * writes through a link. Workspace:
 *   tree/           the audited tree: a leaked copy (so audits exit 1) and evidence.jpg
 *   tree/sub/       a folder inside it
 *   tree-link  ->   tree        (the audited root given through a link)
 *   into-tree  ->   tree/sub    (a folder link pointing into the tree)
 *   out/            an ordinary output folder
 */
describe('writes never land in the audited tree', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const EVIDENCE = bytesOf('contractor evidence', 3000);
  const KEYS = generateKeyPair();
  const ENV = { NO_COLOR: '1' };
  const FP = ['-f', 'agency.fp.json', '--authorized', 'secure-enclave/**', '--no-cache'];
  const cli = (args: string[], env: Record<string, string> = ENV) => runCli(args, { cwd: dir, env });

  /** Every entry of the tree: type, size, content digest, link target. Equal before and after. */
  async function snapshot(root: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const walk = async (abs: string, rel: string): Promise<void> => {
      for (const entry of await readdir(abs, { withFileTypes: true })) {
        const file = path.join(abs, entry.name);
        const name = `${rel}${entry.name}`;
        if (entry.isDirectory()) {
          out.set(name, 'dir');
          await walk(file, `${name}/`);
        } else if (entry.isSymbolicLink()) out.set(name, `link ${fs.readlinkSync(file)}`);
        else
          out.set(
            name,
            `file ${createHash('sha256')
              .update(await readFile(file))
              .digest('hex')}`,
          );
      }
    };
    await walk(root, '');
    return out;
  }

  let before: Map<string, string>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeTree(dir, {
      'refs/cap.jpg': bytesOf('agency capture', 4000),
      'tree/corp/leak.bin': { data: bytesOf('agency capture', 4000), mode: 0o600 },
      'tree/evidence.jpg': EVIDENCE,
      'tree/sub/notes.txt': 'notes',
      'out/.keep': '',
      'signing.pem': KEYS.privateKeyPem,
      'signing.pub.pem': KEYS.publicKeyPem,
    });
    await symlink(path.join(dir, 'tree'), path.join(dir, 'tree-link'));
    await symlink(path.join(dir, 'tree', 'sub'), path.join(dir, 'into-tree'));
    expect((await cli(['fingerprint', 'refs', '--out', 'agency.fp.json', '--no-perceptual'])).exitCode).toBe(0);
    before = await snapshot(path.join(dir, 'tree'));
  });
  afterAll(async () => cleanup());

  const expectTreeUnchanged = async () => expect(await snapshot(path.join(dir, 'tree'))).toEqual(before);

  // name | audited root | extra args | stderr
  const refused: [string, string, string[], RegExp][] = [
    [
      '--output through a folder link into the tree',
      'tree',
      ['--format', 'json', '--output', 'into-tree/report.json'],
      /^custody: refusing to write into-tree\/report\.json inside the audited tree \/.*\/tree /,
    ],
    [
      '--output named ..report.json inside the tree',
      'tree',
      ['--format', 'json', '--output', 'tree/..report.json'],
      /^custody: refusing to write tree\/\.\.report\.json inside the audited tree/,
    ],
    [
      '--output ..x inside the tree, format from the extension',
      'tree',
      ['--output', 'tree/sub/..x.sarif'],
      /^custody: refusing to write tree\/sub\/\.\.x\.sarif inside/,
    ],
    [
      '--output where link/.. is the tree (.. applied after the link, as the kernel does)',
      'tree',
      ['--format', 'json', '--output', 'into-tree/../r.json'],
      /^custody: refusing to write into-tree\/\.\.\/r\.json inside the audited tree/,
    ],
    [
      'the root given through a link, --output in the real tree',
      'tree-link',
      ['--format', 'json', '--output', 'tree/r.json'],
      /^custody: refusing to write tree\/r\.json inside the audited tree \/.*\/tree-link /,
    ],
    [
      'the real root, --output through the root link',
      'tree',
      ['--format', 'json', '--output', 'tree-link/r.json'],
      /^custody: refusing to write tree-link\/r\.json inside the audited tree \/.*\/tree /,
    ],
    [
      '--cache named ..cache inside the tree',
      'tree',
      ['--cache', 'tree/..cache'],
      /^custody: refusing to keep the cache in tree\/\.\.cache inside the audited tree/,
    ],
    [
      '--cache through a folder link into the tree',
      'tree',
      ['--cache', 'into-tree/c'],
      /^custody: refusing to keep the cache in into-tree\/c inside the audited tree/,
    ],
  ];
  it.each(refused)('refuses %s (exit 2, nothing written)', async (_name, root, extra, stderr) => {
    const args = ['audit', root, ...FP.filter((a) => !(extra.includes('--cache') && a === '--no-cache')), ...extra];
    const result = await cli(args, { ...ENV, XDG_CACHE_HOME: path.join(dir, 'xdg') });
    expect(result.stderr).toMatch(stderr);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.exitCode).toBe(2);
    await expectTreeUnchanged();
    expect(fs.existsSync(path.join(dir, 'r.json'))).toBe(false);
  });

  it('writes a report named ..report.json outside the tree (the name is not a parent reference)', async () => {
    const result = await cli(['audit', 'tree', ...FP, '--output', 'out/..report.json']);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(await readFile(path.join(dir, 'out', '..report.json'), 'utf8'))).toMatchObject({ format: 'custody-report' });
  });

  it('refuses a symbolic link at the --output name, before auditing (evidence not replaced)', async () => {
    await symlink(path.join(dir, 'tree', 'evidence.jpg'), path.join(dir, 'out', 'evil.json'));
    const result = await cli(['audit', 'tree', ...FP, '--output', 'out/evil.json']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'custody: refusing to write out/evil.json: it is a symbolic link (custody never writes through links; remove it or choose another name)\n',
    );
    expect(await readFile(path.join(dir, 'tree', 'evidence.jpg'))).toEqual(EVIDENCE);
    await expectTreeUnchanged();
  });

  it('refuses a symbolic link at <output>.sig with --sign, writing neither file', async () => {
    await symlink(path.join(dir, 'tree', 'evidence.jpg'), path.join(dir, 'out', 'signed.json.sig'));
    const result = await cli(['audit', 'tree', ...FP, '--format', 'json', '--output', 'out/signed.json', '--sign', 'signing.pem']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^custody: refusing to write out\/signed\.json\.sig: it is a symbolic link/);
    expect(fs.existsSync(path.join(dir, 'out', 'signed.json'))).toBe(false);
    await expectTreeUnchanged();
  });

  it('refuses <output>.sig inside the tree when the report path reaches it through a link', async () => {
    const result = await cli(['audit', 'tree', ...FP, '--format', 'json', '--output', 'into-tree/s.json', '--sign', 'signing.pem']);
    expect(result.exitCode).toBe(2);
    await expectTreeUnchanged();
  });

  it('signs the report it wrote, and the signature verifies', async () => {
    const result = await cli(['audit', 'tree', ...FP, '--format', 'json', '--output', 'out/ok.json', '--sign', 'signing.pem']);
    expect(result.exitCode).toBe(1);
    expect(fs.lstatSync(path.join(dir, 'out', 'ok.json.sig')).isFile()).toBe(true);
    const verified = await cli(['verify', 'out/ok.json', 'out/ok.json.sig', 'signing.pub.pem']);
    expect(verified.stdout).toMatch(/^signature valid/);
    expect(verified.exitCode).toBe(0);
  });

  it('replaces a hard link at the --output name instead of writing through it into the tree', async () => {
    await link(path.join(dir, 'tree', 'evidence.jpg'), path.join(dir, 'out', 'hard.json'));
    const result = await cli(['audit', 'tree', ...FP, '--output', 'out/hard.json']);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(await readFile(path.join(dir, 'out', 'hard.json'), 'utf8'))).toMatchObject({ format: 'custody-report' });
    expect(await readFile(path.join(dir, 'tree', 'evidence.jpg'))).toEqual(EVIDENCE);
    await expectTreeUnchanged();
  });

  it('names an --output whose folder does not exist before auditing, one line', async () => {
    const result = await cli(['audit', 'tree', ...FP, '--output', 'no-such-folder/r.json']);
    expect(result).toEqual({ exitCode: 2, stdout: '', stderr: 'custody: cannot write no-such-folder/r.json: ENOENT (its folder must exist)\n' });
  });

  it('writes to a device in place (/dev/null), without replacing it', async () => {
    const result = await cli(['audit', 'tree', ...FP, '--format', 'json', '--output', '/dev/null']);
    expect(result.exitCode).toBe(1);
    expect(fs.lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('keeps the cache in the real directory behind a link, and writes no temporary file in the tree', async () => {
    await mkdir(path.join(dir, 'cache-real'));
    await symlink(path.join(dir, 'cache-real'), path.join(dir, 'cache-link'));
    const result = await cli(['audit', 'tree', ...FP.filter((a) => a !== '--no-cache'), '--cache', 'cache-link', '--format', 'json']);
    expect(result.exitCode).toBe(1);
    expect((await readdir(path.join(dir, 'cache-real'))).length).toBeGreaterThan(0);
    await expectTreeUnchanged();
  });

  it('replaces a symbolic link planted at the cache file name instead of writing through it', async () => {
    const cacheArgs = ['audit', 'tree', ...FP.filter((a) => a !== '--no-cache'), '--cache', 'cache-planted', '--format', 'json'];
    await mkdir(path.join(dir, 'cache-planted'));
    expect((await cli(cacheArgs)).exitCode).toBe(1);
    const [name] = await readdir(path.join(dir, 'cache-planted'));
    await rm(path.join(dir, 'cache-planted', name!));
    await symlink(path.join(dir, 'tree', 'evidence.jpg'), path.join(dir, 'cache-planted', name!));
    expect((await cli(cacheArgs)).exitCode).toBe(1);
    expect(fs.lstatSync(path.join(dir, 'cache-planted', name!)).isFile()).toBe(true);
    await expectTreeUnchanged();
  });

  it('checks every --output before auditing: one inside the tree means none is written', async () => {
    const result = await cli([
      'audit',
      'tree',
      ...FP,
      '--format',
      'json',
      '--output',
      'out/first.json',
      '--format',
      'sarif',
      '--output',
      'into-tree/second.sarif',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^custody: refusing to write into-tree\/second\.sarif inside the audited tree/);
    expect(fs.existsSync(path.join(dir, 'out', 'first.json'))).toBe(false);
    await expectTreeUnchanged();
  });

  it('turns the default cache off when it would be inside the tree reached through a link', async () => {
    const result = await cli(['audit', 'tree', ...FP.filter((a) => a !== '--no-cache'), '--format', 'json'], {
      ...ENV,
      XDG_CACHE_HOME: path.join(dir, 'into-tree'),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^custody: cache off: the default cache directory .* is inside the audited tree \/.*\/tree /);
    await expectTreeUnchanged();
  });

  it('fingerprint --out and merge --output never write through a link or over an input', async () => {
    await symlink(path.join(dir, 'tree', 'evidence.jpg'), path.join(dir, 'out', 'fp-link.json'));
    const fingerprint = await cli(['fingerprint', 'refs', '--out', 'out/fp-link.json', '--no-perceptual']);
    expect(fingerprint.exitCode).toBe(2);
    expect(fingerprint.stderr).toMatch(/^custody: refusing to write out\/fp-link\.json: it is a symbolic link/);
    await writeFile(path.join(dir, 'out', 'shard.json'), await readFile(path.join(dir, 'out', 'ok.json')));
    const merge = await cli(['merge', 'out/shard.json', '--output', 'out/../out/shard.json']);
    expect(merge.exitCode).toBe(2);
    expect(merge.stderr).toMatch(/^custody: refusing to write out\/\.\.\/out\/shard\.json over an input of this run/);
    await expectTreeUnchanged();
  });
});
