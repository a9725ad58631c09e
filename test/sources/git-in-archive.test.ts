import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { type Agency, buildAgency, PLATE_KEY } from '../hostile/support/agency.js';
import { runCli } from '../hostile/support/cli.js';
import { hasGit, TestRepo } from '../hostile/support/git-repo.js';
import { tempDir } from '../support/tmp.js';
import { buildTar, type TarEntrySpec } from './archives/support/harness.js';

/** Every file under `dir` as tar entries named from `prefix` (a repository archived as contractors do). */
async function filesOf(dir: string, prefix: string): Promise<TarEntrySpec[]> {
  const entries: TarEntrySpec[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    entries.push({ name: `${prefix}/${path.relative(dir, file)}`, data: await readFile(file) });
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A repository archived whole (its .git directory inside a tar): history custody cannot ask git for.
 * Loose objects are opened (zlib, `<type> <size>\0` header): a blob deleted from the work tree is
 * still found. A pack needs its repository, so it is recorded in coverage: never a silent pass.
 */
describe.runIf(hasGit)('git objects inside archives', () => {
  let base: string;
  let cleanup: () => Promise<void>;
  let agency: Agency;
  let report: Report;
  let exitCode: number;

  beforeAll(async () => {
    ({ dir: base, cleanup } = await tempDir('custody-git-archive-'));
    agency = await buildAgency(base);
    const loose = await TestRepo.init(path.join(base, 'build', 'loose'));
    await loose.commit('import', { 'cam.jpg': agency.images[0]!, 'reads.csv': agency.plateCsv });
    await loose.commit('clean up', { 'cam.jpg': null, 'reads.csv': null, 'README.md': '# tools\n' });
    const packed = await TestRepo.init(path.join(base, 'build', 'packed'));
    await packed.commit('import', { 'cam.jpg': agency.images[1]! });
    packed.pack();
    const share = path.join(base, 'share');
    await mkdir(share, { recursive: true });
    await writeFile(path.join(share, 'loose.tar'), await buildTar(await filesOf(loose.dir, 'loose')));
    await writeFile(path.join(share, 'packed.tar'), await buildTar(await filesOf(packed.dir, 'packed')));
    const result = await runCli(['audit', 'share', '-f', agency.fingerprintFile, '--authorized', 'enclave/**', '--no-cache', '--format', 'json'], {
      cwd: base,
      env: { CUSTODY_PLATE_KEY: PLATE_KEY },
    });
    exitCode = result.exitCode;
    report = JSON.parse(result.stdout) as Report;
  }, 120_000);
  afterAll(() => cleanup());

  it('finds a deleted image and plate file in the loose objects of an archived .git (before: no finding)', () => {
    const located = report.assets.filter((a) => /^loose\.tar!\/loose\/\.git\/objects\/[0-9a-f]{2}\/[0-9a-f]{38}!\/object$/.test(a.location));
    expect(located.map((a) => a.asset).sort()).toEqual(['agency-image', 'plate-record']);
    expect(report.findings.some((f) => f.location.startsWith('loose.tar!/loose/.git/objects/'))).toBe(true);
    // The work tree's copy was deleted before archiving: only history held them.
    expect(report.assets.some((a) => a.location.startsWith('loose.tar!/loose/cam.jpg'))).toBe(false);
  });

  it('records a pack inside an archive as not opened, and the audit as incomplete', () => {
    const pack = report.coverage.filter((c) => /^packed\.tar!\/packed\/\.git\/objects\/pack\/pack-[0-9a-f]+\.pack$/.test(c.location));
    expect(pack).toHaveLength(1);
    expect(pack[0]).toMatchObject({ reason: 'unsupported-archive', incomplete: true });
    expect(pack[0]!.detail).toMatch(/git-pack: its objects are not inspected: extract the repository and audit it with --git/);
    expect(report.summary.incomplete).toBe(true);
    // Incomplete is exit 3 unless a violation outranks it, as the loose objects' copies do here.
    expect(exitCode).toBe(1);
  });

  it('never writes a plate in clear into the report', () => {
    const text = JSON.stringify(report);
    for (const plate of agency.plateCsv.split('\n').slice(1).filter(Boolean)) expect(text).not.toContain(plate.split(',')[0]);
  });
});
