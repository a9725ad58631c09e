import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/audit.js';
import { createFingerprints } from '../../src/fingerprint/create.js';
import { type LoadedPolicy, parsePolicy } from '../../src/policy/load.js';
import { applyBaseline, BaselineError, loadBaseline } from '../../src/postprocess/baseline.js';
import { FingerprintIndex } from '../../src/references/index-set.js';
import { loadedSet } from '../../src/references/load.js';
import { json } from '../../src/report/json.js';
import type { Finding, Report } from '../../src/report/model.js';
import { bytesOf, tempDir, writeTree } from '../support/tmp.js';

const POLICY = [
  'version: 1',
  'contract:',
  '  id: C',
  '  title: T',
  '  agency: A',
  '  clauses:',
  '    - { id: H.1, title: Where }',
  'locations: { authorized: ["secure-enclave/**"] }',
  'protocols:',
  '  - { id: LOC, clause: H.1, title: Location, severity: critical, require: { kind: location } }',
  '',
].join('\n');

const render = (report: Report): string => json(report, { color: false, showWaived: false });
const marks = (findings: readonly Finding[]) => findings.map((f) => [f.location, f.baseline]).sort(([a], [b]) => String(a).localeCompare(String(b)));

/** Two real audits of a tree, before and after a delivery changes it; the first report is the baseline. */
describe('baselines on real audits', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let policy: LoadedPolicy;
  let fingerprints: FingerprintIndex;
  let baselineFile: string;
  const now = new Date('2026-11-01T00:00:00Z');
  const share = () => path.join(dir, 'share');
  const audit = () => runAudit({ inputs: [{ source: 'filesystem', roots: [share()] }], policy, fingerprints, now, concurrency: 2 });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-baseline-'));
    const [a, b, c] = ['ref a', 'ref b', 'ref c'].map((label) => bytesOf(label, 2048));
    await writeTree(dir, {
      'refs/a.jpg': a!,
      'refs/b.jpg': b!,
      'refs/c.jpg': c!,
      'share/incoming/a.jpg': a!,
      'share/incoming/b.jpg': b!,
      'share/secure-enclave/c.jpg': c!,
    });
    const { file } = await createFingerprints({ roots: ['refs'], cwd: dir, classes: [{ glob: '**', assetClass: 'vehicle-image' }] });
    fingerprints = new FingerprintIndex([loadedSet('fp.json', file)]);
    policy = parsePolicy(POLICY, path.join(dir, 'policy.yaml'));
    baselineFile = path.join(dir, 'before.json');
    await writeFile(baselineFile, render(await audit()));
  });
  afterAll(async () => cleanup());

  it('reads back every fingerprint of the previous report', async () => {
    const known = await loadBaseline(baselineFile);
    const before = JSON.parse(render(await audit())) as Report;
    expect(before.findings.map((f) => f.location).sort()).toEqual(['incoming/a.jpg', 'incoming/b.jpg']);
    expect([...known].sort()).toEqual(before.findings.map((f) => f.fingerprint).sort());
    expect(marks(applyBaseline(before.findings, known))).toEqual([
      ['incoming/a.jpg', 'unchanged'],
      ['incoming/b.jpg', 'unchanged'],
    ]);
  });

  it('treats a renamed copy as unchanged and new content at an old path as new', async () => {
    await rename(path.join(share(), 'incoming', 'a.jpg'), path.join(share(), 'incoming', 'renamed-a.jpg'));
    // The authorized copy of c leaks to b's old path: same path as a known finding, different content.
    await writeFile(path.join(share(), 'incoming', 'b.jpg'), bytesOf('ref c', 2048));
    const after = await audit();
    const marked = applyBaseline(after.findings, await loadBaseline(baselineFile));
    expect(marks(marked)).toEqual([
      ['incoming/b.jpg', 'new'],
      ['incoming/renamed-a.jpg', 'unchanged'],
    ]);
    // The mark reaches the JSON report, so a later run (or a person) can see it.
    expect(render({ ...after, findings: marked })).toContain('"baseline": "new"');
  });
});

describe('applyBaseline', () => {
  const finding = (fingerprint: string, location: string): Finding => ({
    ruleId: 'LOC',
    requirement: 'location',
    clause: 'H.1',
    severity: 'high',
    level: 'error',
    location,
    message: 'outside',
    evidence: {},
    fingerprint,
  });

  it('marks by fingerprint, keeps order and does not modify its input', () => {
    const input = [finding('b'.repeat(64), 'z.jpg'), finding('a'.repeat(64), 'y.jpg')];
    const out = applyBaseline(input, new Set(['a'.repeat(64)]));
    expect(out.map((f) => [f.location, f.baseline])).toEqual([
      ['z.jpg', 'new'],
      ['y.jpg', 'unchanged'],
    ]);
    expect(input.every((f) => f.baseline === undefined)).toBe(true);
  });

  it('marks everything new against an empty baseline', () => {
    expect(applyBaseline([finding('c'.repeat(64), 'x.jpg')], new Set()).map((f) => f.baseline)).toEqual(['new']);
  });
});

describe('loadBaseline rejects what it cannot trust', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir('custody-baseline-bad-')));
  afterAll(async () => cleanup());

  const good = { format: 'custody-report', version: 1, findings: [{ ruleId: 'LOC', fingerprint: 'f'.repeat(64) }] };
  const cases: [string, string, RegExp][] = [
    ['not-json.json', '{"format": "custody-report",', /not JSON/],
    ['sarif.json', JSON.stringify({ version: '2.1.0', runs: [] }), /expected a custody-report version 1 JSON report, found format missing, version "2.1.0"/],
    ['v2.json', JSON.stringify({ ...good, version: 2 }), /found format "custody-report", version 2/],
    ['array.json', '[]', /not an object/],
    ['no-findings.json', JSON.stringify({ format: 'custody-report', version: 1 }), /findings: /],
    ['short-fp.json', JSON.stringify({ ...good, findings: [{ ruleId: 'LOC', fingerprint: 'abc' }] }), /findings\.0\.fingerprint: /],
    ['shard.json', JSON.stringify({ ...good, shard: { index: 1, count: 2 } }), /shard report; merge the shards/],
  ];

  it.each(cases)('%s', async (name, text, reason) => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    const error = await loadBaseline(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaselineError);
    const message = (error as BaselineError).message;
    expect(message.startsWith(`${file}: not usable as a baseline: `)).toBe(true);
    expect(message).toMatch(reason);
    expect(message).not.toContain('\n');
    expect((error as BaselineError).exitCode).toBe(2);
  });

  it('names a missing file', async () => {
    const file = path.join(dir, 'missing.json');
    await rm(file, { force: true });
    await expect(loadBaseline(file)).rejects.toThrow(`${file}: not usable as a baseline: cannot read it (ENOENT)`);
  });

  it('accepts a minimal valid report, fields it does not rely on aside', async () => {
    const file = path.join(dir, 'ok.json');
    await writeFile(file, JSON.stringify({ ...good, extra: { future: true } }));
    expect([...(await loadBaseline(file))]).toEqual(['f'.repeat(64)]);
  });
});
