import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Report } from '../../../src/report/model.js';
import { type Agency, PLATE_KEY } from './agency.js';
import { runCli } from './cli.js';

/**
 * Writes `files` into a fresh share under `base` and audits it against the agency's fingerprints
 * through the spawned CLI (enclave/** authorised, JSON report on stdout, the suite's plate key).
 */
export async function auditFiles(base: string, agency: Agency, files: Record<string, Buffer>): Promise<{ exitCode: number; report: Report; stderr: string }> {
  const dir = await mkdtemp(path.join(base, 'share-'));
  for (const [name, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), data);
  }
  const result = await runCli(['audit', dir, '-f', agency.fingerprintFile, '--authorized', 'enclave/**', '--format', 'json'], {
    cwd: base,
    env: { CUSTODY_PLATE_KEY: PLATE_KEY },
  });
  return { exitCode: result.exitCode, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}
