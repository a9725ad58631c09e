import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';

/** RFC 3986 characters: unreserved, reserved, and well-formed percent escapes only. */
const URI_CHARS = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

function parses(ref: string): boolean {
  try {
    new URL(ref, 'http://base.invalid/');
    return true;
  } catch {
    return false;
  }
}

/**
 * Validator for the official SARIF 2.1.0 schema. The schema declares draft-04, which ajv 8 reads
 * once the top-level `id` becomes `$id` (draft-04's only keyword ajv's default draft lacks here; the
 * schema uses no boolean `exclusiveMinimum`). Formats are checked, not ignored.
 */
export function sarifValidator(): (doc: unknown) => ErrorObject[] {
  const schema = JSON.parse(readFileSync(new URL('./sarif-schema/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  schema.$id = schema.id;
  delete schema.id;
  delete schema.$schema;
  // strictRequired is off: the schema's `anyOf: [{ required: [...] }]` idiom is valid draft-04.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  ajv.addFormat('uri', (s: string) => SCHEME.test(s) && URI_CHARS.test(s) && parses(s));
  ajv.addFormat('uri-reference', (s: string) => URI_CHARS.test(s) && parses(s));
  ajv.addFormat('date-time', (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)));
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []));
}
