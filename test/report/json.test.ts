import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { json } from '../../src/report/json.js';
import type { Report } from '../../src/report/model.js';
import { cleanReport, sampleReport, sampleReportWithoutProtocols } from '../support/sample-report.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(s));
const validate = ajv.compile(schema);

function render(report: Report): string {
  return json(report, { color: false, showWaived: false });
}

/** Every property of the schema (recursively) carries a description: the schema is the reference. */
function undocumented(node: unknown, path: string, out: string[]): string[] {
  if (node === null || typeof node !== 'object') return out;
  const obj = node as Record<string, unknown>;
  if (obj.properties && typeof obj.properties === 'object') {
    for (const [key, child] of Object.entries(obj.properties as Record<string, Record<string, unknown>>)) {
      const documented = typeof child.description === 'string' || typeof child.$ref === 'string' || path.endsWith('findingsBySeverity');
      if (!documented) out.push(`${path}.${key}`);
    }
  }
  for (const [key, child] of Object.entries(obj)) undocumented(child, `${path}.${key}`, out);
  return out;
}

describe('json reporter', () => {
  it('validates against schemas/report.schema.json', () => {
    for (const report of [sampleReport(), sampleReportWithoutProtocols(), cleanReport()]) {
      const ok = validate(JSON.parse(render(report)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('the schema rejects what the contract forbids (unknown keys, bad severity)', () => {
    const doc = JSON.parse(render(sampleReport())) as { findings: Record<string, unknown>[]; extra?: number };
    doc.findings[0]!.severity = 'catastrophic';
    doc.extra = 1;
    expect(validate(doc)).toBe(false);
    expect(validate.errors!.length).toBeGreaterThanOrEqual(2);
  });

  it('documents every field', () => {
    expect(undocumented(schema, '#', [])).toEqual([]);
  });

  it('round-trips the model and ends with a newline, 2-space indented', () => {
    const report = sampleReport();
    const text = render(report);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "format": "custody-report",');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('writes keys in a fixed order whatever order the model was built in', () => {
    const report = sampleReport();
    const shuffled = JSON.parse(JSON.stringify(report), (_key, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
    ) as Report;
    expect(Object.keys(shuffled)[0]).toBe('notices');
    expect(render(shuffled)).toBe(render(report));
    const keys = Object.keys(JSON.parse(render(report)) as object);
    expect(keys.slice(0, 4)).toEqual(['format', 'version', 'tool', 'policy']);
  });
});
