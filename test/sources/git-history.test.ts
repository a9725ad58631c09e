import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFingerprints } from '../../src/fingerprint/create.js';
import { perceptualHasher } from '../../src/fingerprint/perceptual.js';
import { plateCollector } from '../../src/fingerprint/plates.js';
import type { Asset, Report } from '../../src/report/model.js';
import { type Agency, buildAgency, PLATE_KEY } from '../hostile/support/agency.js';
import { runCli } from '../hostile/support/cli.js';
import { hasGit, TestRepo } from '../hostile/support/git-repo.js';
import { encode, rawPicture } from '../hostile/support/images.js';
import { rng } from '../support/fuzz.js';
import { REPO_ROOT, tempDir, writeTree } from '../support/tmp.js';

const NEUTRAL = 'plate,seen_at,lane\nZZZ0001,2026-11-01T10:00:00Z,1\n';

/** Audits `args` (roots, --git) against the agency, JSON report on stdout. */
async function audit(cwd: string, agency: Agency, args: string[]): Promise<{ exitCode: number; report: Report; stderr: string }> {
  const result = await runCli(['audit', ...args, '-f', agency.fingerprintFile, '--authorized', 'enclave/**', '--no-cache', '--format', 'json'], {
    cwd,
    env: { CUSTODY_PLATE_KEY: PLATE_KEY },
  });
  return { exitCode: result.exitCode, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

const historyOf = (asset: Asset | undefined) => asset?.evidence.history as Record<string, unknown> | undefined;

describe.runIf(hasGit)('git history as a source (issue #18 item 9)', () => {
  let base: string;
  let cleanup: () => Promise<void>;
  let agency: Agency;
  let repo: TestRepo;
  const commits: Record<string, string> = {};
  let danglingId: string;

  beforeAll(async () => {
    ({ dir: base, cleanup } = await tempDir('custody-git-'));
    agency = await buildAgency(base);
    repo = await TestRepo.init(path.join(base, 'share', 'proj'));
    // Committed, then deleted; plates committed, then overwritten; the same image at two paths.
    commits.first = await repo.commit('import', { 'lanes/cam.jpg': agency.images[0]!, 'reads.csv': agency.plateCsv, 'README.md': '# tools\n' });
    commits.second = await repo.commit('clean up', { 'lanes/cam.jpg': null, 'reads.csv': NEUTRAL });
    commits.third = await repo.commit('samples', { 'docs/a.jpg': agency.images[1]!, 'old/b.jpg': agency.images[1]! });
    repo.pack(); // Reachable objects in a pack; the dangling one below stays loose.
    danglingId = repo.dangling(agency.images[2]!);
  }, 120_000);
  afterAll(() => cleanup());

  it('finds agency data that only history holds, named repo/.git!<commit>:path (before: exit 0, no finding)', async () => {
    const { exitCode, report, stderr } = await audit(base, agency, ['share']);
    expect(exitCode, stderr).toBe(1);
    expect(report.summary.incomplete).toBe(false);
    const byLocation = new Map(report.assets.map((a) => [a.location, a]));
    const deleted = byLocation.get(`proj/.git!${commits.first}:lanes/cam.jpg`);
    expect(deleted?.origin).toBe('git');
    expect(historyOf(deleted)).toMatchObject({ commit: commits.first, path: 'lanes/cam.jpg', atHead: 'absent', otherPlaces: 0 });
    const plates = byLocation.get(`proj/.git!${commits.first}:reads.csv`);
    expect(plates?.asset).toBe('plate-record');
    expect(historyOf(plates)).toMatchObject({ atHead: 'changed' });
    // The dangling blob: no ref reaches it, so it is named by its id.
    expect(byLocation.get(`proj/.git!${danglingId}`)?.origin).toBe('git');
    const findings = report.findings.filter((f) => f.location.startsWith('proj/.git!'));
    expect(findings.length).toBeGreaterThanOrEqual(4);
    // The report contract holds for history assets (origin 'git', history evidence).
    const validate = new Ajv({ allErrors: true, strict: false }).compile(
      JSON.parse(await readFile(path.join(REPO_ROOT, 'schemas', 'report.schema.json'), 'utf8')),
    );
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  }, 120_000);

  it('inspects a blob carried by several paths once, named by the newest commit then the smaller path', async () => {
    const { report } = await audit(base, agency, ['share']);
    const copies = report.assets.filter((a) => a.location.startsWith('proj/.git!') && a.location.endsWith('.jpg') && historyOf(a)?.commit === commits.third);
    expect(copies.map((a) => a.location)).toEqual([`proj/.git!${commits.third}:docs/a.jpg`]);
    expect(historyOf(copies[0])).toMatchObject({ atHead: 'same', otherPlaces: 1 });
    // The work tree's own copies are files, found as such.
    expect(report.assets.map((a) => a.location)).toEqual(expect.arrayContaining(['proj/docs/a.jpg', 'proj/old/b.jpg']));
  }, 120_000);

  it('leaves the object store out of the plain walk, and walks the rest of the git directory as files', async () => {
    // Planted in the git directory beside the object store: a file like any other.
    await writeFile(path.join(repo.dir, '.git', 'info', 'cam.jpg'), agency.images[0]!);
    const { report } = await audit(base, agency, ['share']);
    await rm(path.join(repo.dir, '.git', 'info', 'cam.jpg'));
    expect(report.assets.find((a) => a.location === 'proj/.git/info/cam.jpg')?.origin).toBe('filesystem');
    const objectFiles = report.assets.filter((a) => /\/objects\/(pack|[0-9a-f]{2})\//.test(a.location));
    expect(objectFiles).toEqual([]);
  }, 120_000);

  it('authorises history where its repository is: a glob over the repository covers its history', async () => {
    const result = await runCli(['audit', 'share', '-f', agency.fingerprintFile, '--authorized', 'proj/**', '--no-cache', '--format', 'json'], {
      cwd: base,
      env: { CUSTODY_PLATE_KEY: PLATE_KEY },
    });
    const report = JSON.parse(result.stdout) as Report;
    expect(report.findings.filter((f) => f.ruleId.includes('location') && f.location.includes('.git!'))).toEqual([]);
    const narrow = await audit(base, agency, ['share', '--authorized', 'proj/docs/**']);
    // A path glob inside the work tree does not reach into history: history is where the repository is.
    expect(narrow.report.findings.some((f) => f.location === `proj/.git!${commits.third}:docs/a.jpg`)).toBe(true);
  }, 120_000);

  it('audits a repository named with --git, outside the directories audited', async () => {
    const { exitCode, report, stderr } = await audit(base, agency, ['--git', 'share/proj']);
    expect(exitCode, stderr).toBe(1);
    expect(report.assets.map((a) => a.location)).toContain(`share/proj/.git!${commits.first}:lanes/cam.jpg`);
    expect(report.assets.every((a) => a.origin === 'git')).toBe(true);
    // Named and walked: audited once, by the walk.
    const both = await audit(base, agency, ['share', '--git', 'share/proj']);
    const named = both.report.assets.filter((a) => a.location.endsWith(`${commits.first}:lanes/cam.jpg`)).map((a) => a.location);
    expect(named).toEqual([`proj/.git!${commits.first}:lanes/cam.jpg`]);
    const missing = await runCli(['audit', '--git', 'share', '-f', agency.fingerprintFile], { cwd: base, env: { CUSTODY_PLATE_KEY: PLATE_KEY } });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('cannot audit the history of share: not a git repository');
  }, 120_000);

  it('reads a bare SHA-256 repository (its object format is the one setting taken from its config)', async () => {
    const bare = await TestRepo.init(path.join(base, 'bare', 'backup.git'), { bare: true, sha256: true });
    const blob = bare.git(['hash-object', '-w', '--stdin'], agency.images[0]!);
    const tree = bare.git(['mktree'], `100644 blob ${blob}\tcam.jpg\n`);
    const commit = bare.git(['commit-tree', tree, '-m', 'one']);
    bare.git(['update-ref', 'refs/heads/main', commit]);
    const { report } = await audit(base, agency, ['bare']);
    expect(commit).toMatch(/^[0-9a-f]{64}$/);
    expect(report.assets.map((a) => a.location)).toEqual([`backup.git!${commit}:cam.jpg`]);
  }, 120_000);

  it('finds nothing in a repository whose history holds no agency data (negative of the same kind)', async () => {
    const clean = await TestRepo.init(path.join(base, 'clean', 'tools'));
    await clean.commit('one', { 'reads.csv': NEUTRAL, 'notes.txt': 'nothing here\n' });
    await clean.commit('two', { 'reads.csv': null });
    clean.dangling('an unreachable note\n');
    const { exitCode, report } = await audit(base, agency, ['clean']);
    expect(exitCode).toBe(0);
    expect(report.assets).toEqual([]);
    expect(report.summary.incomplete).toBe(false);
  }, 120_000);
});

/** The issue's measure: 3 agency images and 3 plate files (75 plates) that only history holds. */
describe.runIf(hasGit)('found/planted in git history (issue #18: before 0/3 images, 0/75 plates)', () => {
  let base: string;
  let cleanup: () => Promise<void>;
  const plates = Array.from({ length: 75 }, (_, i) => `${['KTR', 'MWX', 'PLB'][i % 3]}${String(1000 + i * 37).padStart(4, '0')}`);
  const csv = (list: readonly string[]) =>
    `${['plate,seen_at,lane', ...list.map((p, i) => `${p},2026-11-02T10:${String(i % 60).padStart(2, '0')}:00Z,2`)].join('\n')}\n`;
  let fingerprintFile: string;
  let images: Buffer[];

  beforeAll(async () => {
    ({ dir: base, cleanup } = await tempDir('custody-git-measure-'));
    const r = rng(11);
    images = [];
    for (let i = 0; i < 3; i++) images.push(await encode(rawPicture(r, 160, 120), 160, 120, 'jpeg'));
    await writeTree(path.join(base, 'agency'), { 'a.jpg': images[0]!, 'b.jpg': images[1]!, 'c.jpg': images[2]!, 'reads.csv': csv(plates) });
    const { file } = await createFingerprints({
      roots: [path.join(base, 'agency')],
      perceptual: perceptualHasher(),
      plates: plateCollector(Buffer.from(PLATE_KEY, 'utf8')),
    });
    fingerprintFile = path.join(base, 'agency.fp.json');
    await writeFile(fingerprintFile, JSON.stringify(file));
    // Committed then deleted, committed then overwritten; packed, and loose.
    const repo = await TestRepo.init(path.join(base, 'share', 'proj'));
    await repo.commit('one', { 'img/a.jpg': images[0]!, 'lpr/one.csv': csv(plates.slice(0, 25)) });
    await repo.commit('two', { 'img/a.jpg': null, 'lpr/one.csv': 'nothing\n', 'img/b.jpg': images[1]! });
    repo.pack();
    await repo.commit('three', { 'img/b.jpg': Buffer.from('overwritten'), 'lpr/two.csv': csv(plates.slice(25, 50)) });
    await repo.commit('four', { 'lpr/two.csv': null, 'lpr/three.csv': csv(plates.slice(50)), 'img/c.jpg': images[2]! });
    await repo.commit('five', { 'lpr/three.csv': null, 'img/c.jpg': null });
    // The negative of the same kind: other pictures and other plates in another repository's history.
    const other = await TestRepo.init(path.join(base, 'share', 'other'));
    const o = rng(99);
    await other.commit('x', { 'p.jpg': await encode(rawPicture(o, 160, 120), 160, 120, 'jpeg'), 'reads.csv': csv(['QQQ0001', 'QQQ0002']) });
    await other.commit('y', { 'p.jpg': null, 'reads.csv': null });
  }, 120_000);
  afterAll(() => cleanup());

  it('finds 3/3 images and 75/75 plates, and claims nothing in the negative', async () => {
    const result = await runCli(['audit', 'share', '-f', fingerprintFile, '--authorized', 'enclave/**', '--no-cache', '--format', 'json'], {
      cwd: base,
      env: { CUSTODY_PLATE_KEY: PLATE_KEY },
    });
    const report = JSON.parse(result.stdout) as Report;
    expect(report.summary.incomplete).toBe(false);
    const history = report.assets.filter((a) => a.origin === 'git');
    const found = new Set(history.filter((a) => a.asset !== 'plate-record').map((a) => a.reference));
    expect(found.size).toBe(3);
    const records = history.filter((a) => a.asset === 'plate-record').reduce((n, a) => n + Number(a.evidence.records), 0);
    expect(records).toBe(75);
    expect(report.assets.filter((a) => a.location.startsWith('other/'))).toEqual([]);
  }, 120_000);
});
