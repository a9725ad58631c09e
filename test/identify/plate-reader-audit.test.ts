import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agency, buildAgency, PLATE_KEY, plateSpellings } from '../hostile/support/agency.js';
import { type CliResult, runCli } from '../hostile/support/cli.js';
import { removeTree } from '../support/hostile-corpus.js';
import { platePhoto } from './support/plate-photo.js';

// End to end through the CLI: photos of an agency plate, of another plate, and of no plate, none of
// them fingerprinted. The agency's plates (hostile/support/agency.ts) include ABC1234.
let base: string;
let agency: Agency;
const runs: Record<'read' | 'plain' | 'keyless', CliResult | undefined> = { read: undefined, plain: undefined, keyless: undefined };

interface JsonAsset {
  location: string;
  method: string;
  asset: string;
  evidence: Record<string, unknown>;
}
const assetsOf = (result: CliResult): JsonAsset[] => (JSON.parse(result.stdout) as { assets: JsonAsset[] }).assets;
const coverageOf = (result: CliResult): { location: string; reason: string; incomplete: boolean }[] =>
  (JSON.parse(result.stdout) as { coverage: { location: string; reason: string; incomplete: boolean }[] }).coverage;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-plate-reader-'));
  agency = await buildAgency(base);
  await mkdir(path.join(base, 'tree'), { recursive: true });
  await writeFile(path.join(base, 'tree', 'lane-later.jpg'), await platePhoto('ABC 1234'));
  await writeFile(path.join(base, 'tree', 'other-car.jpg'), await platePhoto('QRT 4821', { seed: 2 }));
  await writeFile(path.join(base, 'tree', 'no-plate.jpg'), await platePhoto('', { plate: false, seed: 3 }));
  const audit = (extra: string[], env: Record<string, string>) =>
    runCli(['audit', 'tree', '-f', agency.fingerprintFile, '--authorized', 'enclave/**', '--format', 'json', '--no-cache', ...extra], { cwd: base, env });
  runs.read = await audit(['--read-plates'], { CUSTODY_PLATE_KEY: PLATE_KEY });
  runs.plain = await audit([], { CUSTODY_PLATE_KEY: PLATE_KEY });
  runs.keyless = await audit(['--read-plates'], {});
}, 180_000);

afterAll(() => {
  if (base) removeTree(base);
});

describe('custody audit --read-plates', () => {
  it('claims the photo of an agency plate, and only it, as plate-in-image', () => {
    const result = runs.read!;
    expect(result.exitCode, result.stderr).toBe(1);
    const claimed = assetsOf(result).filter((a) => a.method === 'plate-in-image');
    expect(claimed.map((a) => a.location)).toEqual(['lane-later.jpg']);
    const evidence = claimed[0]!.evidence;
    expect(evidence.region).toMatch(/^\d+x\d+ at \d+,\d+ of 800x480$/);
    expect(evidence.confidence).toBeGreaterThan(0.5);
    expect(evidence.spellingsTried).toBeGreaterThanOrEqual(1);
    expect(claimed[0]!.asset).toBe('plate-image');
  });

  it('never prints a plate it read, agency or not', () => {
    for (const plate of ['ABC1234', 'QRT4821']) {
      for (const spelling of plateSpellings(plate)) expect(runs.read!.stdout.includes(spelling), spelling).toBe(false);
    }
  });

  it('reads nothing without the flag', () => {
    expect(assetsOf(runs.plain!).filter((a) => a.method === 'plate-in-image')).toEqual([]);
  });

  it('without a plate key, says each image went unchecked and the audit is incomplete', () => {
    const result = runs.keyless!;
    expect(result.exitCode).toBe(3);
    const unchecked = coverageOf(result).filter((c) => c.reason === 'plates-in-image-unchecked');
    expect(unchecked.map((c) => c.location).sort()).toEqual(['lane-later.jpg', 'no-plate.jpg', 'other-car.jpg']);
    expect(unchecked.every((c) => c.incomplete)).toBe(true);
    expect(assetsOf(result).filter((a) => a.method === 'plate-in-image')).toEqual([]);
  });
});
