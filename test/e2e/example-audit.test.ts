import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExample } from '../../scripts/generate-fixtures.js';
import { run } from '../../src/cli/run.js';
import { DETECTORS } from '../../src/identify/registry.js';
import type { Report } from '../../src/report/model.js';
import { captureIo, REPO_ROOT, tempDir } from '../support/tmp.js';

/** A fixed audit time, so capture dates, mtimes and retention are the same on every run. */
const NOW = '2026-11-20T12:00:00Z';

interface Plant {
  location: string;
  reference: string;
  kind: 'exact' | 'perceptual' | 'archive' | 'record';
  class: string;
  violations: string[];
  violationsByCaptureDate?: string[];
}
interface Plan {
  plants: Plant[];
  unrelated: { location: string; note: string }[];
  containers: { location: string; unrelatedMembers: string[] }[];
}

/** Requirement kinds the plan predicts per item (max-copies is audit-wide, not per item). */
const PER_ITEM_KINDS = ['location', 'permissions', 'retention', 'no-archives'];

/**
 * The shipped example, end to end through the CLI: generate the case, fingerprint the agency's data
 * the way scripts/example.js does, audit the contractor's share with the shipped policy, and check
 * the report against the generator's ground truth (plan.json).
 */
describe('example case, end to end', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let plan: Plan;
  let report: Report;
  let reportText: string;
  let auditExit: number;

  const audit = async (output: string) => {
    const io = captureIo(dir);
    const result = await run(
      ['audit', 'case/contractor-share', '--policy', 'policy.yaml', '--plate-key-file', 'case/plate.key', '--now', NOW, '--format', 'json', '--output', output],
      io,
    );
    return { exitCode: result.exitCode, text: await readFile(path.join(dir, output), 'utf8'), stderr: io.err() };
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-e2e-'));
    await generateExample({ out: path.join(dir, 'case'), now: new Date(NOW) });
    plan = JSON.parse(await readFile(path.join(dir, 'case', 'plan.json'), 'utf8')) as Plan;

    const fp = captureIo(dir);
    const fingerprint = await run(
      [
        'fingerprint',
        'case/agency-data',
        '--out',
        'agency.fp.json',
        '--plate-key-file',
        'case/plate.key',
        '--class',
        'travelers/**=traveler-image',
        '--class',
        'lanes/**=vehicle-image',
        '--class',
        'plates/**=plate-image',
      ],
      fp,
    );
    expect(fingerprint.exitCode, fp.err()).toBe(0);

    // The shipped policy, with its fingerprint path pointed at this run's file.
    const shipped = await readFile(path.join(REPO_ROOT, 'policies', 'border-lane-cameras.yaml'), 'utf8');
    const rewritten = shipped.replace('../fixtures/example/generated/agency.fp.json', 'agency.fp.json');
    expect(rewritten).not.toBe(shipped);
    await writeFile(path.join(dir, 'policy.yaml'), rewritten);

    const first = await audit('report-1.json');
    auditExit = first.exitCode;
    reportText = first.text;
    report = JSON.parse(reportText) as Report;
  }, 300_000);
  afterAll(async () => cleanup());

  it('exits 1: the case plants critical violations', () => {
    expect(auditExit).toBe(1);
  });

  it('finds every exact copy (renamed, wrong extension) at its location, with its reference', () => {
    const exact = plan.plants.filter((p) => p.kind === 'exact');
    expect(exact.length).toBeGreaterThanOrEqual(10);
    for (const plant of exact) {
      const asset = report.assets.find((a) => a.location === plant.location);
      expect(asset, plant.location).toBeDefined();
      expect([asset!.method, asset!.reference, asset!.asset], plant.location).toEqual(['exact', plant.reference, plant.class]);
    }
  });

  it('reports exactly the planned location, permissions and retention violations of each exact copy', () => {
    for (const plant of plan.plants.filter((p) => p.kind === 'exact')) {
      // Exact copies keep the EXIF capture date, and retention prefers it over the copy's mtime.
      const expected = (plant.violationsByCaptureDate ?? plant.violations).filter((k) => PER_ITEM_KINDS.includes(k)).sort();
      const actual = report.findings
        .filter((f) => f.location === plant.location && !f.waiver)
        .map((f) => f.requirement)
        .sort();
      expect(actual, plant.location).toEqual(expected);
    }
  });

  it('says which date it used for retention', () => {
    const byCapture = plan.plants.find((p) => p.kind === 'exact' && p.violationsByCaptureDate?.includes('retention'));
    const finding = report.findings.find((f) => f.location === byCapture!.location && f.requirement === 'retention');
    expect(finding!.evidence['dateSource']).toMatch(/^capture date/);
  });

  const unrelatedLocations = () =>
    new Set([...plan.unrelated.map((u) => u.location), ...plan.containers.flatMap((c) => c.unrelatedMembers.map((m) => `${c.location}!/${m}`))]);

  it('reports nothing on unrelated files, nor on the unrelated members of archives (exact, record, metadata)', () => {
    const unrelated = unrelatedLocations();
    const claims = report.assets.filter((a) => unrelated.has(a.location) && a.method !== 'perceptual');
    expect(claims.map((a) => [a.location, a.method, a.asset, a.reference, JSON.stringify(a.evidence)])).toEqual([]);
    const perceptual = new Set(report.assets.filter((a) => a.method === 'perceptual').map((a) => a.location));
    expect(report.findings.filter((f) => unrelated.has(f.location) && !perceptual.has(f.location))).toEqual([]);
  });

  // KNOWN, issue 3 (open): PDQ puts another car photographed by the same lane camera within 30 bits
  // of lanes/lane3-cam07-0005.jpg, so the perceptual stage claims it. This test turns red the day
  // perceptual precision is fixed; then make it a plain `it`.
  it('makes no perceptual claim on same-camera decoys (tile verification, issue 3)', () => {
    const unrelated = unrelatedLocations();
    expect(report.assets.filter((a) => unrelated.has(a.location)).map((a) => a.location)).toEqual([]);
  });

  it('reports the breach volume once, and the expired waiver', () => {
    expect(report.findings.filter((f) => f.requirement === 'max-copies').map((f) => [f.ruleId, f.location])).toEqual([['CUST-VOL-01', '.']]);
    expect(report.expiredWaivers.map((w) => w.id)).toEqual(['WVR-2026-01']);
    const encryption = report.protocols.find((p) => p.id === 'CUST-ENC-01');
    expect(encryption!.notEvaluated).toMatch(/plain filesystem/);
  });

  it('never puts image bytes or the plate key in the report', async () => {
    const key = (await readFile(path.join(dir, 'case', 'plate.key'), 'utf8')).trim();
    expect(reportText).not.toContain(key);
    expect(reportText).not.toMatch(/\/9j\/4/); // base64 of a JPEG's first bytes
    expect(reportText).not.toMatch(/ffd8ffe0|ffd8ffe1/i);
  });

  it('is deterministic: a second audit of the same inputs gives byte-identical JSON but for the timestamps', async () => {
    const second = await audit('report-2.json');
    expect(second.exitCode).toBe(auditExit);
    const strip = (text: string) => text.replace(/"(startedAt|finishedAt)": "[^"]*"/g, '"$1": ""');
    expect(strip(second.text)).toBe(strip(reportText));
  });

  /**
   * Plants found by detectors other engineers are wiring now: perceptual copies (transformed
   * images), archive members (needs the CLI to pass an archive hook to runAudit) and plate records
   * (CSV/JSONL/log files with agency plates). Each kind is asserted as soon as its detector is in
   * src/identify/registry.ts (archives: as soon as the report shows any archive member); until then
   * only the exact plants are asserted here. Remaining, as of writing: perceptual, archive, record.
   */
  it('finds the non-exact plants whose detectors are wired (perceptual, archive, record)', () => {
    const wired = new Set(DETECTORS.map((d) => d.id));
    const archivesOn = report.assets.some((a) => a.location.includes('!/'));
    const enabled: Record<Plant['kind'], boolean> = { exact: true, perceptual: wired.has('perceptual'), record: wired.has('record'), archive: archivesOn };
    const checked = plan.plants.filter((p) => enabled[p.kind]);
    expect(checked.length).toBeGreaterThan(0);
    for (const plant of checked) {
      const asset = report.assets.find((a) => a.location === plant.location);
      expect(asset, `${plant.kind} plant ${plant.location}`).toBeDefined();
      if (plant.kind !== 'record') expect(asset!.reference, plant.location).toBe(plant.reference);
      const expected = (plant.violationsByCaptureDate ?? plant.violations).filter((k) => PER_ITEM_KINDS.includes(k)).sort();
      const actual = report.findings
        .filter((f) => f.location === plant.location && PER_ITEM_KINDS.includes(f.requirement))
        .map((f) => f.requirement)
        .sort();
      expect(actual, plant.location).toEqual(expected);
    }
  });
});
