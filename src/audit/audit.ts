import os from 'node:os';
import type { FingerprintIndex } from '../fingerprint/index-set.js';
import { DEFAULT_DETECT_LIMITS, type DetectLimits, type Detector } from '../identify/detector.js';
import { DETECTORS } from '../identify/registry.js';
import { evaluate } from '../evaluate/evaluate.js';
import type { Subject } from '../evaluate/requirement.js';
import type { LoadedPolicy } from '../policy/load.js';
import { locationMatcher } from '../policy/locations.js';
import type { Report } from '../report/model.js';
import type { CoverageEntry, Notice, Origin, SourceEvent } from '../sources/item.js';
import { assemble } from './assemble.js';
import { shardOf } from './shard.js';
import { AUDIT_SCOPE } from '../evaluate/requirement.js';
import { plateRedactor, redactDeep } from '../postprocess/redact.js';
import { countingContent, Tally } from './tally.js';
import { inspectItem, type Inspection } from './inspect.js';
import { forEachConcurrent } from './pool.js';
import { subjectOf } from './subject.js';
import { sourcesFor, type ArchiveHook, type ManifestInput, type ManifestReader } from './sources.js';

/** Everything an audit needs; the CLI builds it from flags, tests build it directly. */
export interface AuditRequest {
  /** Directories to walk. */
  roots: readonly string[];
  /** Export manifests to audit without the objects' bytes. */
  manifests?: readonly ManifestInput[];
  /** Reads manifests into items (src/sources/manifests). */
  readManifest?: ManifestReader;
  policy: LoadedPolicy;
  fingerprints: FingerprintIndex;
  include?: readonly string[];
  exclude?: readonly string[];
  plateKey?: Buffer;
  /** Audit time (retention is measured to it); defaults to the wall clock. */
  now?: Date;
  /** Items inspected at once. */
  concurrency?: number;
  limits?: DetectLimits;
  /** Looks inside archives; undefined turns archive expansion off. */
  archives?: ArchiveHook;
  /** Inspect only the items of shard `index` of `count` (1-based), by a hash of their location. */
  shard?: { index: number; count: number };
  /** Called after each item, for progress displays. */
  onItem?: (tally: Readonly<Tally>) => void;
}

/** Runs one audit and returns the finished (unredacted, sorted) report. Never prints. */
export async function runAudit(request: AuditRequest): Promise<Report> {
  const startedAt = new Date();
  const now = request.now ?? startedAt;
  const notices: Notice[] = [];
  const limits = request.limits ?? DEFAULT_DETECT_LIMITS;
  const detectors = DETECTORS.flatMap((factory) => {
    const detector = factory.create({
      fingerprints: request.fingerprints,
      markers: request.policy.doc.assets.markers,
      limits,
      ...(request.plateKey ? { plateKey: request.plateKey } : {}),
      notice: (n) => notices.push(n),
    });
    return detector ? [detector] : [];
  });
  const wantMedia = detectors.some((d) => d.needsMedia) || request.archives !== undefined;
  const isAuthorized = locationMatcher(request.policy.doc.locations.authorized);

  const tally = new Tally();
  const coverage: CoverageEntry[] = [];
  const subjects: Subject[] = [];
  const origins = new Set<Origin>();

  const consider = async (inspection: Inspection, containerMode: number | undefined): Promise<void> => {
    coverage.push(...inspection.coverage);
    tally.count(inspection.item, inspection.coverage);
    origins.add(inspection.item.origin);
    const subject = await subjectOf(inspection, isAuthorized, containerMode);
    if (subject) subjects.push(subject);
    request.onItem?.(tally);
  };

  const inShard = (location: string): boolean => !request.shard || shardOf(location, request.shard.count) === request.shard.index;
  const handle = async (event: SourceEvent): Promise<void> => {
    if (event.kind === 'notice') return void notices.push(event.notice);
    if (!inShard(event.kind === 'item' ? event.item.location : event.entry.location)) return;
    if (event.kind === 'coverage') {
      coverage.push(event.entry);
      tally.countUninspected(event.entry);
      return;
    }
    const item = event.item.content ? { ...event.item, content: countingContent(event.item.content, tally) } : event.item;
    const inspection = await inspectItem(item, detectors, wantMedia);
    await consider(inspection, undefined);
    if (request.archives && inspection.media && request.archives.handles(inspection.media)) {
      await expand(request.archives, inspection, detectors, wantMedia, consider, coverage, tally, notices);
    }
  };

  await forEachConcurrent(sourcesFor(request), request.concurrency ?? defaultConcurrency(), handle);

  const ctx = { now, authorized: request.policy.doc.locations.authorized, isAuthorized, origins, scope: AUDIT_SCOPE };
  const evaluation = evaluate(request.policy.doc, subjects, ctx);
  const report = assemble({
    policy: request.policy,
    fingerprints: request.fingerprints.sets.map((s) => ({
      digest: s.file.digest,
      references: s.file.references.length,
      ...(s.file.plates ? { plateKeyId: s.file.plates.keyId } : {}),
    })),
    inputs: [...request.roots, ...(request.manifests ?? []).map((m) => m.path)],
    now,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    assets: subjects.map((s) => s.asset),
    findings: evaluation.findings,
    notEvaluated: evaluation.notEvaluated,
    coverage,
    notices,
    counts: tally.counts(),
  });
  if (request.shard) report.shard = { ...request.shard, now: now.toISOString(), policy: request.policy.doc };
  // Redaction happens once, here, on the shared model: no report format can leak what another masks.
  const redact = plateRedactor(request.fingerprints, request.plateKey);
  return redact ? redactDeep(report, redact) : report;
}

/** Runs every detector on each archive member; members are inspected one by one, in archive order. */
async function expand(
  archives: ArchiveHook,
  outer: Inspection,
  detectors: readonly Detector[],
  wantMedia: boolean,
  consider: (inspection: Inspection, containerMode: number | undefined) => Promise<void>,
  coverage: CoverageEntry[],
  tally: Tally,
  notices: Notice[],
): Promise<void> {
  const containerMode = outer.item.origin === 'filesystem' ? outer.item.mode : undefined;
  try {
    for await (const event of archives.expand(outer.item, outer.media!)) {
      if (event.kind === 'notice') notices.push(event.notice);
      else if (event.kind === 'coverage') {
        coverage.push(event.entry);
        tally.countUninspected(event.entry);
      } else {
        const member = event.item.content ? { ...event.item, content: countingContent(event.item.content, tally) } : event.item;
        await consider(await inspectItem(member, detectors, wantMedia), containerMode);
      }
    }
  } catch (error) {
    coverage.push({ location: outer.item.location, reason: 'corrupt-archive', detail: String((error as Error)?.message ?? error).split('\n')[0], incomplete: true });
  }
}

function defaultConcurrency(): number {
  return Math.max(4, os.availableParallelism() * 4);
}
