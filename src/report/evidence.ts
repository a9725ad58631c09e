import type { Finding } from './model.js';
import { sortedEntries } from './verdict.js';

/** One evidence value as short text; nested values as compact JSON (machine-oriented formats). */
function valueText(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.join(', ');
  }
  return JSON.stringify(value) ?? '';
}

/**
 * Evidence as `key=value` pairs sorted by key, unescaped (callers escape for their medium). For the
 * machine-read formats (JUnit failure text); the human formats use {@link evidenceWords}.
 */
export function evidencePairs(evidence: Record<string, unknown>): string[] {
  return sortedEntries(evidence).map(([k, v]) => `${k}=${valueText(v)}`);
}

type Evidence = Readonly<Record<string, unknown>>;

/**
 * Words for one requirement kind's evidence: sentences, and the evidence keys they consumed (any
 * other key still reaches the reader, through {@link otherWords}).
 */
interface KindWords {
  keys: readonly string[];
  words(e: Evidence): string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap((x) => str(x) ?? []) : []);
/** `a`, `a or b`, `a, b or c`. */
const either = (xs: readonly string[]): string => (xs.length < 2 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`);
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** What a class of users can do, from the permissions requirement's access words. */
function can(who: string, access: string): string {
  if (access === 'none') return `${who} has no access`;
  return `${who} can ${access === 'read-write' ? 'read and write' : access}`;
}

const RANK: Record<string, number> = { none: 0, read: 1, write: 2, 'read-write': 2 };
/** Whether `actual` exceeds `allowed` as the permissions requirement judges it (write is not read). */
const exceeds = (actual: string, allowed: string | undefined): boolean =>
  allowed === undefined || (RANK[actual] ?? 0) > (RANK[allowed] ?? 0) || (actual === 'write' && allowed === 'read');

/** One entry per requirement kind (src/policy/requirements), keyed by the finding's `requirement`. */
const KINDS: Record<string, KindWords> = {
  location: {
    keys: ['authorized', 'container'],
    words(e) {
      const globs = strings(e['authorized']);
      const where =
        globs.length > 0 ? `outside the authorised locations (${globs.join(', ')})` : 'outside the authorised locations (the contract authorises none)';
      const container = str(e['container']);
      return [container ? `held in ${container}, which lies ${where}` : `stored ${where}`];
    },
  },
  permissions: {
    keys: ['mode', 'group', 'world', 'allowed'],
    words(e) {
      const allowed = record(e['allowed']);
      const classes = (['group', 'world'] as const).flatMap((who) => {
        const access = str(e[who]);
        return access ? [{ who, access, over: exceeds(access, str(allowed[who])) }] : [];
      });
      const over = classes.filter((c) => c.over);
      const shown = (over.length > 0 ? over : classes).map((c) => can(c.who, c.access));
      const mode = str(e['mode']);
      const head = [mode ? `mode ${mode}` : 'file mode', shown.join(', ')].filter(Boolean).join(': ');
      const rule = (['group', 'world'] as const).flatMap((who) => (str(allowed[who]) ? [`${who} ${str(allowed[who])}`] : []));
      return [rule.length > 0 ? `${head}; the contract allows ${rule.join(', ')}` : head];
    },
  },
  retention: {
    keys: ['ageDays', 'maxAgeDays', 'date', 'dateSource', 'measuredTo'],
    words(e) {
      const age = str(e['ageDays']);
      const date = str(e['date'])?.slice(0, 10);
      const source = str(e['dateSource']);
      const to = str(e['measuredTo']);
      const max = str(e['maxAgeDays']);
      const kept = [
        age ? `kept ${age} days` : 'kept too long',
        date ? `dated ${date}${source ? ` by its ${source}` : ''}` : '',
        to ? `measured to the ${to}` : '',
      ].filter(Boolean);
      return [max ? `${kept.join(', ')}; the contract allows ${max} days` : kept.join(', ')];
    },
  },
  encryption: {
    keys: ['encryption', 'accept'],
    words(e) {
      const accept = strings(e['accept']);
      const status = `stored with encryption status ${str(e['encryption']) ?? 'unknown'}`;
      return [accept.length > 0 ? `${status}; the contract accepts ${either(accept)}` : status];
    },
  },
  'no-archives': {
    keys: ['archives'],
    words(e) {
      const chain = strings(e['archives']);
      if (chain.length === 0) return ['packed inside an archive'];
      return [chain.length === 1 ? `packed inside the archive ${chain[0]}` : `packed inside nested archives: ${chain.join(', within it ')}`];
    },
  },
  'max-copies': {
    keys: ['count', 'max', 'byClass', 'distinctReferences'],
    words(e) {
      const byClass = sortedEntries(record(e['byClass'])).map(([cls, n]) => `${str(n) ?? '?'} ${cls}`);
      const refs = str(e['distinctReferences']);
      const max = str(e['max']);
      const count = `${str(e['count']) ?? 'too many'} agency items outside the authorised locations${byClass.length > 0 ? ` (${byClass.join(', ')})` : ''}`;
      const copies = refs ? `${count}, copies of ${refs} distinct agency references` : count;
      return [max ? `${copies}; the contract allows at most ${max}` : copies];
    },
  },
  'public-access': {
    keys: ['grants'],
    words: (e) => [`readable by ${strings(e['grants']).join(', ') || 'the public'}`],
  },
  'no-logs': {
    keys: ['records', 'format'],
    words: (e) => [`${str(e['records']) ?? 'agency'} distinct agency plates written to a free-text log (the plates themselves are never reported)`],
  },
};

/** How an item was recognised as agency data, from a finding's `method` evidence. */
const METHOD_WORDS: Record<string, string> = {
  exact: 'identified by an exact content match',
  perceptual: 'identified by a visual (perceptual) match',
  record: 'identified by its agency plate records',
  metadata: 'identified by an agency marker in its metadata',
  unverifiable: 'possibly agency data (could not be verified)',
};

/** A camelCase evidence key as words (`distinctReferences` -> `distinct references`). */
const keyWords = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** Any value as words: lists joined, maps as `key value` pairs, never JSON. */
function valueWords(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueWords).join(', ');
  if (value && typeof value === 'object') {
    return sortedEntries(value as Record<string, unknown>)
      .map(([k, v]) => `${keyWords(k)} ${valueWords(v)}`)
      .join(', ');
  }
  return String(value);
}

/** Identification evidence that may ride along with any finding, in words. */
const FIELD_WORDS: Record<string, (value: string) => string> = {
  sha256: (v) => `content SHA-256 ${v}`,
  md5: (v) => `content MD5 ${v}`,
  distance: (v) => `visual distance ${v} from the agency's image`,
  records: (v) => `${v} agency plate records`,
};

