import { createHash } from 'node:crypto';
import type { Asset, Finding, Report } from '../../src/report/model.js';

/** Deterministic stand-in digests: the SHA-256 of a label, so fixtures read like real reports. */
function digest(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

/**
 * A file name built to break every format: a newline, an ANSI OSC sequence that would retitle a
 * terminal, a bidi override that reverses the extension, HTML that would run script, and a leading
 * `=` that spreadsheets execute (the file sits at the scan root, so the location starts with it).
 */
export const HOSTILE_LOCATION = '=HYPERLINK("http://evil.example")\n\u001b]0;pwned\u0007<img src=x onerror=alert(1)>\u202egpj.jpg';
/** A second hostile name that tries to close the HTML report's data block. */
export const SCRIPT_LOCATION = 'incoming/</script><script>alert(1)</script>.jpg';

const REF_A = 'lane3/2026-03-01/cap-000117.jpg';
const REF_B = 'lane3/2026-03-01/cap-000118.jpg';
const REF_T = 'travelers/2026-03-01/booth2-0042.jpg';

function asset(location: string, origin: Asset['origin'], cls: string, reference: string | undefined, extra: Partial<Asset> = {}): Asset {
  return {
    location,
    origin,
    asset: cls,
    method: 'exact',
    ...(reference ? { reference, sha256: digest(reference) } : {}),
    size: 48_213,
    evidence: reference ? { sha256: digest(reference) } : {},
    ...extra,
  };
}

function finding(
  ruleId: string,
  requirement: string,
  clause: string,
  severity: Finding['severity'],
  location: string,
  message: string,
  extra: Partial<Finding> = {},
): Finding {
  const level = severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
  return {
    ruleId,
    requirement,
    clause,
    severity,
    level,
    location,
    message,
    evidence: {},
    fingerprint: digest(`${ruleId}\0${location}`),
    ...extra,
  };
}

/**
 * A realistic final report of a land-border vehicle-lane camera subcontract audit: several clauses
 * (violated, waived, passed, not evaluated), archive members, an S3 object, coverage gaps, notices,
 * an expired waiver and hostile file names. Shared by every reporter's snapshot and targeted tests.
 */
export function sampleReport(): Report {
  const assets: Asset[] = [
    asset('secure-enclave/captures/2026-03-01/cap-000117.jpg', 'filesystem', 'vehicle-image', REF_A),
    asset('corp-share/Marketing/lane3 photo (1).jpg', 'filesystem', 'vehicle-image', REF_A),
    asset('backups/2026-q1.zip!/captures/cap-000117.jpg', 'archive', 'vehicle-image', REF_A),
    asset('s3://contractor-exports/daily/2026/03/cap 000118.jpg', 'manifest', 'vehicle-image', REF_B),
    asset('secure-enclave/travelers/booth2-0042.jpg', 'filesystem', 'traveler-image', REF_T),
    asset('laptops/jdoe/Desktop/IMG_0042.JPG', 'filesystem', 'traveler-image', REF_T, {
      method: 'perceptual',
      evidence: { distance: 12, quality: 94, variant: 'resized' },
    }),
    asset('laptops/jdoe/Desktop/plates-march.csv', 'filesystem', 'plate-record', undefined, {
      method: 'record',
      evidence: { records: 214, column: 'plate', digest: 'hmac-sha256:key-7f3a' },
    }),
    asset(HOSTILE_LOCATION, 'filesystem', 'vehicle-image', REF_B),
    asset(SCRIPT_LOCATION, 'filesystem', 'vehicle-image', REF_B),
  ];
  const findings: Finding[] = [
    finding('VOL-1', 'max-copies', '7.1', 'critical', 'corp-share', '5 agency items are outside the authorised enclave (limit 3): a reportable breach.', {
      evidence: { count: 5, limit: 3 },
    }),
    finding('LOC-1', 'location', '4.2', 'high', 'corp-share/Marketing/lane3 photo (1).jpg', 'Vehicle image stored outside the authorised enclave.', {
      asset: 'vehicle-image',
      reference: REF_A,
      evidence: { method: 'exact', sha256: digest(REF_A) },
      baseline: 'unchanged',
    }),
    finding('LOC-1', 'location', '4.2', 'high', 'laptops/jdoe/Desktop/IMG_0042.JPG', 'Traveler image stored outside the authorised enclave (on a laptop).', {
      asset: 'traveler-image',
      reference: REF_T,
      evidence: { method: 'perceptual', distance: 12 },
      baseline: 'new',
    }),
    finding('LOC-1', 'location', '4.2', 'high', 'laptops/jdoe/Desktop/plates-march.csv', 'Plate records (214 reads) stored outside the authorised enclave.', {
      asset: 'plate-record',
      evidence: { method: 'record', records: 214 },
      baseline: 'new',
    }),
    finding('LOC-1', 'location', '4.2', 'high', HOSTILE_LOCATION, 'Vehicle image stored outside the authorised enclave.', {
      asset: 'vehicle-image',
      reference: REF_B,
      evidence: { method: 'exact' },
      baseline: 'new',
    }),
    finding('LOC-1', 'location', '4.2', 'high', SCRIPT_LOCATION, 'Vehicle image stored outside the authorised enclave.', {
      asset: 'vehicle-image',
      reference: REF_B,
      evidence: { method: 'exact' },
      baseline: 'new',
    }),
    finding('ARC-1', 'no-archives', '4.3', 'high', 'backups/2026-q1.zip!/captures/cap-000117.jpg', 'Vehicle image inside an archive outside the enclave.', {
      asset: 'vehicle-image',
      reference: REF_A,
      evidence: { archiveChain: ['backups/2026-q1.zip'] },
      waiver: { id: 'W-2026-04', reason: 'Quarterly backup pending destruction certificate', approver: 'contracting officer', expires: '2026-12-31' },
    }),
    finding('PERM-1', 'permissions', '5.1', 'medium', 'corp-share/Marketing/lane3 photo (1).jpg', 'World-readable agency file (mode 0644).', {
      asset: 'vehicle-image',
      reference: REF_A,
      evidence: { mode: '0644' },
    }),
    finding('RET-1', 'retention', '6.1', 'medium', 'laptops/jdoe/Desktop/plates-march.csv', 'Kept 87 days, beyond the 30-day retention limit.', {
      asset: 'plate-record',
      evidence: { ageDays: 87, maxDays: 30, dateUsed: 'mtime', date: '2026-03-02T08:14:00.000Z' },
    }),
    finding(
      'ENC-1',
      'encryption',
      '5.2',
      'low',
      's3://contractor-exports/daily/2026/03/cap 000118.jpg',
      'Cloud object stored without server-side encryption (NOT-SSE).',
      {
        asset: 'vehicle-image',
        reference: REF_B,
        evidence: { encryption: 'NOT-SSE' },
      },
    ),
  ];
  return {
    format: 'custody-report',
    version: 1,
    tool: { name: 'custody', version: '0.1.0' },
    policy: {
      id: 'cbp-lane-cameras-2026',
      title: 'Land-border vehicle-lane camera subcontract',
      agency: 'Border Agency',
      digest: `sha256:${digest('policy')}`,
      builtin: false,
    },
    fingerprints: [{ digest: `sha256:${digest('fingerprints')}`, references: 3, plateKeyId: 'key-7f3a' }],
    inputs: ['contractor-share', 'exports/inventory.csv'],
    startedAt: '2026-05-28T09:00:00.000Z',
    finishedAt: '2026-05-28T09:00:04.250Z',
    summary: {
      filesSeen: 12_408,
      filesInspected: 12_391,
      filesSkipped: 17,
      bytesSeen: 9_876_543_210,
      bytesRead: 1_234_567,
      assetsByClass: { 'vehicle-image': 6, 'traveler-image': 2, 'plate-record': 1 },
      assetsByMethod: { exact: 7, perceptual: 1, record: 1 },
      findingsBySeverity: { critical: 1, high: 6, medium: 2, low: 1 },
      waived: 1,
      plates: { status: 'checked' },
      incompleteReasons: ['3 items NOT inspected, see coverage'],
      incomplete: true,
    },
    protocols: [
      {
        id: 'LOC-1',
        clause: '4.2',
        title: 'Agency data only in the authorised enclave',
        requirement: 'location',
        severity: 'high',
        level: 'error',
        remediation: 'Move the copy into the enclave or destroy it, and record the destruction.',
      },
      { id: 'ARC-1', clause: '4.3', title: 'No agency data inside archives outside the enclave', requirement: 'no-archives', severity: 'high', level: 'error' },
      { id: 'PERM-1', clause: '5.1', title: 'No group or world access to agency data', requirement: 'permissions', severity: 'medium', level: 'warning' },
      { id: 'ENC-1', clause: '5.2', title: 'Cloud copies encrypted at rest', requirement: 'encryption', severity: 'low', level: 'note' },
      {
        id: 'ENC-2',
        clause: '5.3',
        title: 'Laptop disks encrypted',
        requirement: 'encryption',
        severity: 'medium',
        level: 'warning',
        notEvaluated: 'encryption is not knowable on a plain filesystem',
      },
      { id: 'RET-1', clause: '6.1', title: 'Destroy captures after 30 days', requirement: 'retention', severity: 'medium', level: 'warning' },
      {
        id: 'VOL-1',
        clause: '7.1',
        title: 'More than 3 copies outside the enclave is a breach',
        requirement: 'max-copies',
        severity: 'critical',
        level: 'error',
      },
      { id: 'BAK-1', clause: '8.1', title: 'No agency data on corporate backups & <tapes>', requirement: 'location', severity: 'high', level: 'error' },
    ],
    clauses: [
      { id: '4.2', title: 'Storage location', mandatory: true, verdict: 'violated', protocols: ['LOC-1'] },
      { id: '4.3', title: 'Archives', mandatory: true, verdict: 'waived', protocols: ['ARC-1'] },
      { id: '5.1', title: 'Access control', mandatory: true, verdict: 'violated', protocols: ['PERM-1'] },
      { id: '5.2', title: 'Encryption at rest', mandatory: false, verdict: 'violated', protocols: ['ENC-1'] },
      {
        id: '5.3',
        title: 'Laptop encryption',
        mandatory: true,
        verdict: 'not-evaluated',
        protocols: ['ENC-2'],
        reason: 'encryption is not knowable on a plain filesystem',
      },
      { id: '6.1', title: 'Retention', mandatory: true, verdict: 'violated', protocols: ['RET-1'] },
      { id: '7.1', title: 'Breach volume', mandatory: true, verdict: 'violated', protocols: ['VOL-1'] },
      {
        id: '8.1',
        title: 'Backups',
        mandatory: true,
        verdict: 'passed-on-inspected',
        protocols: ['BAK-1'],
        reason: '3 items NOT inspected, see coverage',
        notInspected: 3,
      },
      {
        id: '9.4',
        title: 'Key custody | "HSM" <only>',
        mandatory: true,
        verdict: 'not-evaluated',
        protocols: [],
        reason: 'no protocol cites this clause; key custody is not observable in a file share',
      },
    ],
    assets,
    findings,
    expiredWaivers: [{ id: 'W-2025-11', protocol: 'PERM-1', location: 'corp-share/**', expires: '2026-01-31', approver: 'security officer', wouldCover: 1 }],
    coverage: [
      { location: 'corp-share/locked', reason: 'unreadable', detail: 'EACCES: permission denied', incomplete: true },
      { location: 'dev/lane3.fifo', reason: 'special-file', detail: 'FIFO', incomplete: false },
      { location: 'corp-share/latest', reason: 'symlink', incomplete: false },
      { location: 'backups/full-2025.tar', reason: 'too-large', detail: '68 GB exceeds --max-size 4 GB', incomplete: true },
      { location: 'incoming/bad\u001b[2J.jpg', reason: 'unreadable', detail: 'EIO', incomplete: true },
    ],
    notices: [
      {
        location: 'exports/inventory.csv',
        level: 'warning',
        message: 'S3 inventory lists 12 objects with multipart ETags: exact matching used sizes only for them.',
      },
      { level: 'info', message: 'Plate digests keyed with key id key-7f3a.' },
    ],
  };
}

/**
 * The sample with an empty `protocols` list (a built-in policy writer that knows none): reporters
 * must still name a rule for every finding and show every clause.
 */
export function sampleReportWithoutProtocols(): Report {
  return { ...sampleReport(), protocols: [] };
}

/** A clean audit: nothing found, every clause passed or not evaluated, nothing skipped. */
export function cleanReport(): Report {
  const base = sampleReport();
  return {
    ...sampleReportWithoutProtocols(),
    summary: {
      ...base.summary,
      filesSkipped: 0,
      assetsByClass: { 'vehicle-image': 1 },
      assetsByMethod: { exact: 1 },
      findingsBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
      waived: 0,
      incompleteReasons: [],
      incomplete: false,
    },
    clauses: base.clauses.map((c) =>
      c.verdict === 'not-evaluated' ? c : { id: c.id, title: c.title, mandatory: c.mandatory, protocols: c.protocols, verdict: 'passed' as const },
    ),
    assets: base.assets.slice(0, 1),
    findings: [],
    expiredWaivers: [],
    coverage: [],
    notices: [],
  };
}
