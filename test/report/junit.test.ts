import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { junit } from '../../src/report/junit.js';
import type { Report } from '../../src/report/model.js';
import { cleanReport, HOSTILE_LOCATION, sampleReport, sampleReportWithoutProtocols } from '../support/sample-report.js';

interface Case {
  '@_classname': string;
  '@_name': string;
  failure?: { '@_message': string; '#text': string };
  skipped?: { '@_message': string };
  error?: { '@_message': string; '#text': string };
  'system-out'?: string;
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_skipped': string;
  properties: { property: { '@_name': string; '@_value': string }[] };
  testcase: Case[];
}
interface Doc {
  testsuites: { '@_tests': string; '@_failures': string; '@_errors': string; '@_skipped'?: string; testsuite: Suite[] };
}

const parser = new XMLParser({
  ignoreAttributes: false,
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  processEntities: true,
  trimValues: false,
});

function parse(report: Report): Doc {
  const xml = junit(report, { color: false, showWaived: false });
  expect(XMLValidator.validate(xml)).toBe(true);
  // XML 1.0 forbids these code points outright; escaping must have removed them.
  expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
  return parser.parse(xml) as Doc;
}

describe('junit reporter', () => {
  it('is well-formed XML for every sample report', () => {
    for (const report of [sampleReport(), sampleReportWithoutProtocols(), cleanReport()]) parse(report);
  });

  it('has a suite per clause and a case per protocol, with consistent counts', () => {
    const report = sampleReport();
    const doc = parse(report).testsuites;
    expect(doc.testsuite.map((s) => s['@_name'].split(':')[0])).toEqual(['custody', ...report.clauses.map((c) => `clause ${c.id}`)]);
    const cases = doc.testsuite.flatMap((s) => s.testcase);
    expect(cases.filter((c) => c['@_name'].match(/^[A-Z]+-\d: /)).map((c) => c['@_name'].split(':')[0])).toEqual(report.protocols!.map((p) => p.id));
    expect(Number(doc['@_tests'])).toBe(cases.length);
    expect(Number(doc['@_failures'])).toBe(cases.filter((c) => c.failure).length);
    // Skipped cases are counted per suite: the Jenkins/Surefire schema has no `skipped` on testsuites.
    expect(doc['@_skipped']).toBeUndefined();
    expect(doc.testsuite.reduce((n, s) => n + Number(s['@_skipped']), 0)).toBe(cases.filter((c) => c.skipped).length);
    expect(Number(doc['@_failures'])).toBe(5);
    expect(Number(doc['@_errors'])).toBe(cases.filter((c) => c.error).length);
    for (const s of doc.testsuite.filter((suite) => suite['@_name'].startsWith('clause '))) {
      expect(Number(s['@_tests'])).toBe(s.testcase.length);
      const verdict = s.properties.property.find((p) => p['@_name'] === 'verdict')!['@_value'];
      const clause = report.clauses.find((c) => s['@_name'].startsWith(`clause ${c.id}:`))!;
      expect(verdict).toBe(clause.verdict);
    }
  });

  it('errors in a completeness suite with what an incomplete audit could not check, and not when it is complete', () => {
    const incomplete = parse(sampleReport()).testsuites;
    const check = incomplete.testsuite[0]!;
    expect(check['@_name']).toBe('custody: completeness');
    expect(check.testcase[0]!.error!['@_message']).toBe('scan incomplete: 3 items NOT inspected, see coverage');
    expect(Number(incomplete['@_errors'])).toBe(1);
    const backups = incomplete.testsuite.find((s) => s['@_name'].startsWith('clause 8.1'))!;
    expect(backups.testcase[0]!['system-out']).toContain('passed on what was inspected: 3 items NOT inspected');
    const clean = parse(cleanReport()).testsuites;
    expect(clean.testsuite[0]!.testcase[0]!.error).toBeUndefined();
    expect(Number(clean['@_errors'])).toBe(0);
  });

  it('lists every unwaived violation in the failure body and waived ones in system-out', () => {
    const doc = parse(sampleReport()).testsuites;
    const cases = doc.testsuite.flatMap((s) => s.testcase);
    const loc = cases.find((c) => c['@_name'].startsWith('LOC-1'))!;
    expect(loc['@_classname']).toBe('4.2');
    expect(loc.failure!['@_message']).toBe('5 violations of LOC-1 (clause 4.2)');
    expect(loc.failure!['#text'].split('\n')).toHaveLength(5);
    expect(loc.failure!['#text']).toContain('<img src=x onerror=alert(1)>');
    expect(loc.failure!['#text']).toContain('\\n\\x1b]0;pwned\\x07');
    expect(loc.failure!['#text']).not.toContain(HOSTILE_LOCATION);
    const arc = cases.find((c) => c['@_name'].startsWith('ARC-1'))!;
    expect(arc.failure).toBeUndefined();
    expect(arc['system-out']).toContain('waived by W-2026-04');
  });

  it('skips not-evaluated clauses with their reason, including clauses no protocol cites', () => {
    const cases = parse(sampleReport()).testsuites.testsuite.flatMap((s) => s.testcase);
    expect(cases.find((c) => c['@_name'].startsWith('ENC-2'))!.skipped!['@_message']).toBe('encryption is not knowable on a plain filesystem');
    const orphan = cases.find((c) => c['@_name'] === 'clause 9.4: no protocol')!;
    expect(orphan.skipped!['@_message']).toContain('key custody is not observable');
  });
});
