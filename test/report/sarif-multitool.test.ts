import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { sarif } from '../../src/report/sarif.js';
import type { SarifPaths } from '../../src/report/sarif-location.js';
import { AGENCY_PLATES, buildAgency, PLATE_KEY } from '../hostile/support/agency.js';
import { runCli } from '../hostile/support/cli.js';
import { cleanReport, sampleReport, sampleReportWithoutProtocols } from '../support/sample-report.js';
import { tempDir, writeTree } from '../support/tmp.js';
import { findMultitool, type MultitoolProblem, multitoolValidate } from './sarif-multitool.js';

const tool = findMultitool();
if (!tool) {
  console.warn(
    'sarif-multitool.test.ts skipped: sarif-multitool not found (.ci/run installs @microsoft/sarif-multitool into node_modules/.cache/sarif-multitool).',
  );
}

interface Log {
  runs: { results: { locations?: { physicalLocation?: { artifactLocation: { uri: string }; region?: unknown } }[] }[] }[];
}

/** The physical location a validator pointer like `runs[0].results[3].locations[0].physicalLocation` names. */
function physicalAt(log: Log, where: string): { artifactLocation: { uri: string }; region?: unknown } | undefined {
  const m = /^runs\[(\d+)\]\.results\[(\d+)\]\.locations\[(\d+)\]\.physicalLocation$/.exec(where);
  if (!m) return undefined;
  return log.runs[Number(m[1])]?.results[Number(m[2])]?.locations?.[Number(m[3])]?.physicalLocation;
}

/**
 * What the validator may say: nothing at error level, and as warnings only SARIF2017 (no region)
 * on a location that truly has none: a file that is not text (images, archives) or a directory.
 */
function unexplained(log: Log, problems: readonly MultitoolProblem[], textUris: ReadonlySet<string>): MultitoolProblem[] {
  return problems.filter((p) => {
    if (p.level === 'note') return false;
    if (p.level !== 'warning' || p.ruleId !== 'SARIF2017') return true;
    const physical = physicalAt(log, p.where);
    return physical === undefined || physical.region !== undefined || textUris.has(physical.artifactLocation.uri);
  });
}

// The validator is a .NET program that takes seconds to start, more on a busy machine.
describe.skipIf(!tool)('SARIF against Microsoft sarif-multitool (its SARIF and GitHub rules)', { timeout: 180_000 }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-multitool-'));
  });
  afterAll(() => cleanup());

  /** Validates the logs, given as name → text, in one run of the validator. */
  async function validate(logs: Record<string, string>): Promise<Map<string, { log: Log; problems: MultitoolProblem[] }>> {
    const files = Object.keys(logs).map((name) => path.join(dir, `${name}.sarif`));
    for (const [name, text] of Object.entries(logs)) await writeFile(path.join(dir, `${name}.sarif`), text);
    const found = await multitoolValidate(tool!, files, path.join(dir, 'validation.sarif'));
    // Anything reported on no log of ours (the validator's own trouble) must surface too.
    expect([...found.keys()].filter((file) => !files.includes(file))).toEqual([]);
    return new Map(Object.entries(logs).map(([name, text]) => [name, { log: JSON.parse(text) as Log, problems: found.get(path.join(dir, `${name}.sarif`))! }]));
  }

  it('finds no error, and no warning but a missing region on binary files, in the sample reports', async () => {
    const paths: SarifPaths = { root: dir, base: path.join(dir, 'contractor-share'), cwd: dir };
    const samples: [string, Report][] = [
      ['sample', sampleReport()],
      ['no-protocols', sampleReportWithoutProtocols()],
      ['clean', cleanReport()],
    ];
    const logs: Record<string, string> = {};
    for (const [name, report] of samples) {
      logs[`${name}-rooted`] = sarif(report, { color: false, showWaived: false, sarifPaths: paths });
      logs[`${name}-library`] = sarif(report, { color: false, showWaived: false });
    }
    for (const [name, { log, problems }] of await validate(logs)) {
      // The sample's only text file is the plate-reads CSV: it has a region; every other location is binary or a cloud object.
      expect(unexplained(log, problems, new Set()), name).toEqual([]);
      if (name.startsWith('sample')) expect(problems.filter((p) => p.ruleId === 'SARIF2017').length, name).toBeGreaterThan(0);
    }
  });

  it('finds no error in a real audit, and places the plate-record finding on the line of the first agency plate', async () => {
    const agency = await buildAgency(dir);
    const log = `boot ok\nlane 2 camera up\nread plate=${AGENCY_PLATES[1]} lane=2\n`;
    await writeTree(dir, { 'share/enclave/lane-0.jpg': agency.images[0]!, 'share/desk/lane-0 copy.jpg': agency.images[0]!, 'share/desk/gateway.log': log });
    const args = ['audit', 'share', '-f', agency.fingerprintFile, '--authorized', 'enclave/**', '--no-cache', '--format', 'sarif'];
    const result = await runCli(args, { cwd: dir, env: { CUSTODY_PLATE_KEY: PLATE_KEY } });
    expect(result.exitCode, result.stderr).toBe(1);
    const { log: doc, problems } = (await validate({ audit: result.stdout })).get('audit')!;
    expect(unexplained(doc, problems, new Set())).toEqual([]);
    const located = doc.runs[0]!.results.map((r) => r.locations![0]!.physicalLocation!);
    expect(located.find((p) => p.artifactLocation.uri === 'share/desk/gateway.log')?.region).toEqual({ startLine: 3 });
    // The images are the locations without a region, and the only warnings.
    const warned = new Set(problems.map((p) => `${p.level} ${p.ruleId} ${physicalAt(doc, p.where)?.artifactLocation.uri}`));
    expect(warned).toContain('warning SARIF2017 share/desk/lane-0%20copy.jpg');
    for (const w of warned) expect(w).toMatch(/^warning SARIF2017 share\/.*\.jpg$/);
  });

  it('is not vacuous: it reports the defects custody used to have', async () => {
    const doc = JSON.parse(sarif(sampleReport(), { color: false, showWaived: false })) as {
      runs: { tool: { driver: Record<string, unknown> }; results: Record<string, unknown>[] }[];
    };
    delete doc.runs[0]!.tool.driver.informationUri;
    delete doc.runs[0]!.results[1]!.locations;
    const { problems } = (await validate({ defects: JSON.stringify(doc) })).get('defects')!;
    const rules = new Set(problems.map((p) => `${p.level} ${p.ruleId}`));
    expect(rules).toContain('warning SARIF2005');
    expect([...rules].some((id) => id.startsWith('error GH'))).toBe(true);
  });
});
