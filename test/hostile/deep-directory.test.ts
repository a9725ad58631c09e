import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { deepDirectory, removeTree } from '../support/hostile-corpus.js';
import { type Agency, buildAgency, PLATE_KEY } from './support/agency.js';
import { runCli } from './support/cli.js';

let base: string;
let agency: Agency;
let depth: number;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-deep-'));
  agency = await buildAgency(base);
  depth = await deepDirectory(path.join(base, 'deep'), agency.images[0]!);
}, 120_000);

afterAll(() => {
  if (base) removeTree(base);
});

describe('a 2,000-level deep directory', () => {
  it('is walked to the bottom without a stack overflow, and the copy there is found', async () => {
    const started = performance.now();
    const result = await runCli(['audit', 'deep', '-f', agency.fingerprintFile, '--authorized', 'enclave/**', '--format', 'json'], {
      cwd: base,
      env: { CUSTODY_PLATE_KEY: PLATE_KEY },
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`hostile: ${depth}-level deep directory audited in ${seconds.toFixed(1)} s (exit ${result.exitCode})`);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.assets.map((a) => a.location)).toEqual([`${'d/'.repeat(depth)}copy.jpg`]);
    expect(report.summary.filesSeen).toBe(1);
    expect(seconds).toBeLessThan(90);
  }, 180_000);
});
