import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { bytesOf, REPO_ROOT, tempDir, writeTree } from '../support/tmp.js';

const BIN = path.join(REPO_ROOT, 'bin', 'custody.js');

/**
 * `--files-from` through the real binary, fed by find as users will feed it: the files of a tree
 * listed by find give the directory audit's assets, findings and coverage; NUL-separated lists
 * carry any name; a missing path makes the audit incomplete and a listed symlink is not followed.
 */
describe('custody audit --files-from (spawned)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const ref = bytesOf('files-from reference', 3000);

  /** Runs `<shell command> | custody audit <args>` in `cwd`; the JSON report goes beside the tree. */
  async function audit(cwd: string, pipe: string | undefined, args: string[]): Promise<{ exitCode: number; stderr: string; report: Report | undefined }> {
    const json = path.join(dir, 'report.json');
    const common = ['--fingerprints', path.join(dir, 'agency.fp.json'), '--authorized', 'enclave/**', '--format', 'json', '--output', json];
    const custody = ['node', BIN, 'audit', ...args, ...common, '--now', '2026-01-01T00:00:00Z', '--no-cache'].map(quote).join(' ');
    const run = await execa('sh', ['-c', pipe ? `${pipe} | ${custody}` : custody], { cwd, reject: false, env: { NO_COLOR: '1' } });
    const report = run.exitCode === 2 ? undefined : (JSON.parse(await readFile(json, 'utf8')) as Report);
    return { exitCode: run.exitCode ?? -1, stderr: run.stderr, report };
  }
  const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
  const audited = (report: Report | undefined) => ({ assets: report?.assets, findings: report?.findings, coverage: report?.coverage });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-files-from-e2e-'));
    await writeTree(dir, {
      'refs/r.jpg': ref,
      'outside/copy.jpg': ref,
      'tree/top.jpg': ref,
      'tree/a/b/deep.bin': ref,
      'tree/a/notes.txt': 'nothing here',
      'tree/enclave/kept.jpg': ref,
      'tree/new\nline.jpg': ref,
      'clean/plain.txt': 'nothing here either',
    });
    await symlink(path.join(dir, 'outside', 'copy.jpg'), path.join(dir, 'tree', 'link.jpg'));
    await symlink(path.join(dir, 'outside', 'copy.jpg'), path.join(dir, 'clean', 'link.jpg'));
    const fingerprint = await execa('node', [BIN, 'fingerprint', 'refs', '--out', 'agency.fp.json', '--no-perceptual'], { cwd: dir, reject: false });
    expect(fingerprint.exitCode).toBe(0);
  });
  afterAll(async () => cleanup());

  it("find's list of a tree's files gives the directory audit's assets, findings and coverage", async () => {
    const tree = path.join(dir, 'tree');
    const walked = await audit(tree, undefined, ['.']);
    // `! -type d`: files, links and special files, as the walk meets them; the name with a newline
    // cannot travel in a newline-separated list, so that list leaves it out (the NUL test has it).
    const listed = await audit(tree, "find . ! -type d ! -name 'new*'", ['--files-from', '-']);
    const walkedWithout = audited(walked.report);
    walkedWithout.assets = walkedWithout.assets?.filter((a) => !a.location.startsWith('new'));
    walkedWithout.findings = walkedWithout.findings?.filter((f) => !f.location.startsWith('new'));
    expect(listed.exitCode).toBe(1);
    expect(audited(listed.report)).toEqual(walkedWithout);
    expect(listed.report!.assets.map((a) => a.location).sort()).toEqual(['a/b/deep.bin', 'enclave/kept.jpg', 'top.jpg']);
    expect(listed.report!.coverage).toContainEqual({ location: 'link.jpg', reason: 'symlink', detail: 'symbolic links are not followed', incomplete: false });
    expect(listed.report!.inputs).toEqual(['--files-from -']);
    expect(listed.report!.summary.incomplete).toBe(false);
  }, 60_000);

  it('a file both under a walked root and in the list is audited once, with a notice', async () => {
    const both = await audit(dir, 'printf "tree/top.jpg\\nclean/plain.txt\\n"', ['tree', '--files-from', '-']);
    const root = await audit(dir, undefined, ['tree']);
    expect(both.report!.assets.map((a) => a.location)).toEqual(root.report!.assets.map((a) => a.location));
    expect(both.report!.findings.length).toBe(root.report!.findings.length);
    expect(both.report!.notices).toContainEqual({
      location: '--files-from -',
      level: 'info',
      message: '1 listed file lies under a walked root: audited once, under the root',
    });
    expect(both.report!.summary.filesSeen).toBe(root.report!.summary.filesSeen + 1);
  }, 60_000);

  it('reads a NUL-separated list (find -print0), so any file name can be listed', async () => {
    const { exitCode, report } = await audit(path.join(dir, 'tree'), 'find . -type f -print0', ['--files-from', '-']);
    expect(exitCode).toBe(1);
    expect(report!.assets.map((a) => a.location).sort()).toEqual(['a/b/deep.bin', 'enclave/kept.jpg', 'new\nline.jpg', 'top.jpg']);
  }, 60_000);

  it('a missing path is coverage and the audit is incomplete (exit 3); a listed symlink is not followed', async () => {
    const { exitCode, report } = await audit(path.join(dir, 'clean'), "printf 'plain.txt\\ngone.jpg\\nlink.jpg\\n'", ['--files-from', '-']);
    expect(exitCode).toBe(3);
    expect(report!.assets).toEqual([]);
    expect(report!.coverage).toEqual([
      { location: 'gone.jpg', reason: 'unreadable', detail: 'ENOENT', incomplete: true },
      { location: 'link.jpg', reason: 'symlink', detail: 'symbolic links are not followed', incomplete: false },
    ]);
    expect(report!.summary).toMatchObject({ incomplete: true, filesInspected: 1 });
  }, 60_000);

  it('reads the list from a file, and refuses a list that cannot be read before scanning (exit 2)', async () => {
    const fromFile = await audit(dir, "printf 'tree/top.jpg\\n' > list.txt", ['--files-from', 'list.txt']);
    expect(fromFile.exitCode).toBe(1);
    expect(fromFile.report!.assets.map((a) => a.location)).toEqual(['tree/top.jpg']);
    const missing = await audit(dir, undefined, ['--files-from', 'no-such-list.txt']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim()).toBe('custody: cannot read --files-from no-such-list.txt: ENOENT');
    // A listed file is an input: a report is never written over it.
    const over = await execa(
      'node',
      [BIN, 'audit', '--files-from', 'list.txt', '--fingerprints', 'agency.fp.json', '--format', 'json', '--output', 'tree/top.jpg'],
      {
        cwd: dir,
        reject: false,
      },
    );
    expect(over.exitCode).toBe(2);
    expect(over.stderr).toMatch(/refusing to write .*top\.jpg.* over an input of this run|refusing to write .*top\.jpg.* into a folder of audited files/);
    // A missing listed path guards nothing (a typo of `/x` does not make / an audited tree).
    const typo = await execa(
      'sh',
      ['-c', `printf 'tree/top.jpg\\n/nosuch/file\\n' | node ${BIN} audit --files-from - --fingerprints agency.fp.json --format json --output out.json`],
      {
        cwd: dir,
        reject: false,
      },
    );
    // Written (exit 1: the copy is outside any authorised location), and incomplete for the missing path.
    expect(typo.exitCode, typo.stderr).toBe(1);
    expect((JSON.parse(await readFile(path.join(dir, 'out.json'), 'utf8')) as Report).summary.incomplete).toBe(true);
    // Nor into a listed file's folder, nor over the list itself.
    for (const output of ['tree/report.json', 'list.txt']) {
      const into = await execa('node', [BIN, 'audit', '--files-from', 'list.txt', '--fingerprints', 'agency.fp.json', '--format', 'json', '--output', output], {
        cwd: dir,
        reject: false,
      });
      expect(into.exitCode, output).toBe(2);
      expect(into.stderr, output).toMatch(/refusing to write/);
    }
    expect(await readFile(path.join(dir, 'tree', 'top.jpg'))).toEqual(ref);
    // Standard input can be read once: the policy and the list cannot both come from it.
    const both = await execa('node', [BIN, 'audit', '--files-from', '-', '--policy', '-'], { cwd: dir, reject: false, input: 'tree/top.jpg\n' });
    expect(both.exitCode).toBe(2);
    expect(both.stderr.trim()).toBe('custody: --policy - and --files-from - cannot both read standard input');
  }, 60_000);
});
