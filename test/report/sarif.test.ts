import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { sarif } from '../../src/report/sarif.js';
import { encodeSegment, locationUri, sarifTarget } from '../../src/report/sarif-location.js';
import { cleanReport, HOSTILE_LOCATION, sampleReport, sampleReportWithoutProtocols } from '../support/sample-report.js';
import { sarifValidator } from './sarif-validator.js';

const validate = sarifValidator();

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations?: {
    physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number } };
    logicalLocations?: { fullyQualifiedName: string }[];
    properties?: { member?: string };
  }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; justification: string }[];
  baselineState?: string;
  properties: { location: string };
}
interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        rules: { id: string; shortDescription: { text: string }; properties: Record<string, unknown>; defaultConfiguration: { level: string } }[];
      };
    };
    results: SarifResult[];
    properties: { policy: { digest: string }; fingerprints: string[]; clauses: { id: string; verdict: string; reason?: string }[] };
  }[];
}

function render(report: Report): SarifLog {
  const text = sarif(report, { color: false, showWaived: false });
  const doc = JSON.parse(text) as SarifLog;
  expect(validate(doc)).toEqual([]);
  return doc;
}

describe('sarif reporter', () => {
  it('validates against the official SARIF 2.1.0 schema for every sample report', () => {
    for (const report of [sampleReport(), sampleReportWithoutProtocols(), cleanReport()]) render(report);
  });

  it('rejects an invalid log (the validator is not vacuous)', () => {
    const doc = JSON.parse(sarif(sampleReport(), { color: false, showWaived: false })) as SarifLog;
    doc.runs[0]!.results[0]!.level = 'fatal';
    (doc.runs[0]!.results[1]!.locations![0]!.physicalLocation.artifactLocation as { uri: string }).uri = 'a b|c';
    expect(validate(doc).length).toBeGreaterThanOrEqual(2);
  });

  it('has one rule per protocol, and results point at them', () => {
    const report = sampleReport();
    const run = render(report).runs[0]!;
    expect(run.tool.driver.name).toBe('custody');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(report.protocols!.map((p) => p.id));
    const loc = run.tool.driver.rules.find((r) => r.id === 'LOC-1')!;
    expect(loc.shortDescription.text).toBe('Agency data only in the authorised enclave');
    expect(loc.properties).toMatchObject({ clause: '4.2', requirement: 'location', severity: 'high', 'security-severity': '8.0' });
    // GitHub reads security-severity only from rules tagged security.
    for (const r of run.tool.driver.rules) expect(r.properties.tags).toContain('security');
    expect(loc.defaultConfiguration.level).toBe('error');
    expect(run.results).toHaveLength(report.findings.length);
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    }
  });

  it('carries fingerprints, suppressions for waivers and baseline states', () => {
    const report = sampleReport();
    const results = render(report).runs[0]!.results;
    expect(results.map((r) => r.partialFingerprints['custody/v1'])).toEqual(report.findings.map((f) => f.fingerprint));
    const waived = results.filter((r) => r.suppressions);
    expect(waived).toHaveLength(1);
    expect(waived[0]!.suppressions![0]).toMatchObject({ kind: 'external' });
    expect(waived[0]!.suppressions![0]!.justification).toContain('Quarterly backup');
    expect(results.map((r) => r.baselineState ?? '-').join(' ')).toBe('- unchanged new new new new - - - -');
  });

  it('maps archive members, cloud objects and hostile names to URIs code-scanning accepts', () => {
    const results = render(sampleReport()).runs[0]!.results;
    const byLocation = new Map(results.map((r) => [r.properties.location, r.locations![0]!]));
    const member = byLocation.get('backups/2026-q1.zip!/captures/cap-000117.jpg')!;
    expect(member.physicalLocation.artifactLocation).toEqual({ uri: 'backups/2026-q1.zip', uriBaseId: '%SRCROOT%' });
    expect(member.properties?.member).toBe('captures/cap-000117.jpg');
    expect(member.logicalLocations?.[0]?.fullyQualifiedName).toBe('backups/2026-q1.zip!/captures/cap-000117.jpg');
    // A cloud object keeps its absolute URI: no base id.
    expect(byLocation.get('s3://contractor-exports/daily/2026/03/cap 000118.jpg')!.physicalLocation.artifactLocation).toEqual({
      uri: 's3://contractor-exports/daily/2026/03/cap%20000118.jpg',
    });
    const hostile = byLocation.get(HOSTILE_LOCATION)!.physicalLocation.artifactLocation.uri;
    expect(hostile).toMatch(/^[A-Za-z0-9\-._~%/]+$/);
    expect(decodeURIComponent(hostile)).toBe(HOSTILE_LOCATION);
  });

  it('records policy and fingerprint digests and every clause verdict in run.properties', () => {
    const report = sampleReport();
    const props = render(report).runs[0]!.properties;
    expect(props.policy.digest).toBe(report.policy.digest);
    expect(props.fingerprints).toEqual(report.fingerprints.map((f) => f.digest));
    expect(props.clauses.map((c) => `${c.id}:${c.verdict}`)).toEqual(report.clauses.map((c) => `${c.id}:${c.verdict}`));
    expect(props.clauses.find((c) => c.id === '5.3')?.reason).toBe('encryption is not knowable on a plain filesystem');
  });
});

describe('sarif locations', () => {
  it('percent-encodes everything but unreserved characters', () => {
    expect(encodeSegment('a b:c?#%é')).toBe('a%20b%3Ac%3F%23%25%C3%A9');
    expect(locationUri('dir/x:y/z.jpg')).toBe('dir/x%3Ay/z.jpg');
    expect(locationUri('/abs/my file.jpg')).toBe('file:///abs/my%20file.jpg');
    expect(locationUri('S3://Bucket-1/a b/c')).toBe('s3://Bucket-1/a%20b/c');
  });

  it('splits nested archives at the outermost member separator', () => {
    expect(sarifTarget('a.zip!/b/inner.tar.gz!/x.jpg')).toEqual({ outer: 'a.zip', member: 'b/inner.tar.gz!/x.jpg' });
    expect(sarifTarget('s3://bkt/exp.zip!/x.jpg')).toEqual({ outer: 's3://bkt/exp.zip', member: 'x.jpg' });
    expect(sarifTarget('plain/x.jpg')).toEqual({ outer: 'plain/x.jpg' });
  });
});

describe('sarif locations with broken UTF-16', () => {
  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    expect(encodeSegment('a\ud800b')).toBe('a%EF%BF%BDb');
    expect(encodeSegment('📷')).toBe('%F0%9F%93%B7');
  });
});
