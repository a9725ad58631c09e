import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { bytesOf, REPO_ROOT, tempDir, writeTree } from '../support/tmp.js';

const BIN = path.join(REPO_ROOT, 'bin', 'custody.js');

/**
 * Roots and patterns through the real binary: what a missing, file or symlink root does, that
 * --include/--exclude follow .gitignore's rules, and that overlapping roots count each file once.
 * Every run writes the JSON report to a file beside the tree and the pretty report to stdout.
 */
describe('audit roots and patterns (spawned)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const ref = bytesOf('roots reference', 3000);

  async function audit(args: string[]): Promise<{ exitCode: number; verdict: string; stderr: string; report: Report | undefined }> {
    const json = path.join(dir, 'report.json');
    const run = await execa(
      'node',
      [
        BIN,
        'audit',
        ...args,
        '--fingerprints',
        'agency.fp.json',
        '--authorized',
        'enclave/**',
        '--format',
        'json',
        '--output',
        json,
        '--format',
        'pretty',
        '--now',
        '2026-01-01T00:00:00Z',
        '--no-cache',
      ],
      {
        cwd: dir,
        reject: false,
        env: { NO_COLOR: '1' },
      },
    );
    const report = run.exitCode === 2 ? undefined : (JSON.parse(await readFile(json, 'utf8')) as Report);
    return { exitCode: run.exitCode ?? -1, verdict: run.stdout.split('\n')[0] ?? '', stderr: run.stderr, report };
  }
  const locations = (report: Report | undefined) => report?.assets.map((a) => a.location).sort();

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-roots-'));
    await writeTree(dir, {
      'refs/r.jpg': ref,
      'share/top.jpg': ref,
      'share/a/b/deep.jpg': ref,
      'share/a/b/deep.bin': ref,
      'share/docs/doc.jpg': ref,
      'share/x/docs/nested.jpg': ref,
      'share/cache/c.jpg': ref,
      'share/notes.txt': 'nothing here',
      'tree/one.bin': ref,
      'tree/sub/two.bin': bytesOf('other', 100),
      'lone.bin': ref,
    });
    await symlink('share', path.join(dir, 'link-to-share'));
    const fingerprint = await execa('node', [BIN, 'fingerprint', 'refs', '--out', 'agency.fp.json', '--no-perceptual'], { cwd: dir, reject: false });
    expect(fingerprint.exitCode).toBe(0);
  });
  afterAll(async () => cleanup());

  it('a root that does not exist is a usage error naming it (exit 2), before anything is scanned', async () => {
    const { exitCode, stderr, verdict } = await audit(['share', 'no-such-dir']);
    expect(exitCode).toBe(2);
    expect(stderr.trim()).toBe('custody: cannot audit no-such-dir: no such file or directory');
    expect(verdict).toBe('');
  });

  it('a root that is a regular file is audited alone, located by its name', async () => {
    const { exitCode, verdict, report } = await audit(['lone.bin']);
    expect(exitCode).toBe(1);
    expect(verdict).toMatch(/^VIOLATED/);
    expect(new Set(report!.findings.map((f) => f.location))).toEqual(new Set(['lone.bin']));
    expect(report!.summary).toMatchObject({ filesSeen: 1, filesInspected: 1, incomplete: false });
  });

  it('with several roots, locations are prefixed by each root as named from the working directory (a file root by its path)', async () => {
    const { exitCode, report } = await audit(['tree', 'lone.bin']);
    expect(exitCode).toBe(1);
    expect([...new Set(report!.findings.map((f) => f.location))].sort()).toEqual(['lone.bin', 'tree/one.bin']);
    expect(report!.summary).toMatchObject({ filesSeen: 3, incomplete: false });
  });

  it('a root that is a symlink: its target is audited, locations are relative to it, and a notice says so', async () => {
    const { exitCode, report } = await audit(['link-to-share']);
    expect(exitCode).toBe(1);
    expect(locations(report)).toEqual(['a/b/deep.bin', 'a/b/deep.jpg', 'cache/c.jpg', 'docs/doc.jpg', 'top.jpg', 'x/docs/nested.jpg']);
    expect(report!.notices).toContainEqual({
      location: '.',
      level: 'info',
      message: 'the root is a symbolic link to share: its target is audited (links inside it are not followed)',
    });
  });

  it('--include without a slash matches at any depth; with one it is anchored; a trailing slash means a directory', async () => {
    const anyDepth = await audit(['share', '--include', '*.jpg']);
    expect(anyDepth.exitCode).toBe(1);
    expect(locations(anyDepth.report)).toEqual(['a/b/deep.jpg', 'cache/c.jpg', 'docs/doc.jpg', 'top.jpg', 'x/docs/nested.jpg']);
    expect(anyDepth.report!.summary.filesSeen).toBe(5);

    const anchored = await audit(['share', '--include', 'docs/*.jpg', '--include', '/top.jpg']);
    expect(locations(anchored.report)).toEqual(['docs/doc.jpg', 'top.jpg']);

    const excluded = await audit(['share', '--exclude', 'docs/', '--exclude', 'cache', '--exclude', '*.bin']);
    expect(locations(excluded.report)).toEqual(['a/b/deep.jpg', 'top.jpg']);
    expect(excluded.stderr).toBe('');
  });

  it('a pattern that matched nothing is a warning, in the report and on stderr; the verdict is unchanged', async () => {
    const { exitCode, verdict, stderr, report } = await audit(['share', '--include', '*.jpg', '--include', '*.png', '--exclude', 'nowhere/']);
    expect(exitCode).toBe(1);
    expect(verdict).toMatch(/^VIOLATED/);
    expect(stderr.trim().split('\n')).toEqual([
      "custody: warning: --exclude 'nowhere/' matched no path",
      "custody: warning: --include '*.png' matched no path",
    ]);
    expect(report!.notices.filter((n) => n.level === 'warning')).toEqual([
      { level: 'warning', message: "--exclude 'nowhere/' matched no path" },
      { level: 'warning', message: "--include '*.png' matched no path" },
    ]);
  });

  it('overlapping roots (the same twice, and one inside another) audit each file once, with a notice', async () => {
    const { exitCode, report } = await audit(['tree', 'tree', 'tree/sub', './tree/']);
    expect(exitCode).toBe(1);
    expect(report!.summary).toMatchObject({ filesSeen: 2, filesInspected: 2 });
    expect(new Set(report!.findings.map((f) => f.location))).toEqual(new Set(['one.bin']));
    // `tree` and `./tree/` name the same directory: the report says it once.
    expect(report!.notices.map((n) => n.message).sort()).toEqual([
      'root tree is the same directory as root tree: its files are audited once, under tree',
      'root tree/sub is inside root tree: its files are audited once, under tree',
    ]);
  });
});
