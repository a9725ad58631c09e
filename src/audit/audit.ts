import os from 'node:os';
import type { CachedEntry, ExpansionEvent } from '../cache/entry.js';
import { type CacheOptions, type CacheStats, InspectionCache } from '../cache/inspection-cache.js';
import { cacheIdentity, sealKeyFor } from '../cache/key.js';
import { evaluate } from '../evaluate/evaluate.js';
import type { Subject } from '../evaluate/requirement.js';
import { AUDIT_SCOPE } from '../evaluate/requirement.js';
import { DEFAULT_DETECT_LIMITS, type DetectLimits, type Detector } from '../identify/detector.js';
import { plateKeyId } from '../identify/plates/key.js';
import { PLATE_RECORD_ASSET, recordDetector } from '../identify/records.js';
import { DETECTORS } from '../identify/registry.js';
import type { LoadedPolicy } from '../policy/load.js';
import { locationMatcher } from '../policy/locations.js';
import { plateRedactor, redactDeep } from '../postprocess/redact.js';
import type { FingerprintIndex } from '../references/index-set.js';
import type { Report } from '../report/model.js';
import type { ArchiveHook } from '../sources/archives-on-disk.js';
import type { CoverageEntry, Item, Notice, SourceEvent } from '../sources/item.js';
import { cacheScope, estimateInputs, inputNames, type SourceInput, type SourceRegistry, sourceEvents } from '../sources/registry.js';
import type { Fact } from '../sources/source.js';
import { forEachConcurrent } from '../util/pool.js';
import { assemble } from './assemble.js';
import { counted, expand } from './expand-archive.js';
import { type Inspection, inspectItem } from './inspect.js';
import { plateCheck, uncheckedClasses } from './plate-check.js';
import { shardOf } from './shard.js';
import { settleFacts, subjectOf } from './subject.js';
import { Tally } from './tally.js';

/** Everything an audit needs; the CLI builds it from flags, tests build it directly. */
export interface AuditRequest {
  /** What to audit, read in this order: each input names its source (src/sources/registry.ts). */
  inputs: readonly SourceInput[];
  /** The registry the inputs' sources are taken from; default SOURCES. A test may swap one source. */
  sources?: SourceRegistry;
  /**
   * The inputs as the report names them (as the user gave them, not this machine's absolute paths);
   * default as each source names its input. Named here so that redaction masks them with the rest.
   */
  inputNames?: readonly string[];
  policy: LoadedPolicy;
  fingerprints: FingerprintIndex;
  plateKey?: Buffer;
  /** Audit time (retention is measured to it); defaults to the wall clock. */
  now?: Date;
  /** Items inspected at once. */
  concurrency?: number;
  /** Threads for perceptual matching; default the cores, at most `concurrency`; 1 matches on this thread. */
  threads?: number;
  limits?: DetectLimits;
  /** Looks inside archives; undefined turns archive expansion off. */
  archives?: ArchiveHook;
  /** Inspect only the items of shard `index` of `count` (1-based), by a hash of their location. */
  shard?: { index: number; count: number };
  /**
   * The re-audit cache (src/cache): files on disk unchanged since an earlier audit with the same
   * settings are not read again. Off when undefined. Never changes the report.
   */
  cache?: CacheOptions;
  /**
   * Do not check plate records although the fingerprint sets hold plate digests (`--no-plates`):
   * the report says so, and the audit is not incomplete on that account.
   */
  skipPlates?: boolean;
  /** An audit that meets no file or object is complete (`--allow-empty`); by default it is incomplete. */
  allowEmpty?: boolean;
  /** Count the inputs' entries ahead, for a progress display's ETA (when every source can; one listing per directory, no stat). */
  estimate?: boolean;
  /** Called when the audit moves from inspecting items to evaluating the policy. */
  onPhase?: (phase: 'evaluating') => void;
  /** Called after each item, for progress displays. */
  onItem?: (tally: Readonly<Tally>, cache?: Readonly<CacheStats>) => void;
}

