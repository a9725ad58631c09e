import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { placesOf } from '../../src/sources/git-history.js';
import { gitHistoryEvents } from '../../src/sources/git-source.js';
import type { SourceEvent } from '../../src/sources/item.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { type Agency, buildAgency, PLATE_KEY } from './support/agency.js';
import { buildZip } from './support/archives.js';
import { runCli } from './support/cli.js';
import { hasGit, TestRepo } from './support/git-repo.js';
import { ageAtimes, diffSnapshots, snapshotTree, statOnly } from './support/snapshot.js';

async function audit(cwd: string, agency: Agency, args: string[]): Promise<{ exitCode: number; report: Report; stderr: string }> {
  const result = await runCli(['audit', ...args, '-f', agency.fingerprintFile, '--authorized', 'enclave/**', '--no-cache', '--format', 'json'], {
    cwd,
    env: { CUSTODY_PLATE_KEY: PLATE_KEY },
  });
  return { exitCode: result.exitCode, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

async function events(gitDir: string, limits: Parameters<typeof gitHistoryEvents>[2]): Promise<SourceEvent[]> {
  const out: SourceEvent[] = [];
  for await (const event of gitHistoryEvents(gitDir, 'r/.git', limits)) out.push(event);
  return out;
}

/** Every file under `dir` named `name`, however deep. */
async function filesNamed(dir: string, name: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.name === name).map((e) => path.join(e.parentPath, e.name));
}

describe.runIf(hasGit)('hostile git repositories', () => {
  let base: string;
  let cleanup: () => Promise<void>;
  let agency: Agency;

  beforeAll(async () => {
    ({ dir: base, cleanup } = await tempDir('custody-git-hostile-'));
    agency = await buildAgency(base);
  }, 120_000);
  afterAll(() => cleanup());

  it("runs nothing the repository's config asks for and writes nothing in it (core.fsmonitor, filters, gpg)", async () => {
    const repo = await TestRepo.init(path.join(base, 'trap', 'proj'));
    await repo.commit('one', { 'cam.jpg': agency.images[0]!, '.gitattributes': '* filter=evil diff=evil\n' });
    await repo.commit('two', { 'cam.jpg': null });
    for (const [key, value] of [
      ['core.fsmonitor', 'touch pwned'],
      ['filter.evil.smudge', 'touch pwned'],
      ['filter.evil.clean', 'touch pwned'],
      ['diff.evil.textconv', 'touch pwned'],
      ['gpg.program', 'touch pwned'],
      ['log.showSignature', 'true'],
      ['core.pager', 'touch pwned'],
      ['include.path', '/etc/custody-never-read'],
    ]) {
      repo.git(['config', key!, value!]);
    }
    await writeFile(path.join(repo.dir, '.git', 'hooks', 'post-checkout'), '#!/bin/sh\ntouch pwned\n', { mode: 0o755 });
    // The trap is live: a porcelain command in a copy of the repository does run it.
    const copy = path.join(base, 'trap-copy');
    await cp(repo.dir, copy, { recursive: true });
    execFileSync('git', ['status'], { cwd: copy, env: { PATH: process.env.PATH, HOME: copy, GIT_CONFIG_GLOBAL: '/dev/null' }, stdio: 'ignore' });
    expect(await filesNamed(copy, 'pwned')).not.toEqual([]);
    await rm(copy, { recursive: true });

    const before = snapshotTree(path.join(base, 'trap'));
    // Old atimes make any plain read visible: git itself reading an object, a pack or the config in
    // the tree (it did, through symlinks, before the object store was copied through O_NOATIME reads).
    const aged = ageAtimes(path.join(base, 'trap'), before, new Date('2020-01-01T00:00:00Z'));
    const { exitCode, report } = await audit(base, agency, ['trap']);
    expect(diffSnapshots(before, snapshotTree(path.join(base, 'trap')), ['mode', 'size', 'content'])).toEqual([]);
    // Times against the stat pass right after ageing (ageing itself sets mtimes and ctimes).
    const after = statOnly(path.join(base, 'trap'), aged);
    expect(diffSnapshots(aged, after, ['mtimeNs', 'ctimeNs'])).toEqual([]);
    const files = (states: Map<string, { mode: number }>) => new Map([...states].filter(([, entry]) => (entry.mode & 0o170000) === 0o100000));
    expect(diffSnapshots(files(aged) as typeof aged, files(after) as typeof aged, ['atimeNs'])).toEqual([]);
    expect(await filesNamed(base, 'pwned')).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.assets.some((a) => a.location.startsWith('proj/.git!') && a.location.endsWith(':cam.jpg'))).toBe(true);
  }, 120_000);

  it('records a truncated pack and a loose object lying about its size as git-unreadable (exit 3), and goes on', async () => {
    const repo = await TestRepo.init(path.join(base, 'broken', 'proj'));
    await repo.commit('one', { 'a.txt': 'first\n'.repeat(5000), 'cam.jpg': agency.images[0]! });
    repo.pack();
    const packDir = path.join(repo.dir, '.git', 'objects', 'pack');
    const pack = (await readdir(packDir)).find((n) => n.endsWith('.pack'))!;
    await truncate(path.join(packDir, pack), Math.floor((await stat(path.join(packDir, pack))).size / 2));
    // A loose object whose header declares far more bytes than it holds.
    await mkdir(path.join(repo.dir, '.git', 'objects', 'ee'), { recursive: true });
    await writeFile(path.join(repo.dir, '.git', 'objects', 'ee', 'e'.repeat(38)), deflateSync(Buffer.from('blob 999999\0short')));
    repo.dangling(agency.images[1]!); // Still found: one broken object does not stop the rest.
    const { exitCode, report } = await audit(base, agency, ['broken']);
    expect(exitCode).toBe(1);
    expect(report.summary.incomplete).toBe(true);
    const unreadable = report.coverage.filter((c) => c.reason === 'git-unreadable').map((c) => c.location);
    expect(unreadable).toContain(`proj/.git!${'e'.repeat(40)}`);
    // Every object of the truncated pack is named: none is silently skipped.
    expect(unreadable.length).toBeGreaterThanOrEqual(4);
    expect(report.assets.some((a) => a.origin === 'git')).toBe(true);
  }, 120_000);

  it('records a pack whose index was deleted as git-unreadable (incomplete): before, its objects were skipped with no coverage', async () => {
    const repo = await TestRepo.init(path.join(base, 'no-index', 'proj'));
    await repo.commit('one', { 'cam.jpg': agency.images[0]! });
    repo.pack();
    const packDir = path.join(repo.dir, '.git', 'objects', 'pack');
    const index = (await readdir(packDir)).find((n) => n.endsWith('.idx'))!;
    await rm(path.join(packDir, index));
    const { report } = await audit(base, agency, ['no-index']);
    expect(report.coverage).toContainEqual(
      expect.objectContaining({ location: `proj/.git/objects/pack/${index.replace(/\.idx$/, '.pack')}`, reason: 'git-unreadable', incomplete: true }),
    );
    expect(report.summary.incomplete).toBe(true);
  }, 120_000);

  it('holds a bomb of a blob, and too many blobs, to the limits (archive-limit), never reading past them', async () => {
    const repo = await TestRepo.init(path.join(base, 'bomb', 'r'));
    await repo.commit('zeros', { 'zeros.bin': Buffer.alloc(8 * 1024 * 1024), 'a.txt': 'a\n', 'b.txt': 'b\n' });
    repo.pack();
    const gitDir = path.join(repo.dir, '.git');
    const big = await events(gitDir, { maxMemberBufferBytes: 1024 * 1024 });
    expect(big.filter((e) => e.kind === 'coverage').map((e) => e.kind === 'coverage' && e.entry.detail)).toEqual([
      expect.stringMatching(/^maxMemberBufferBytes \(1048576\) exceeded: a 8388608-byte blob$/),
    ]);
    expect(big.filter((e) => e.kind === 'item')).toHaveLength(2);
    const many = await events(gitDir, { maxEntries: 1 });
    expect(many.filter((e) => e.kind === 'item')).toHaveLength(1);
    expect(many.some((e) => e.kind === 'coverage' && e.entry.reason === 'archive-limit' && /maxEntries/.test(e.entry.detail ?? ''))).toBe(true);
    const bytes = await events(gitDir, { maxTotalBytes: 4 });
    expect(bytes.some((e) => e.kind === 'coverage' && /maxTotalBytes/.test(e.entry.detail ?? ''))).toBe(true);
    // Naming history has a deadline: past it, git is stopped and says so (blobs are still all read).
    const named = await placesOf(gitDir, new Set(), 0);
    expect(named.failure).toBe('stopped after 0 s');
  }, 120_000);

  it('follows no pointer out of the audited tree: a .git file, alternates, a symlinked object file', async () => {
    const outside = await TestRepo.init(path.join(base, 'elsewhere', 'main'));
    await outside.commit('secret', { 'cam.jpg': agency.images[2]! });
    const tree = path.join(base, 'pointers');
    // A work tree whose .git file points out of the root.
    await mkdir(path.join(tree, 'checkout'), { recursive: true });
    await writeFile(path.join(tree, 'checkout', '.git'), `gitdir: ${path.join(outside.dir, '.git')}\n`);
    // A clone borrowing the outside repository's objects.
    execFileSync('git', ['clone', '-q', '--no-checkout', '--shared', outside.dir, path.join(tree, 'shared')], {
      env: { PATH: process.env.PATH, GIT_CONFIG_GLOBAL: '/dev/null' },
    });
    // A repository whose loose object is a symlink to the outside repository's object.
    const linked = await TestRepo.init(path.join(tree, 'linked'));
    const blob = outside.git(['rev-parse', 'HEAD:cam.jpg']);
    await mkdir(path.join(linked.dir, '.git', 'objects', blob.slice(0, 2)), { recursive: true });
    await symlink(
      path.join(outside.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)),
      path.join(linked.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)),
    );

    const { exitCode, report } = await audit(base, agency, ['pointers']);
    expect(report.assets).toEqual([]);
    expect(report.coverage.filter((c) => c.reason === 'git-outside-roots').map((c) => c.location)).toEqual(['checkout/.git', 'shared/.git']);
    expect(report.coverage.find((c) => c.reason === 'symlink')?.location).toBe(`linked/.git/objects/${blob.slice(0, 2)}/${blob.slice(2)}`);
    expect(exitCode).not.toBe(1);
  }, 120_000);

  it('audits nested repositories (submodules under .git/modules) and an encrypted zip in history is coverage', async () => {
    const repo = await TestRepo.init(path.join(base, 'nested', 'proj'));
    await repo.commit('zip', { 'secret.zip': buildZip([{ name: 'cam.jpg', data: agency.images[0]!, encrypted: true }]) });
    let gitDir = path.join(repo.dir, '.git');
    for (let depth = 0; depth < 6; depth++) {
      const sub = await TestRepo.init(path.join(base, `sub-${depth}`));
      await sub.commit('sub', { [`d${depth}.jpg`]: agency.images[depth % 3]! });
      gitDir = path.join(gitDir, 'modules', `m${depth}`);
      await cp(path.join(sub.dir, '.git'), gitDir, { recursive: true });
    }
    const { report } = await audit(base, agency, ['nested']);
    const nested = report.assets.filter((a) => a.origin === 'git').map((a) => a.location.replace(/![0-9a-f]{40}:/, '!<c>:'));
    expect(nested).toContain('proj/.git/modules/m0/modules/m1/modules/m2/modules/m3/modules/m4/modules/m5!<c>:d5.jpg');
    expect(nested).toHaveLength(6);
    expect(report.coverage.some((c) => c.reason === 'encrypted' && /^proj\/\.git![0-9a-f]{40}:secret\.zip!\/cam\.jpg$/.test(c.location))).toBe(true);
  }, 120_000);

  it('without git, records each repository as missing-tool (exit 3), never its objects as inspected files', async () => {
    const repo = await TestRepo.init(path.join(base, 'nogit', 'proj'));
    await repo.commit('one', { 'cam.jpg': agency.images[0]! });
    await repo.commit('two', { 'cam.jpg': null });
    const emptyPath = path.join(base, 'no-bin');
    await mkdir(emptyPath, { recursive: true });
    await writeFile(path.join(base, 'plate.key'), PLATE_KEY);
    const result = await execa(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'custody.js'), 'audit', 'nogit', '-f', agency.fingerprintFile, '--no-cache', '--format', 'json'],
      {
        cwd: base,
        reject: false,
        env: { PATH: emptyPath, CUSTODY_PLATE_KEY: PLATE_KEY, NO_COLOR: '1' },
        extendEnv: false,
      },
    );
    expect(result.exitCode, result.stderr).toBe(3);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.coverage.map((c) => [c.location, c.reason])).toEqual([['proj/.git', 'missing-tool']]);
  }, 120_000);
});
