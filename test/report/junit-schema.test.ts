import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { junit } from '../../src/report/junit.js';
import type { Report } from '../../src/report/model.js';
import { cleanReport, sampleReport, sampleReportWithoutProtocols } from '../support/sample-report.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';

const JENKINS_XSD = path.join(REPO_ROOT, 'fixtures/schemas/junit-10.xsd');
const SAMPLES: [string, () => Report][] = [
  ['sample', sampleReport],
  ['no-protocols', sampleReportWithoutProtocols],
  ['clean', cleanReport],
];

async function xmllint(): Promise<boolean> {
  try {
    await promisify(execFile)('xmllint', ['--version']);
    return true;
  } catch {
    return false;
  }
}
const hasXmllint = await xmllint();
if (!hasXmllint) console.warn("junit-schema.test.ts: the XSD part skipped: xmllint not found (Debian's libxml2-utils; .ci/run installs it).");

/** xmllint's verdict on a file against the Jenkins/Surefire schema: '' when valid, else its errors. */
async function schemaErrors(file: string): Promise<string> {
  try {
    await promisify(execFile)('xmllint', ['--noout', '--schema', JENKINS_XSD, file]);
    return '';
  } catch (error) {
    return (error as { stderr?: string }).stderr ?? String(error);
  }
}

describe.skipIf(!hasXmllint)("JUnit against Jenkins' JUnit schema (xunit-plugin junit-10.xsd, Surefire's format)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-junit-xsd-'));
  });
  afterAll(() => cleanup());

  it.each(SAMPLES)('validates the %s report', async (name, report) => {
    const file = path.join(dir, `${name}.xml`);
    await writeFile(file, junit(report(), { color: false, showWaived: false }));
    expect(await schemaErrors(file)).toBe('');
  });

  it('refuses what custody used to write (the check is not vacuous)', async () => {
    const xml = junit(sampleReport(), { color: false, showWaived: false })
      .replace(/<testsuites ([^>]*)>/, '<testsuites $1 skipped="2">')
      .replace(/(<testcase [^>]*>)/, '$1\n      <properties><property name="waived" value="1"/></properties>');
    const file = path.join(dir, 'old.xml');
    await writeFile(file, xml);
    const errors = await schemaErrors(file);
    expect(errors).toMatch(/attribute 'skipped': The attribute 'skipped' is not allowed/);
    expect(errors).toMatch(/Element 'properties': This element is not expected/);
  });
});

/** ActiveSupport's Hash.from_xml, as GitLab's parser sees a report: attributes and children as keys, `-` as `_`. */
const gitlabXml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: '__content__',
  transformTagName: (name) => name.replace(/-/g, '_'),
});

type Node = Record<string, unknown>;
interface GitlabCase {
  suite: string;
  classname: string;
  name: string;
  status: 'failed' | 'error' | 'skipped' | 'success';
}

/** GitLab's lib/gitlab/ci/parsers/test/junit.rb: one top-level testsuites, cases of (nested) testsuites, status by child element. */
function gitlabCases(xml: string): GitlabCase[] {
  const cases: GitlabCase[] = [];
  const list = (value: unknown): Node[] => [value].flat().filter((v): v is Node => typeof v === 'object' && v !== null);
  const walk = (node: Node): void => {
    for (const tc of list(node.testcase)) {
      const status = 'failure' in tc ? 'failed' : 'error' in tc ? 'error' : 'skipped' in tc ? 'skipped' : 'success';
      cases.push({ suite: String(node.name), classname: String(tc.classname), name: String(tc.name), status });
    }
    for (const suite of list(node.testsuite)) walk(suite);
  };
  for (const root of list((gitlabXml.parse(xml) as Node).testsuites)) for (const suite of list(root.testsuite)) walk(suite);
  return cases;
}

describe("JUnit as GitLab's JUnit report parser reads it", () => {
  it.each(SAMPLES)('gives the %s report named cases whose statuses add up to its counts', (_name, make) => {
    const report = make();
    const xml = junit(report, { color: false, showWaived: false });
    const cases = gitlabCases(xml);
    const root = (gitlabXml.parse(xml) as { testsuites: Node }).testsuites;
    const count = (status: GitlabCase['status']) => cases.filter((c) => c.status === status).length;
    expect(cases.length).toBe(Number(root.tests));
    expect(count('failed')).toBe(Number(root.failures));
    expect(count('error')).toBe(Number(root.errors));
    expect(cases.every((c) => c.name !== 'undefined' && c.classname !== 'undefined' && c.suite !== 'undefined')).toBe(true);
    for (const p of report.protocols) expect(cases.some((c) => c.name.startsWith(`${p.id}: `) && c.classname === p.clause)).toBe(true);
  });

  it('shows each violated protocol as failed, the incomplete audit as an error, and not-evaluated clauses as skipped', () => {
    const report = sampleReport();
    const status = new Map(gitlabCases(junit(report, { color: false, showWaived: false })).map((c) => [c.name.split(':')[0]!, c.status]));
    const violated = new Set(report.findings.filter((f) => !f.waiver).map((f) => f.ruleId));
    for (const p of report.protocols) {
      const expected = violated.has(p.id) ? 'failed' : p.notEvaluated !== undefined ? 'skipped' : undefined;
      if (expected) expect(status.get(p.id), p.id).toBe(expected);
    }
    expect(status.get('every item and every check ran')).toBe('error');
    expect(status.get('ARC-1')).toBe('success');
  });
});

describe('JUnit timestamps', () => {
  it("are what Ant's schema pattern accepts: no fraction, no zone", () => {
    const xml = junit(sampleReport(), { color: false, showWaived: false });
    const stamps = [...xml.matchAll(/timestamp="([^"]*)"/g)].map((m) => m[1]);
    expect(stamps.length).toBeGreaterThan(1);
    for (const stamp of stamps) expect(stamp).toBe('2026-05-28T09:00:00');
  });
});