/** Runs one audit and returns the finished report: waivers applied, plates redacted, sorted. Never prints. */
export async function runAudit(request: AuditRequest): Promise<Report> {
  const startedAt = new Date();
  const now = request.now ?? startedAt;
  const notices: Notice[] = [];
  const limits = request.limits ?? DEFAULT_DETECT_LIMITS;
  const concurrency = request.concurrency ?? defaultConcurrency();
  const plateGap = plateCheck(request.fingerprints, request.plateKey, request.skipPlates === true);
  const plates = plateGap.check;
  // Without a usable key (or by request) the record detector has nothing to do; the plate check reports the gap.
  const noRecords = plateGap.noneChecked;
  const factories = noRecords ? DETECTORS.filter((factory) => factory.id !== recordDetector.id) : DETECTORS;
  const detectors = factories.flatMap((factory) => {
    const detector = factory.create({
      fingerprints: request.fingerprints,
      markers: request.policy.doc.assets.markers,
      limits,
      threads: request.threads ?? Math.min(concurrency, os.availableParallelism()),
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
  // What the sources of the items met can know: a requirement that needs another fact is not evaluable.
  const knows = new Set<Fact>();
  const cache = request.cache ? await openCache(request, request.cache, detectors, wantMedia, limits, startedAt) : undefined;
  // A hook that does not state its limits could expand differently next time: its archives are not cached.
  const cacheArchives = request.archives?.settings !== undefined;

  /** Counts an inspection and makes it a subject; false when its facts could not all be read. */
  const consider = async (inspection: Inspection, containerMode: number | undefined): Promise<boolean> => {
    coverage.push(...inspection.coverage);
    tally.count(inspection.item, inspection.coverage);
    for (const fact of inspection.item.known?.knows ?? []) knows.add(fact);
    const settled = await settleFacts(inspection);
    const subject = subjectOf(inspection, isAuthorized, containerMode);
    if (subject) subjects.push(subject);
    request.onItem?.(tally, cache?.stats);
    return settled;
  };
  const uninspected = (entry: CoverageEntry): void => {
    coverage.push(entry);
    tally.countUninspected(entry);
  };

  /** Stands in for inspecting an unchanged file (and expanding it, for an archive): nothing is read. */
  const replay = async (item: Item, entry: CachedEntry): Promise<void> => {
    const { content: _unread, ...file } = item;
    const { media, identifications, facts } = entry;
    await consider({ item: file, ...(media ? { media } : {}), identifications, facts, coverage: entry.coverage }, undefined);
    for (const event of entry.expansion ?? []) {
      if (event.kind === 'notice') notices.push(event.notice);
      else if (event.kind === 'coverage') uninspected(event.entry);
      else {
        const { media: memberMedia, ...conclusion } = event.conclusion;
        await consider({ item: { ...event.member, origin: 'archive' }, ...(memberMedia ? { media: memberMedia } : {}), ...conclusion }, item.mode);
      }
    }
  };

  const inShard = (location: string): boolean => !request.shard || shardOf(location, request.shard.count) === request.shard.index;
  const handle = async (event: SourceEvent): Promise<void> => {
    if (event.kind === 'notice') return void notices.push(event.notice);
    if (!inShard(event.kind === 'item' ? event.item.location : event.entry.location)) return;
    if (event.kind === 'coverage') {
      if (event.entry.reason !== 'unreadable-directory') tally.entriesSeen++;
      return uninspected(event.entry);
    }
    tally.entriesSeen++;
    const recalled = cache?.recall(event.item);
    if (recalled) return replay(event.item, recalled);
    const read = { bytesRead: 0 };
    const item = event.item.content ? { ...event.item, content: counted(event.item.content, tally, read) } : event.item;
    const inspection = await inspectItem(item, detectors, wantMedia);
    let settled = await consider(inspection, undefined);
    let expansion: ExpansionEvent[] | undefined;
    const isArchive = request.archives !== undefined && inspection.media !== undefined && request.archives.handles(inspection.media);
    if (isArchive) {
      expansion = cache && cacheArchives ? [] : undefined;
      settled = (await expand(request.archives!, inspection, detectors, wantMedia, { consider, uninspected, notices, tally, read }, expansion)) && settled;
    }
    if (cache && settled && (!isArchive || expansion)) {
      const { media, identifications, facts } = inspection;
      cache.remember(event.item, {
        ...(media ? { media } : {}),
        identifications,
        facts,
        coverage: inspection.coverage,
        bytesRead: read.bytesRead,
        ...(expansion ? { expansion } : {}),
      });
    }
  };

  if (request.estimate) void estimateEntries(request, tally);
  try {
    await forEachConcurrent(sourceEvents(request.inputs, request.sources), concurrency, handle);
  } finally {
    await Promise.all(detectors.map((d) => d.close?.()));
  }
  request.onPhase?.('evaluating');
  await cache?.save();

  const ctx = {
    now,
    authorized: request.policy.doc.locations.authorized,
    isAuthorized,
    knows,
    scope: AUDIT_SCOPE,
    unchecked: uncheckedClasses(plateGap, PLATE_RECORD_ASSET),
  };
  const evaluation = evaluate(request.policy.doc, subjects, ctx);
  const report = assemble({
    policy: request.policy,
    fingerprints: request.fingerprints.sets.map((s) => ({
      digest: s.file.digest,
      references: s.file.references.length,
      ...(s.file.plates ? { plateKeyId: s.file.plates.keyId } : {}),
    })),
    inputs: [...(request.inputNames ?? inputNames(request.inputs, request.sources))],
    now,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    assets: subjects.map((s) => s.asset),
    findings: evaluation.findings,
    notEvaluated: evaluation.notEvaluated,
    coverage,
    notices,
    // Bytes a replayed file took when it was inspected count as read: warm and cold reports agree.
    counts: { ...tally.counts(), bytesRead: tally.bytesRead + (cache?.stats.bytesRecalled ?? 0) },
    plates,
    // One shard may well get no item of a small share: whether the audit met nothing is the merge's
    // to decide, on every shard's count (the flag travels in the shard data).
    allowEmpty: request.allowEmpty === true || request.shard !== undefined,
  });
  if (request.shard) {
    report.shard = {
      ...request.shard,
      now: now.toISOString(),
      policy: request.policy.doc,
      ...(request.allowEmpty ? { allowEmpty: true } : {}),
      // The merge re-evaluates on the union of shards: it needs what their sources could know.
      knows: [...knows].sort(),
    };
  }
  // Redaction happens once, here, on the shared model: no report format can leak what another masks.
  const redact = plateRedactor(request.fingerprints, request.plateKey);
  return redact ? redactDeep(report, redact) : report;
}

/** Loads the cache for this audit's settings and scope; a cache that cannot be keyed is off, with a notice. */
async function openCache(
  request: AuditRequest,
  options: CacheOptions,
  detectors: readonly Detector[],
  wantMedia: boolean,
  limits: DetectLimits,
  startedAt: Date,
): Promise<InspectionCache | undefined> {
  const identity = await cacheIdentity(
    {
      detectors: detectors.map((d) => d.id),
      wantMedia,
      fingerprints: request.fingerprints.sets.map((s) => s.file.digest),
      markers: request.policy.doc.assets.markers,
      plateKeyId: request.plateKey ? plateKeyId(request.plateKey) : null,
      limits,
      archives: request.archives ? (request.archives.settings ?? 'uncached') : 'off',
    },
    { roots: cacheScope(request.inputs, request.sources), shard: request.shard },
  );
  return InspectionCache.open(options, identity, sealKeyFor(request.plateKey), startedAt.getTime());
}

/** Counts the inputs' entries alongside the audit; a shard expects its share. Failures leave no estimate. */
async function estimateEntries(request: AuditRequest, tally: Tally): Promise<void> {
  const total = await estimateInputs(request.inputs, request.sources).catch(() => undefined);
  if (total === undefined) return;
  tally.entriesExpected = request.shard ? Math.round(total / request.shard.count) : total;
}

function defaultConcurrency(): number {
  return Math.max(4, os.availableParallelism() * 4);
}
