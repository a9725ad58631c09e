import os from 'node:os';
import type { CacheOptions, CacheStats, InspectionCache } from '../cache/inspection-cache.js';
import { openAuditCache } from '../cache/open.js';
import { type Evaluation, evaluate } from '../evaluate/evaluate.js';
import { AUDIT_SCOPE } from '../evaluate/requirement.js';
import type { DetectLimits } from '../identify/detector.js';
import type { LoadedPolicy } from '../policy/load.js';
import { locationMatcher } from '../policy/locations.js';
import { finalize } from '../postprocess/finalize.js';
import { plateRedactor } from '../postprocess/redact.js';
import type { FingerprintIndex } from '../references/index-set.js';
import type { ReferenceShare } from '../references/split.js';
import type { PlateCheck, Report } from '../report/model.js';
import type { ArchiveHook } from '../sources/archives-on-disk.js';
import { CONTAINER_FORMATS } from '../sources/containers/registry.js';
import type { Notice } from '../sources/item.js';
import { cacheScope, estimateInputs, inputNames, type SourceInput, type SourceRegistry, sourceGroups } from '../sources/registry.js';
import { forEachConcurrentInGroups } from '../util/pool.js';
import { assemble } from './assemble.js';
import { closeDetectors, type IdentifyStage, prepareDetectors } from './detectors.js';
import { InspectStage } from './inspect-stage.js';
import { SplitInspectStage, splitNotice } from './reference-split.js';
import type { Tally } from './tally.js';

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
  /** Audit time (retention is measured to it, waivers expire by it); defaults to the wall clock. */
  now?: Date;
  /**
   * Fingerprints of an earlier report's findings (postprocess/baseline.ts `loadBaseline`): each
   * finding is marked new or unchanged, and unchanged ones do not fail a build.
   */
  baseline?: ReadonlySet<string>;
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
   * The share of a reference split (`--references k/n`) that `fingerprints` holds (loaded with
   * `loadFingerprints(files, { split })`): the report says so and carries what `custody merge` needs.
   */
  references?: ReferenceShare;
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
  /** Search images no fingerprint claims for agency plates (`--read-plates`). */
  readPlates?: boolean;
  /** An audit that meets no file or object is complete (`--allow-empty`); by default it is incomplete. */
  allowEmpty?: boolean;
  /** Count the inputs' entries ahead, for a progress display's ETA (when every source can; one listing per directory, no stat). */
  estimate?: boolean;
  /** Called when the audit moves from inspecting items to evaluating the policy. */
  onPhase?: (phase: 'evaluating') => void;
  /** Called after each item, for progress displays. */
  onItem?: (tally: Readonly<Tally>, cache?: Readonly<CacheStats>) => void;
}

/**
 * Runs one audit and returns the finished report (finalize: waivers, baseline, plates redacted,
 * sorted). Never prints. The pipeline: sources -> inspect (the item loop: identify, expand, cache) ->
 * evaluate -> report -> finalize.
 */
export async function runAudit(request: AuditRequest): Promise<Report> {
  const startedAt = new Date();
  const now = request.now ?? startedAt;
  const notices: Notice[] = [];
  const concurrency = request.concurrency ?? defaultConcurrency();
  const identify = prepareDetectors({ ...request, archives: request.archives !== undefined }, concurrency, notices);
  const isAuthorized = locationMatcher(request.policy.doc.locations.authorized);
  const cache = request.cache ? await openCache(request, request.cache, identify, startedAt) : undefined;
  const settings = { identify, archives: request.archives, cache, isAuthorized, shard: request.shard, onItem: request.onItem };
  const stage = request.references ? new SplitInspectStage(settings, notices) : new InspectStage(settings, notices);
  if (request.references) notices.push(splitNotice(request.references));
  // Not opening archives is a choice the report states (as --no-plates is), never a silent pass.
  if (!request.archives) notices.push(ARCHIVES_OFF);

  if (request.estimate) void estimateEntries(request, stage.tally);
  try {
    await forEachConcurrentInGroups(sourceGroups(request.inputs, request.sources), concurrency, (event) => stage.handle(event));
  } finally {
    await closeDetectors(identify);
  }
  request.onPhase?.('evaluating');
  await cache?.save();

  const evaluation = evaluate(request.policy.doc, stage.subjects, {
    now,
    authorized: request.policy.doc.locations.authorized,
    isAuthorized,
    knows: stage.knows,
    scope: AUDIT_SCOPE,
    unchecked: identify.unchecked,
  });
  const report = reportOf(request, stage, evaluation, { startedAt, now, plates: identify.plateGap.check, bytesRecalled: cache?.stats.bytesRecalled ?? 0 });
  const redact = plateRedactor(request.fingerprints, request.plateKey);
  return finalize(report, {
    waivers: request.policy.doc.waivers,
    now,
    ...(request.baseline ? { baseline: request.baseline } : {}),
    ...(redact ? { redact } : {}),
  });
}

/** The report of an audit from what its stages produced, before finalize. */
function reportOf(
  request: AuditRequest,
  stage: InspectStage,
  evaluation: Evaluation,
  run: { startedAt: Date; now: Date; plates: PlateCheck; bytesRecalled: number },
): Report {
  const { tally, subjects, coverage, knows, notices } = stage;
  const report = assemble({
    policy: request.policy,
    fingerprints: request.fingerprints.sets.map((s) => ({
      digest: s.digest,
      references: s.columns.sizes.length,
      ...(s.plates ? { plateKeyId: s.plates.keyId } : {}),
    })),
    inputs: [...(request.inputNames ?? inputNames(request.inputs, request.sources))],
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    assets: subjects.map((s) => s.asset),
    findings: evaluation.findings,
    notEvaluated: evaluation.notEvaluated,
    coverage,
    notices,
    // Bytes a replayed file took when it was inspected count as read: warm and cold reports agree.
    counts: { ...tally.counts(), bytesRead: tally.bytesRead + run.bytesRecalled },
    plates: run.plates,
    // One shard may well get no item of a small share: whether the audit met nothing is the merge's
    // to decide, on every shard's count (the flag travels in the shard data).
    allowEmpty: request.allowEmpty === true || request.shard !== undefined,
  });
  // What a merge re-evaluates with, for a tree shard and for a reference split alike: the time, the
  // policy, the flags and what the sources could know (the merge judges on the union).
  const mergeData = {
    now: run.now.toISOString(),
    policy: request.policy.doc,
    ...(request.allowEmpty ? { allowEmpty: true } : {}),
    knows: [...knows].sort(),
  };
  if (request.shard) report.shard = { ...request.shard, ...mergeData };
  if (request.references && stage instanceof SplitInspectStage) {
    report.references = { ...request.references, ...mergeData, identified: stage.identifiedByLocation() };
  }
  return report;
}

const ARCHIVES_OFF: Notice = {
  level: 'warning',
  message: `archives were not opened (--no-archives): the members of ${CONTAINER_FORMATS.map((f) => f.id).join(', ')} files were not inspected`,
};

/** The re-audit cache for this audit's settings and scope (src/cache). */
function openCache(request: AuditRequest, options: CacheOptions, identify: IdentifyStage, startedAt: Date): Promise<InspectionCache | undefined> {
  return openAuditCache(
    options,
    {
      detectors: identify.detectors,
      wantMedia: identify.wantMedia,
      archives: request.archives ? (request.archives.settings ?? 'uncached') : 'off',
      plateKey: request.plateKey,
      roots: cacheScope(request.inputs, request.sources),
      shard: request.shard,
      references: request.references,
    },
    startedAt,
  );
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
