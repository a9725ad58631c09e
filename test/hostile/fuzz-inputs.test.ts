import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintDigest } from '../../src/references/load.js';
import { deepNesting, type Rng, rng, TEXT_MUTATIONS, yamlAliasBomb } from '../support/fuzz.js';
import { removeTree } from '../support/hostile-corpus.js';
import { type Agency, buildAgency, PLATE_KEY } from './support/agency.js';
import { type CliResult, runCli, strayStderrLines } from './support/cli.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const SEED = 20261127;
const POLICY_CASES = 80;
const FINGERPRINT_CASES = 40;

let base: string;
let agency: Agency;
let policyText: string;
let fingerprintText: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-fuzz-'));
  agency = await buildAgency(base);
  await mkdir(path.join(base, 'tree'));
  await writeFile(path.join(base, 'tree', 'notes.txt'), 'nothing of the agency here\n');
  // The shipped example policy, pointed at this suite's fingerprint file so that it validates alone.
  policyText = (await readFile(path.join(REPO, 'policies', 'border-lane-cameras.yaml'), 'utf8')).replace(
    '../fixtures/example/generated/agency.fp.json',
    agency.fingerprintFile,
  );
  fingerprintText = await readFile(agency.fingerprintFile, 'utf8');
}, 120_000);

afterAll(() => {
  if (base) removeTree(base);
});

/** The contract for bad input: exit 2 with one-line messages, never a stack, never "internal error". */
function expectCleanRejection(result: CliResult, label: string, file: string): void {
  expect(result.stderr, label).not.toMatch(/internal error|^\s+at /m);
  expect(strayStderrLines(result.stderr, [file]), label).toEqual([]);
  if (result.exitCode === 2) expect(result.stderr.trim().length, label).toBeGreaterThan(0);
}

/** Structure-aware mutations of a parsed fingerprint file; the digest is recomputed so the schema is what rejects them. */
function mutateFingerprint(text: string, r: Rng): string {
  const doc = JSON.parse(text) as Record<string, unknown> & { references: Record<string, unknown>[] };
  const ref = doc.references[r.int(doc.references.length)]!;
  const field = r.pick(['size', 'sha256', 'md5', 'id', 'class', 'pdq', 'media', 'capturedAt']);
  const value = r.pick<unknown>([1e308, -1, 2 ** 64, 'x'.repeat(5000), null, [], {}, [[[[[]]]]], '\u001b[2J', Number.MAX_SAFE_INTEGER + 2, '../../etc/passwd']);
  switch (r.int(5)) {
    case 0:
      ref[field] = value;
      break;
    case 1:
      delete ref[field];
      break;
    case 2:
      doc[r.pick(['format', 'version', 'roots', 'references', 'plates', 'tool'])] = value;
      break;
    case 3:
      doc.references = Array.from({ length: 2000 }, () => ({ ...ref }));
      break;
    default:
      (doc as Record<string, unknown>)['extra'] = value;
  }
  delete doc['digest'];
  try {
    doc['digest'] = fingerprintDigest(doc as never);
  } catch {
    // Values canonical JSON refuses still make a case: the file keeps no digest.
  }
  return JSON.stringify(doc);
}

describe('policy fuzz: custody policy check', () => {
  it(`${POLICY_CASES} mutated policies: exit 0 (still valid) or 2, one-line errors, no stack`, async () => {
    const r = rng(SEED);
    const extra = [
      yamlAliasBomb(9),
      `${policyText}\nbomb: ${yamlAliasBomb(6).replaceAll('\n', '\n  ')}`,
      `contract: ${deepNesting(5000, 'map').replaceAll('"', '')}\n`,
      deepNesting(100_000, 'array'),
      '\u0000\u0001\u0002',
      'version: 1e309\n',
    ];
    const counts = { ok: 0, rejected: 0 };
    for (let i = 0; i < POLICY_CASES; i++) {
      const mutation = i < extra.length ? undefined : r.pick(TEXT_MUTATIONS);
      const text = mutation ? mutation.apply(policyText, r) : extra[i]!;
      const file = path.join(base, `policy-${i}.yaml`);
      await writeFile(file, text, 'latin1');
      const result = await runCli(['policy', 'check', file], { cwd: base });
      const label = `case ${i} (${mutation?.name ?? 'crafted'}): exit ${result.exitCode}: ${result.stderr.slice(0, 300)}`;
      expect([0, 2], label).toContain(result.exitCode);
      expectCleanRejection(result, label, file);
      if (result.exitCode === 0) expect(result.stdout, label).toContain(': ok (');
      counts[result.exitCode === 0 ? 'ok' : 'rejected']++;
    }
    console.log(`hostile: policy fuzz ${POLICY_CASES} cases: ${counts.ok} still valid, ${counts.rejected} rejected`);
  }, 300_000);
});

describe('fingerprint fuzz: custody audit --fingerprints', () => {
  it(`${FINGERPRINT_CASES} mutated fingerprint files: exit 0 (still valid) or 2, one-line errors, no stack`, async () => {
    const r = rng(SEED + 1);
    const extra = [deepNesting(100_000, 'array'), deepNesting(100_000, 'map'), '', '{', 'null', '[]', `{"format": ${'9'.repeat(500)}}`];
    const counts = { ok: 0, rejected: 0 };
    for (let i = 0; i < FINGERPRINT_CASES; i++) {
      const structural = i >= extra.length && r.next() < 0.5;
      const mutation = i < extra.length || structural ? undefined : r.pick(TEXT_MUTATIONS);
      const text = i < extra.length ? extra[i]! : structural ? mutateFingerprint(fingerprintText, r) : mutation!.apply(fingerprintText, r);
      const file = path.join(base, `fp-${i}.json`);
      await writeFile(file, text, 'latin1');
      const result = await runCli(['audit', 'tree', '-f', file, '--authorized', 'enclave/**', '--format', 'json'], {
        cwd: base,
        env: { CUSTODY_PLATE_KEY: PLATE_KEY },
      });
      const label = `case ${i} (${mutation?.name ?? (structural ? 'structural' : 'crafted')}): exit ${result.exitCode}: ${result.stderr.slice(0, 300)}`;
      expect([0, 2], label).toContain(result.exitCode);
      expectCleanRejection(result, label, file);
      if (result.exitCode === 0) expect(() => JSON.parse(result.stdout), label).not.toThrow();
      counts[result.exitCode === 0 ? 'ok' : 'rejected']++;
    }
    console.log(`hostile: fingerprint fuzz ${FINGERPRINT_CASES} cases: ${counts.ok} still valid, ${counts.rejected} rejected`);
  }, 300_000);
});