/** Evidence no kind's words consumed: one phrase each, in words (`key: value` for keys custody does not know), sorted by key. */
function otherWords(evidence: Evidence, used: ReadonlySet<string>): string[] {
  return sortedEntries(evidence)
    .filter(([k]) => !used.has(k))
    .map(([k, v]) => FIELD_WORDS[k]?.(valueWords(v)) ?? `${keyWords(k)}: ${valueWords(v)}`);
}

/**
 * A finding's evidence as phrases a compliance officer reads ("mode 0644: world can read; the
 * contract allows group read, world none"), one function per requirement kind, shared by pretty,
 * Markdown and HTML; unescaped (callers escape for their medium). Evidence is redacted upstream and
 * holds no plate and no image bytes; this only words it. `method: false` leaves out how the item
 * was identified (for a caller that says it once per location).
 */
export function evidenceWords(finding: Pick<Finding, 'requirement' | 'evidence'>, options: { method?: boolean } = {}): string[] {
  const kind = KINDS[finding.requirement];
  const used = new Set(['method', ...(kind?.keys ?? [])]);
  const present = kind?.keys.some((k) => k in finding.evidence) ?? false;
  const method = str(finding.evidence['method']);
  return [
    ...(kind && present ? kind.words(finding.evidence) : []),
    ...otherWords(finding.evidence, used),
    ...(method && options.method !== false ? [METHOD_WORDS[method] ?? `identified by ${method}`] : []),
  ];
}

/** How an agency item was identified, in words (`exact` -> "identified by an exact content match"). */
export function methodWords(method: string): string {
  return METHOD_WORDS[method] ?? `identified by ${method}`;
}

/** Byte count for humans (binary units, one decimal). */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Wall time between two ISO timestamps, in seconds with millisecond precision. */
export function durationSeconds(startedAt: string, finishedAt: string): string {
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : 'unknown';
}
