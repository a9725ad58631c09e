import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExample } from '../../scripts/generate-fixtures.js';
import { run } from '../../src/cli/run.js';
import type { Report } from '../../src/report/model.js';
import { captureIo, tempDir } from '../support/tmp.js';

const NOW = '2026-11-20T12:00:00Z';
const FORMATS = ['json', 'sarif', 'junit', 'csv', 'markdown', 'html', 'pretty'] as const;

/**
 * The re-audit cache through the CLI on the shipped example case (images, archives, plate records):
 * a warm audit writes every report format exactly as the cold one did, run times aside.
 */
describe('audit --cache, end to end', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let cacheHome: string;

  const audit = async (tag: string, extra: string[] = [], env: Record<string, string> = { XDG_CACHE_HOME: cacheHome }) => {
    const io = captureIo(dir, env);
    const outputs = FORMATS.flatMap((f) => ['--format', f, '--output', `out/${tag}.${f}`]);
    const result = await run(
      ['audit', 'case/contractor-share', '--fingerprints', 'agency.fp.json', '--plate-key-file', 'case/plate.key', '--now', NOW, ...outputs, ...extra],
      io,
    );
    const texts = Object.fromEntries(await Promise.all(FORMATS.map(async (f) => [f, await readFile(path.join(dir, 'out', `${tag}.${f}`), 'utf8')] as const)));
    return { exitCode: result.exitCode, stderr: io.err(), texts };
  };

  /** Each format's text with this run's start and finish times (and the duration shown from them) taken out. */
  const withoutRunTimes = (texts: Record<string, string>): Record<string, string> => {
    const report = JSON.parse(texts['json']!) as Report;
    const seconds = ((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000).toFixed(3);
    const out = (text: string) =>
      text
        .replaceAll(report.startedAt, '<started>')
        .replaceAll(report.finishedAt, '<finished>')
        // JUnit writes the start as Ant does, without fraction or zone (after the full times, which it prefixes).
        .replaceAll(report.startedAt.slice(0, 19), '<started>')
        .replaceAll(`${seconds} s`, '<duration>')
        .replace(`time="${seconds}"`, 'time="<duration>"')
        // The HTML print footer's style block holds the audit time, so its CSP hash follows the time.
        .replace(/(style-src 'sha256-[^']+') 'sha256-[^']+'/, "$1 '<footer style hash>'");
    return Object.fromEntries(Object.entries(texts).map(([format, text]) => [format, out(text)]));
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-cache-e2e-'));
    cacheHome = path.join(dir, 'xdg-cache');
    await mkdir(path.join(dir, 'out'));
    await generateExample({ out: path.join(dir, 'case'), now: new Date(NOW) });
    const fp = captureIo(dir);
    const fingerprint = await run(
      ['fingerprint', 'case/agency-data', '--out', 'agency.fp.json', '--plate-key-file', 'case/plate.key', '--class', 'lanes/**=vehicle-image'],
      fp,
    );
    expect(fingerprint.exitCode, fp.err()).toBe(0);
    // The case was just written: stamps younger than the racy window (2 s) would not be stored.
    await new Promise((resolve) => setTimeout(resolve, 2100));
  }, 300_000);
  afterAll(async () => cleanup());

  it('writes every report format identically on a warm run, from the default cache directory', async () => {
    const cold = await audit('cold');
    expect(cold.stderr).toBe('');
    const cacheFiles = await readdir(path.join(cacheHome, 'custody'));
    // One cache file, the fingerprint set's verified columns, and the user's key that authenticates them (private to this user).
    expect(cacheFiles.sort()).toEqual([
      expect.stringMatching(/^audit-[0-9a-f]{16}-[0-9a-f]{16}\.cache$/),
      'cache-key',
      expect.stringMatching(/^fingerprints-[0-9a-f]{16}\.verified$/),
    ]);
    expect((await stat(path.join(cacheHome, 'custody', 'cache-key'))).mode & 0o777).toBe(0o600);
    const warm = await audit('warm');
    expect(warm.stderr).toBe('');
    expect(warm.exitCode).toBe(cold.exitCode);
    expect(withoutRunTimes(warm.texts)).toEqual(withoutRunTimes(cold.texts));
    // The case is worth it: agency copies, inside archives too.
    const report = JSON.parse(warm.texts['json']!) as Report;
    expect(report.assets.some((a) => a.location.includes('!/'))).toBe(true);
  }, 120_000);

  it('--no-cache keeps no cache; without XDG_CACHE_HOME or HOME there is no default one', async () => {
    const home = path.join(dir, 'home-no-cache');
    await audit('off', ['--no-cache'], { HOME: home });
    await audit('nohome', [], {});
    await expect(readdir(home)).rejects.toThrow(/ENOENT/);
    await audit('home', [], { HOME: home });
    expect((await readdir(path.join(home, '.cache', 'custody'))).sort()).toEqual([
      expect.stringMatching(/\.cache$/),
      'cache-key',
      expect.stringMatching(/\.verified$/),
    ]);
  }, 120_000);

  it('refuses a --cache inside the audited tree (exit 2, one line), also through a symbolic link', async () => {
    for (const cache of ['case/contractor-share/.cache', 'case/contractor-share']) {
      const io = captureIo(dir);
      const result = await run(['audit', 'case/contractor-share', '--fingerprints', 'agency.fp.json', '--cache', cache], io);
      expect(result.exitCode).toBe(2);
      expect(io.err()).toBe(
        `custody: refusing to keep the cache in ${cache} inside the audited tree ${path.join(dir, 'case/contractor-share')} (custody never modifies what it audits)\n`,
      );
    }
    const { symlink } = await import('node:fs/promises');
    await symlink(path.join(dir, 'case', 'contractor-share'), path.join(dir, 'share-link'));
    const io = captureIo(dir);
    const result = await run(['audit', 'case/contractor-share', '--fingerprints', 'agency.fp.json', '--cache', 'share-link/c'], io);
    expect(result.exitCode).toBe(2);
    expect(io.err()).toMatch(/^custody: refusing to keep the cache in share-link\/c inside the audited tree/);
  });

  it('audits on when the cache cannot be made, with one notice', async () => {
    await writeFile(path.join(dir, 'not-a-dir'), 'a file where the cache directory should be');
    const cold = await audit('unwritable', ['--cache', 'not-a-dir/custody']);
    expect(cold.exitCode).not.toBe(2);
    expect(cold.stderr).toMatch(/^custody: cache off: cannot create \S+not-a-dir\/custody \(ENOTDIR\); this audit inspects every file and keeps no cache\n$/);
    expect(withoutRunTimes(cold.texts)['json']).toBe(withoutRunTimes((await audit('reference', ['--no-cache'])).texts)['json']);
  }, 120_000);
});
