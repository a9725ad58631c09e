import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf, REPO_ROOT, tempDir, writeTree } from '../support/tmp.js';

const BIN = path.join(REPO_ROOT, 'bin', 'custody.js');

/** The real binary, spawned: exit codes must survive the trip through process.exitCode. */
describe('bin/custody.js (spawned)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const custody = (args: string[]) => execa('node', [BIN, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });

  beforeAll(async () => {
    if (!existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'run.js'))) {
      await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, reject: false });
    }
    ({ dir, cleanup } = await tempDir());
    const ref = bytesOf('spawned reference', 2048);
    await writeTree(dir, { 'refs/a.jpg': ref, 'share/elsewhere/copy.bin': { data: ref, mode: 0o600 } });
    const fingerprint = await custody(['fingerprint', 'refs', '--out', 'agency.fp.json', '--no-perceptual']);
    expect(fingerprint.exitCode).toBe(0);
  });
  afterAll(async () => cleanup());

  it('exits 1 on a violation and 2 on a usage error', async () => {
    const violation = await custody(['audit', 'share', '--fingerprints', 'agency.fp.json', '--authorized', 'secure-enclave/**', '--format', 'json']);
    expect(violation.exitCode).toBe(1);
    expect((JSON.parse(violation.stdout) as { findings: { location: string }[] }).findings.map((f) => f.location)).toEqual(['elsewhere/copy.bin']);

    const usage = await custody(['audit', '--fingerprints', 'agency.fp.json']);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr.trim().split('\n')).toEqual(['custody: nothing to audit: give a directory, --manifest <file>, --files-from <file> or --git <repo>']);
  });
});
