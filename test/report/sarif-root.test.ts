import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { sarif } from '../../src/report/sarif.js';
import { artifactLocation, type SarifPaths } from '../../src/report/sarif-location.js';
import { sampleReport } from '../support/sample-report.js';
import { cliIn, writeSmallCase } from '../support/small-case.js';
import { tempDir } from '../support/tmp.js';
import { sarifValidator } from './sarif-validator.js';

interface Log {
  runs: {
    originalUriBaseIds?: Record<string, { uri: string }>;
    results: {
      ruleId: string;
      properties: { location: string };
      locations?: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[];
    }[];
  }[];
}

const validate = sarifValidator();

function parse(text: string): Log {
  const doc = JSON.parse(text) as Log;
  expect(validate(doc)).toEqual([]);
  return doc;
}

/** `uriBaseId:uri` of each result's first location, by the report's location. */
function uris(log: Log): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of log.runs[0]!.results) {
    const a = r.locations![0]!.physicalLocation.artifactLocation;
    out[`${r.ruleId} ${r.properties.location}`] = `${a.uriBaseId ?? ''}:${a.uri}`;
  }
  return out;
}

describe('SARIF locations relative to --sarif-root', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let cli: ReturnType<typeof cliIn>;
  const audit = ['--fingerprints', 'agency.fp.json', '--authorized', 'enclave/**', '--no-cache', '--now', '2026-11-20T12:00:00Z', '--format', 'sarif'];
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-sarif-root-'));
    await writeSmallCase(dir);
    cli = cliIn(dir);
  });
  afterAll(() => cleanup());

  it('points at delivery/..., not at a path under the scan root, when run from the repository root', async () => {
    const result = await cli('audit', 'share', ...audit);
    expect(result.exitCode, result.err).toBe(1);
    const log = parse(result.out);
    expect(log.runs[0]!.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `${pathToFileURL(dir).href}/` } });
    // Before: `desk/copy-of-a.bin`, which GitHub placed on a file that does not exist.
    expect(uris(log)).toMatchObject({ 'DEFAULT-LOC desk/copy-of-a.bin': '%SRCROOT%:share/desk/copy-of-a.bin' });
  });

  it('takes --sarif-root as the base, from any working directory, and several roots alike', async () => {
    const within = await cli('audit', 'share', ...audit, '--sarif-root', 'share');
    expect(uris(parse(within.out))).toMatchObject({ 'DEFAULT-LOC desk/copy-of-a.bin': '%SRCROOT%:desk/copy-of-a.bin' });
    const fromShare = await cliIn(path.join(dir, 'share'))(
      'audit',
      '.',
      ...audit.map((a) => (a === 'agency.fp.json' ? '../agency.fp.json' : a)),
      '--sarif-root',
      '..',
    );
    expect(uris(parse(fromShare.out))).toMatchObject({ 'DEFAULT-LOC desk/copy-of-a.bin': '%SRCROOT%:share/desk/copy-of-a.bin' });
    const several = await cli('audit', 'share/desk', 'share/enclave', ...audit);
    expect(Object.values(uris(parse(several.out)))).toContain('%SRCROOT%:share/desk/copy-of-a.bin');
  });

  it('writes an absolute file URI, without base id, for a location outside the SARIF root', async () => {
    await mkdir(path.join(dir, 'elsewhere'), { recursive: true });
    const result = await cli('audit', 'share', ...audit, '--sarif-root', 'elsewhere');
    expect(uris(parse(result.out))).toMatchObject({ 'DEFAULT-LOC desk/copy-of-a.bin': `:${pathToFileURL(path.join(dir, 'share/desk/copy-of-a.bin')).href}` });
  });

  it('refuses a --sarif-root that is not a directory (exit 2, one line)', async () => {
    const result = await cli('audit', 'share', ...audit, '--sarif-root', 'no-such-dir');
    expect(result.exitCode).toBe(2);
    expect(result.err).toBe('custody: --sarif-root no-such-dir: not a directory (ENOENT)\n');
    expect(result.out).toBe('');
  });

  it('gives a merged sharded audit the locations of the single run, and takes --sarif-root there too', async () => {
    const single = uris(parse((await cli('audit', 'share', ...audit)).out));
    const shard = (k: number) => cli('audit', 'share', ...audit.slice(0, -2), '--shard', `${k}/2`, '--format', 'json', '--output', `shard-${k}.json`);
    for (const k of [1, 2]) expect((await shard(k)).exitCode).not.toBe(2);
    const merged = await cli('merge', 'shard-1.json', 'shard-2.json', '--format', 'sarif');
    expect(merged.exitCode, merged.err).toBe(1);
    expect(uris(parse(merged.out))).toEqual(single);
    const rooted = await cli('merge', 'shard-1.json', 'shard-2.json', '--format', 'sarif', '--sarif-root', 'share');
    expect(uris(parse(rooted.out))).toMatchObject({ 'DEFAULT-LOC desk/copy-of-a.bin': '%SRCROOT%:desk/copy-of-a.bin' });
  });
});

