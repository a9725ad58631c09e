import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExample } from '../../scripts/generate-fixtures.js';
import { run } from '../../src/cli/run.js';
import { captureIo, REPO_ROOT, tempDir } from '../support/tmp.js';

const BIN = path.join(REPO_ROOT, 'bin', 'custody.js');
const NOW = '2026-11-20T12:00:00Z';

/** Timing fields are the only ones allowed to differ between a single run and a merge. */
const withoutTiming = (text: string): string => text.replace(/"(startedAt|finishedAt)": "[^"]*"/g, '"$1": "-"');

/**
 * Issue 8: `--shard k/n` in separate processes, then `custody merge`, gives the single run's report
 * byte for byte (timing aside), audit-wide findings (max-copies) and waivers included.
 */
describe('sharded audit', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const auditArgs = ['audit', 'case/contractor-share', '--policy', 'policy.yaml', '--plate-key-file', 'case/plate.key', '--now', NOW, '--format', 'json'];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-shard-'));
    await generateExample({ out: path.join(dir, 'case'), now: new Date(NOW) });
    const io = captureIo(dir);
    const classes = ['--class', 'travelers/**=traveler-image', '--class', 'lanes/**=vehicle-image', '--class', 'plates/**=plate-image'];
    const fingerprint = await run(['fingerprint', 'case/agency-data', '--out', 'agency.fp.json', '--plate-key-file', 'case/plate.key', ...classes], io);
    expect(fingerprint.exitCode, io.err()).toBe(0);
    const policy = await readFile(path.join(REPO_ROOT, 'policies/border-lane-cameras.yaml'), 'utf8');
    await writeFile(path.join(dir, 'policy.yaml'), policy.replace('../fixtures/example/generated/agency.fp.json', 'agency.fp.json'));
  }, 180_000);
  afterAll(async () => cleanup());

  it('merges 4 shards run as separate processes into the single-run report', async () => {
    const single = await run([...auditArgs, '--output', 'single.json'], captureIo(dir));
    expect(single.exitCode).toBe(1);

    const shards = await Promise.all(
      [1, 2, 3, 4].map((k) => execa('node', [BIN, ...auditArgs, '--shard', `${k}/4`, '--output', `shard-${k}.json`], { cwd: dir, reject: false })),
    );
    for (const shard of shards) expect([0, 1], shard.stderr).toContain(shard.exitCode);
    const shardReports = await Promise.all(
      [1, 2, 3, 4].map(async (k) => JSON.parse(await readFile(path.join(dir, `shard-${k}.json`), 'utf8')) as { assets: unknown[] }),
    );
    // The work really was split: every shard saw a part, none saw everything.
    const singleReport = JSON.parse(await readFile(path.join(dir, 'single.json'), 'utf8')) as { assets: unknown[]; findings: { requirement: string }[] };
    expect(shardReports.reduce((n, r) => n + r.assets.length, 0)).toBe(singleReport.assets.length);
    expect(shardReports.every((r) => r.assets.length < singleReport.assets.length)).toBe(true);
    expect(singleReport.findings.some((f) => f.requirement === 'max-copies')).toBe(true);

    const mergeIo = captureIo(dir);
    const merged = await run(['merge', 'shard-3.json', 'shard-1.json', 'shard-4.json', 'shard-2.json', '--output', 'merged.json'], mergeIo);
    expect(merged.exitCode, mergeIo.err()).toBe(1);
    const [one, all] = await Promise.all([readFile(path.join(dir, 'single.json'), 'utf8'), readFile(path.join(dir, 'merged.json'), 'utf8')]);
    expect(withoutTiming(all)).toBe(withoutTiming(one));
  }, 300_000);

  it('refuses shards that disagree on the plate check (one job lacked the key): never a clean merge', async () => {
    const noKey = auditArgs.filter((a, i) => a !== '--plate-key-file' && auditArgs[i - 1] !== '--plate-key-file');
    const keyless = await execa('node', [BIN, ...noKey, '--shard', '3/4', '--output', 'shard-3-nokey.json'], {
      cwd: dir,
      reject: false,
      env: { CUSTODY_PLATE_KEY: '' },
    });
    expect(keyless.exitCode, keyless.stderr).not.toBe(0);
    const io = captureIo(dir);
    const result = await run(['merge', 'shard-1.json', 'shard-2.json', 'shard-3-nokey.json', 'shard-4.json'], io);
    expect(result.exitCode).toBe(2);
    expect(io.err()).toMatch(/shards disagree on the plate check \(shard 1: checked; shard 3: not-checked, no plate key/);
  });

  it('an empty shard is not "nothing audited" on its own: the merge decides on every shard\'s count', async () => {
    await mkdir(path.join(dir, 'empty'), { recursive: true });
    const emptyArgs = ['audit', 'empty', '--policy', 'policy.yaml', '--plate-key-file', 'case/plate.key', '--now', NOW, '--format', 'json', '--no-cache'];
    for (const k of [1, 2]) {
      const shard = await execa('node', [BIN, ...emptyArgs, '--shard', `${k}/2`, '--output', `empty-${k}.json`], { cwd: dir, reject: false });
      expect(shard.exitCode, shard.stderr).toBe(0);
      const report = JSON.parse(await readFile(path.join(dir, `empty-${k}.json`), 'utf8')) as { summary: { filesSeen: number; incompleteReasons: string[] } };
      expect(report.summary).toMatchObject({ filesSeen: 0, incompleteReasons: [] });
    }
    const io = captureIo(dir);
    const merged = await run(['merge', 'empty-1.json', 'empty-2.json', '--format', 'json'], io);
    expect(merged.exitCode).toBe(3);
    expect((JSON.parse(io.out()) as { summary: { incompleteReasons: string[] } }).summary.incompleteReasons[0]).toMatch(/^nothing audited/);
  });

  it('refuses an incomplete set of shards', async () => {
    const io = captureIo(dir);
    const result = await run(['merge', 'shard-1.json', 'shard-2.json'], io);
    expect(result.exitCode).toBe(2);
    expect(io.err()).toMatch(/missing shard\(s\) 3, 4 of 4/);
  });
});
