import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { manyEmptyFiles, removeTree } from '../support/hostile-corpus.js';
import { type Agency, buildAgency, PLATE_KEY } from './support/agency.js';
import { runCli } from './support/cli.js';

const FILES = 100_000;
/** Generous: a streaming walk holds a few MB; a walk that lists everything first holds ~100 MB. */
const RSS_GROWTH_LIMIT_MB = 400;

let base: string;
let agency: Agency;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-resources-'));
  agency = await buildAgency(base);
  await manyEmptyFiles(path.join(base, 'flat'), FILES);
}, 300_000);

afterAll(() => {
  if (base) removeTree(base);
}, 300_000);

describe('bounded resources', () => {
  it(`audits ${FILES.toLocaleString('en')} empty files in one directory with bounded memory`, async () => {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const result = await runCli(['audit', 'flat', '-f', agency.fingerprintFile, '--authorized', 'enclave/**', '--format', 'json'], {
      cwd: base,
      env: { CUSTODY_PLATE_KEY: PLATE_KEY },
    });
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    const growthMb = (peak - rssBefore) / 2 ** 20;
    const report = JSON.parse(result.stdout) as Report;
    console.log(
      `hostile: ${FILES} empty files audited in ${seconds.toFixed(1)} s; RSS ${(rssBefore / 2 ** 20).toFixed(0)} MB -> peak ${(peak / 2 ** 20).toFixed(0)} MB (growth ${growthMb.toFixed(0)} MB); process maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
    expect(result.exitCode).toBe(0);
    expect(report.summary.filesSeen).toBe(FILES);
    expect(report.summary.filesInspected).toBe(FILES);
    expect(result.stdout.length).toBeLessThan(64 * 1024);
    expect(growthMb).toBeLessThan(RSS_GROWTH_LIMIT_MB);
  }, 180_000);
});
