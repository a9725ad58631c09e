import { realpathSync } from 'node:fs';
import path from 'node:path';
import { cachedFingerprintLoader } from '../cache/fingerprint-cache.js';
import type { CacheOptions } from '../cache/inspection-cache.js';
import { plateKeyFor } from '../identify/plates/key.js';
import { builtinPolicy } from '../policy/builtin.js';
import type { LoadedPolicy } from '../policy/load.js';
import { loadBaseline } from '../postprocess/baseline.js';
import { loadFingerprints } from '../references/load.js';
import type { Report } from '../report/model.js';
import type { ArchiveOptions } from '../sources/archives/index.js';
import { archiveHook } from '../sources/archives-on-disk.js';
import { checkInputs, inputNames, type SourceInput } from '../sources/registry.js';
import { UsageError } from '../util/errors.js';
import { type AuditRequest, runAudit } from './audit.js';

/** Limits on what is read inside archives; each one absent keeps its default (sources/archives/options.ts). */
export type ArchiveLimits = Pick<ArchiveOptions, 'maxDepth' | 'maxTotalBytes' | 'maxEntries' | 'maxCompressionRatio'>;

/**
 * An audit as plain data: what `custody audit` makes of its flags, and what a tool embedding custody
 * writes. Paths are relative to `cwd` and the report names inputs as given here.
 */
export interface AuditOptions {
  /** Directory relative paths resolve against; default the process's working directory. */
  cwd?: string;
  /** Directories to audit (read-only to custody). */
  roots?: readonly string[];
  /** Export manifests to audit without the objects' bytes. */
  manifests?: readonly string[];
  /**
   * Inputs of any registered source (src/sources/registry.ts), read after `roots` and `manifests`:
   * e.g. `{ source: 'files-from', name, list }` for a list of paths.
   */
  inputs?: readonly SourceInput[];
  /** The manifests' format id, when detection from their content is not wanted. */
  manifestFormat?: string;
  /** Bucket of list-objects manifests, which do not name it. */
  manifestBucket?: string;
  /** Storage account of `az storage blob list` manifests. */
  manifestAzureAccount?: string;
  /** A policy file, or a policy already loaded (`loadPolicy`); default the built-in self-check policy. */
  policy?: string | LoadedPolicy;
  /** Fingerprint files, besides those the policy names. */
  fingerprints?: readonly string[];
  /** Authorised location globs, besides the policy's. */
  authorized?: readonly string[];
  /** Only audit paths matching (.gitignore rules). */
  include?: readonly string[];
  /** Leave out paths matching (.gitignore rules). */
  exclude?: readonly string[];
  /** An earlier JSON report: its findings are marked `unchanged` and fail no build (`exitCodeFor`). */
  baseline?: string;
  /**
   * The plate key; else read from `plateKeyFile`, else from CUSTODY_PLATE_KEY in `env`. Looked for
   * only when the fingerprints hold plate digests.
   */
  plateKey?: Buffer;
  plateKeyFile?: string;
  /** Where CUSTODY_PLATE_KEY is looked up; the library never reads the process environment itself. */
  env?: Readonly<Record<string, string | undefined>>;
  /** False: plate records are not checked (the report says so). Default true. */
  plates?: boolean;
  /** Search images no fingerprint claims for agency plates (OCR, then the keyed digest lookup). */
  readPlates?: boolean;
  /** An audit that meets no file or object is complete; by default it is incomplete. */
  allowEmpty?: boolean;
  /** Audit time (retention, waiver expiry); default now. */
  now?: Date;
  /** Items inspected at once. */
  jobs?: number;
  /** Threads matching images perceptually. */
  threads?: number;
  /** Look inside archives (default true), optionally with limits. */
  archives?: boolean | ArchiveLimits;
  /** Audit only shard `index` of `count` (1-based); merge the shards with `mergeShards`. */
  shard?: { index: number; count: number };
  /**
   * Match only share `index` of `count` (1-based) of the fingerprint sets' references, by a hash of
   * each id (references/split.ts), for sets beyond one machine's memory; merge the splits with `custody merge`.
   */
  references?: { index: number; count: number };
  /** The re-audit cache; off when absent. */
  cache?: CacheOptions;
  /** Progress callbacks (a display's). */
  progress?: Pick<AuditRequest, 'estimate' | 'onItem' | 'onPhase'>;
}

/**
 * Runs an audit from options: loads the policy (adding `authorized`), the fingerprint files (the
 * policy's, relative to it, then `fingerprints`), the plate key, the baseline, checks every
 * manifest's format before any scanning, audits and returns the finished report. Never prints and
 * never exits: failures are thrown as CustodyError (UsageError, PolicyError, InputError).
 */
