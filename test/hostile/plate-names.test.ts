import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTree } from '../support/hostile-corpus.js';
import { AGENCY_PLATES, type Agency, buildAgency, PLATE_KEY, plateSpellings } from './support/agency.js';
import { type CliResult, runCli } from './support/cli.js';

let base: string;
let agency: Agency;
let result: CliResult;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-plate-names-'));
  agency = await buildAgency(base);
  // Plate crops are commonly saved under the plate they show.
  await mkdir(path.join(base, 'tree', 'crops'), { recursive: true });
  await writeFile(path.join(base, 'tree', 'crops', `${AGENCY_PLATES[0]}.jpg`), agency.images[0]!);
  result = await runCli(['audit', 'tree', '-f', agency.fingerprintFile, '--authorized', 'enclave/**', '--format', 'json'], {
    cwd: base,
    env: { CUSTODY_PLATE_KEY: PLATE_KEY },
  });
}, 120_000);

afterAll(() => {
  if (base) removeTree(base);
});

describe('plates in file names', () => {
  it('the copy is found', () => {
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('crops/');
  });

  // Redaction happens once on the shared model, so the location itself is masked.
  it('an agency plate in a file name is not printed in clear', () => {
    for (const spelling of plateSpellings(AGENCY_PLATES[0])) expect(result.stdout.includes(spelling), spelling).toBe(false);
  });
});