describe('SARIF locations of findings about the whole audit', () => {
  const paths: SarifPaths = { root: '/repo', base: '/repo/delivery', cwd: '/repo' };

  function auditWide(inputs: string[], p: SarifPaths | undefined): unknown {
    const report: Report = { ...sampleReport(), inputs };
    report.findings = report.findings.map((f) => (f.requirement === 'max-copies' ? { ...f, location: '.' } : f));
    const log = JSON.parse(sarif(report, { color: false, showWaived: false, ...(p ? { sarifPaths: p } : {}) })) as {
      runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: unknown } }[] }[] }[];
    };
    expect(validate(log)).toEqual([]);
    return log.runs[0]!.results.find((r) => r.ruleId === 'VOL-1')!.locations.map((l) => l.physicalLocation.artifactLocation);
  }

  it('points max-copies at the audited inputs, never at `.`', () => {
    expect(auditWide(['delivery'], paths)).toEqual([{ uri: 'delivery', uriBaseId: '%SRCROOT%' }]);
    expect(auditWide(['delivery', 'exports/inventory.json', '--files-from list.txt'], paths)).toEqual([
      { uri: 'delivery', uriBaseId: '%SRCROOT%' },
      { uri: 'exports/inventory.json', uriBaseId: '%SRCROOT%' },
      { uri: 'list.txt', uriBaseId: '%SRCROOT%' },
    ]);
    expect(auditWide(['.'], paths)).toEqual([{ uri: './', uriBaseId: '%SRCROOT%' }]);
    expect(auditWide(['--files-from -'], paths)).toEqual([{ uri: './', uriBaseId: '%SRCROOT%' }]);
    expect(auditWide(['delivery'], undefined)).toEqual([{ uri: 'delivery', uriBaseId: '%SRCROOT%' }]);
  });

  it('resolves paths against the base, inputs against the working directory, and keeps cloud objects absolute', () => {
    expect(artifactLocation('a b/c.jpg', paths)).toEqual({ uri: 'delivery/a%20b/c.jpg', uriBaseId: '%SRCROOT%' });
    expect(artifactLocation('exports/x.json', paths, 'cwd')).toEqual({ uri: 'exports/x.json', uriBaseId: '%SRCROOT%' });
    expect(artifactLocation('/srv/other/x.jpg', paths)).toEqual({ uri: 'file:///srv/other/x.jpg' });
    expect(artifactLocation('../outside.jpg', paths)).toEqual({ uri: 'outside.jpg', uriBaseId: '%SRCROOT%' });
    expect(artifactLocation('../../outside.jpg', paths)).toEqual({ uri: 'file:///outside.jpg' });
    expect(artifactLocation('s3://bkt/a b.jpg', paths)).toEqual({ uri: 's3://bkt/a%20b.jpg' });
  });
});
