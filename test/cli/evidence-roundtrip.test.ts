import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { generateKeyPair } from '../../src/sign/sign.js';
import { writeSmallCase } from '../support/small-case.js';
import { bytesOf, captureIo, tempDir } from '../support/tmp.js';

/** Issue 6: baseline and signature round trips through the real CLI. */
describe('signed evidence and baselines, end to end', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const audit = (...extra: string[]) => run(['audit', 'share', '--fingerprints', 'agency.fp.json', '--authorized', 'enclave/**', ...extra], captureIo(dir));

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-evidence-'));
    await writeSmallCase(dir);
    const { privateKeyPem, publicKeyPem } = generateKeyPair();
    await writeFile(path.join(dir, 'key.pem'), privateKeyPem);
    await writeFile(path.join(dir, 'key.pub.pem'), publicKeyPem);
  });
  afterAll(async () => cleanup());

  it('signs the JSON report and verifies it; a changed byte fails verification', async () => {
    expect((await audit('--format', 'json', '--output', 'report.json', '--sign', 'key.pem')).exitCode).toBe(1);
    const ok = captureIo(dir);
    expect((await run(['verify', 'report.json', 'report.json.sig', 'key.pub.pem'], ok)).exitCode).toBe(0);
    expect(ok.out()).toMatch(/signature valid: key [0-9a-f]{16}/);

    const report = await readFile(path.join(dir, 'report.json'), 'utf8');
    await writeFile(path.join(dir, 'tampered.json'), report.replace('desk/copy-of-a.bin', 'desk/copy-of-A.bin'));
    const bad = captureIo(dir);
    expect((await run(['verify', 'tampered.json', 'report.json.sig', 'key.pub.pem'], bad)).exitCode).toBe(1);
    expect(bad.err()).toMatch(/NOT valid/);
  });

  it('--sign without a JSON output file is a usage error', async () => {
    expect((await audit('--sign', 'key.pem')).exitCode).toBe(2);
  });

  it('a renamed known copy is not new; a new copy of other content is', async () => {
    expect((await audit('--format', 'json', '--output', 'baseline.json')).exitCode).toBe(1);
    await rename(path.join(dir, 'share/desk/copy-of-a.bin'), path.join(dir, 'share/desk/renamed.bin'));
    expect((await audit('--baseline', 'baseline.json', '--format', 'json', '--output', 'second.json')).exitCode).toBe(0);
    const second = JSON.parse(await readFile(path.join(dir, 'second.json'), 'utf8')) as { findings: { location: string; baseline?: string }[] };
    expect(second.findings.map((f) => [f.location, f.baseline])).toEqual([['desk/renamed.bin', 'unchanged']]);

    await writeFile(path.join(dir, 'share/desk/renamed.bin'), bytesOf('reference b', 5000), { mode: 0o600 });
    expect((await audit('--baseline', 'baseline.json')).exitCode).toBe(1);
  });
});
