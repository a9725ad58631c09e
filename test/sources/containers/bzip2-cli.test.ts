import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/model.js';
import { REPO_ROOT, tempDir, writeTree } from '../../support/tmp.js';
import { buildTar } from '../archives/support/harness.js';

const BIN = path.join(REPO_ROOT, 'bin', 'custody.js');
const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const PLATES = ['QRT4821', 'KLM3307', 'BXV9914'];

const hasBzip2 = (() => {
  try {
    execFileSync('bzip2', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('bzip2 CLI test: the bzip2 binary is absent (apt-get install bzip2), so it is skipped');
    return false;
  }
})();

/** The bundled CLI loads the bzip2 decoder on first use: this checks it finds it, end to end. */
describe.runIf(hasBzip2)('auditing bzip2 streams (spawned CLI)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const custody = (args: string[]) => execa('node', [BIN, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1', CUSTODY_PLATE_KEY: '' } });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-bzip2-'));
    const log = PLATES.map((plate, i) => `2026-11-20T10:0${i}:00Z lane=3 read plate=${plate} conf=0.97`).join('\n');
    const tar = await buildTar([{ name: 'app/lpr.log', data: Buffer.from(`${log}\n`) }]);
    await writeTree(dir, {
      'agency/reads.csv': `${['plate,lane', ...PLATES.map((p) => `${p},3`)].join('\n')}\n`,
      'plate.key': KEY,
      'share/logs.tar.bz2': execFileSync('bzip2', ['-c'], { input: tar }),
    });
    const fingerprint = await custody(['fingerprint', 'agency', '--out', 'agency.fp.json', '--plate-key-file', 'plate.key']);
    expect(fingerprint.exitCode, fingerprint.stderr).toBe(0);
  });
  afterAll(() => cleanup());

  it('finds plate records inside a .tar.bz2 (before: unsupported-archive, exit 3)', async () => {
    const result = await custody([
      'audit',
      'share',
      '--fingerprints',
      'agency.fp.json',
      '--authorized',
      'enclave/**',
      '--plate-key-file',
      'plate.key',
      '--no-cache',
      '--format',
      'json',
      '--output',
      'report.json',
    ]);
    expect(result.exitCode, result.stderr).toBe(1);
    const text = await readFile(path.join(dir, 'report.json'), 'utf8');
    const report = JSON.parse(text) as Report;
    expect(report.summary.incomplete).toBe(false);
    expect(text).toContain('logs.tar.bz2!/app/lpr.log');
    expect(text).not.toContain('unsupported-archive');
  });
});