export async function auditWith(options: AuditOptions, checked?: readonly SourceInput[]): Promise<Report> {
  const cwd = options.cwd ?? process.cwd();
  const roots = options.roots ?? [];
  const manifestPaths = options.manifests ?? [];
  const inputs = checked ?? (await checkedInputs(options, cwd));
  // The policy loader (the YAML parser) is loaded only for a policy file: not for the built-in policy.
  const loaded =
    typeof options.policy === 'string'
      ? await (await import('../policy/argument.js')).loadPolicyArgument(options.policy, { cwd })
      : (options.policy ?? builtinPolicy([], cwd));
  const policy = { ...loaded, doc: { ...loaded.doc, locations: { authorized: [...loaded.doc.locations.authorized, ...(options.authorized ?? [])] } } };
  const fingerprintFiles = [
    ...policy.doc.assets.fingerprints.map((f) => path.resolve(policy.baseDir, f)),
    ...(options.fingerprints ?? []).map((f) => path.resolve(cwd, f)),
  ];
  // Reference split: the loader keeps only this share of each set's references. With a re-audit
  // cache, a v1 file whose bytes were verified before is not checked in full again.
  const fingerprints = await loadFingerprints(fingerprintFiles, {
    ...(options.references ? { split: options.references } : {}),
    ...(options.cache ? { loadFile: cachedFingerprintLoader(options.cache) } : {}),
  });
  const plateKey =
    fingerprints.plateSets.length > 0 || options.readPlates ? (options.plateKey ?? plateKeyFor(cwd, options.env ?? {}, options.plateKeyFile)) : undefined;
  // Read before the scan: a baseline that cannot serve fails in a second, not after an hour's audit.
  const baseline = options.baseline ? await loadBaseline(path.resolve(cwd, options.baseline)) : undefined;
  const archives = options.archives ?? true;
  return runAudit({
    ...(options.cache ? { cache: options.cache } : {}),
    ...options.progress,
    inputs,
    // Inputs are reported as given, not as absolute paths of this machine.
    inputNames: [...roots, ...manifestPaths, ...inputNames(options.inputs ?? [])],
    ...(options.shard ? { shard: options.shard } : {}),
    ...(options.references ? { references: options.references } : {}),
    ...(archives ? { archives: archiveHook(archives === true ? {} : definedOnly(archives)) } : {}),
    policy,
    fingerprints,
    ...(plateKey ? { plateKey } : {}),
    ...(options.plates === false ? { skipPlates: true } : {}),
    ...(options.readPlates ? { readPlates: true } : {}),
    ...(options.allowEmpty ? { allowEmpty: true } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.jobs ? { concurrency: options.jobs } : {}),
    ...(options.threads ? { threads: options.threads } : {}),
    ...(baseline ? { baseline } : {}),
  });
}

/**
 * The options' inputs as source inputs, checked: usage errors of the inputs (a root that does not
 * exist, a manifest in no known format) are thrown before any scanning. A caller that checks early
 * (the CLI, before it writes anything) hands the result to {@link auditWith}, which then checks
 * nothing again.
 */
export async function checkedInputs(options: AuditOptions, cwd: string): Promise<SourceInput[]> {
  const inputs = sourceInputs(options, cwd);
  if (inputs.length === 0) throw new UsageError('nothing to audit: give a directory, a manifest or another input');
  await checkInputs(inputs);
  return inputs;
}

/** The options' inputs as source inputs, in the order they are read and reported: roots, manifests, the rest. */
export function sourceInputs(options: AuditOptions, cwd: string): SourceInput[] {
  const inputs: SourceInput[] = [];
  const patterns = { ...(options.include ? { include: options.include } : {}), ...(options.exclude ? { exclude: options.exclude } : {}) };
  if (options.roots?.length) inputs.push({ source: 'filesystem', roots: options.roots, cwd, ...patterns });
  const read = {
    ...(options.manifestFormat ? { format: options.manifestFormat } : {}),
    ...(options.manifestBucket ? { bucket: options.manifestBucket } : {}),
    ...(options.manifestAzureAccount ? { azureAccount: options.manifestAzureAccount } : {}),
  };
  for (const file of options.manifests ?? []) inputs.push({ source: 'manifest', path: path.resolve(cwd, file), ...read });
  // A listed file under a walked root is audited there, once.
  const walked = (options.roots ?? []).map((root) => realOrResolved(path.resolve(cwd, root)));
  // So is a repository named with --git that a root's walk meets.
  inputs.push(
    ...(options.inputs ?? []).map((input) => ((input.source === 'files-from' || input.source === 'git') && walked.length > 0 ? { ...input, walked } : input)),
  );
  return inputs;
}

function realOrResolved(folder: string): string {
  try {
    return realpathSync.native(folder);
  } catch {
    return folder;
  }
}

/** Limits without their undefined keys: an undefined limit would replace the default it stands for. */
function definedOnly(limits: ArchiveLimits): ArchiveLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
