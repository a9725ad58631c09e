// `custody audit`'s work, loaded only when that command runs (src/cli/run.ts keeps start-up to
// commander and the option definitions).
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { type ArchiveLimits, type AuditOptions, auditWith, checkedInputs } from '../audit/audit-options.js';
import type { CacheOptions } from '../cache/inspection-cache.js';
import { defaultCacheDir } from '../cache/location.js';
import type { Report } from '../report/model.js';
import { readKey, signReport } from '../sign/sign.js';
import { listedFolderNames, readList } from '../sources/files-from.js';
import { patternWarnings } from '../sources/path-filter.js';
import type { SourceInput } from '../sources/registry.js';
import { formatProblem, UsageError } from '../util/errors.js';
import { escapeInvisible } from '../util/escape.js';
import { checkedDestination, resolvedFolder, type WriteGuard, writeGuard, writeOutside } from '../util/safe-write.js';
import { parseShard } from '../util/shard.js';
import type { AuditFlags } from './audit-command.js';
import type { Io } from './io.js';
import { parseOutputs, reporterContext, writeReports } from './outputs.js';
import { noProgress, showsProgress } from './progress-off.js';
import { auditSarifPaths } from './sarif-paths.js';

/** The audit behind `custody audit`: flags to library options, the audit, its reports. */
export async function audit(dirs: string[], flags: AuditFlags, io: Io): Promise<Report> {
  const fromList = flags.filesFrom;
  if (dirs.length === 0 && !flags.manifest?.length && fromList === undefined && !flags.git?.length)
    throw new UsageError('nothing to audit: give a directory, --manifest <file>, --files-from <file> or --git <repo>');
  if (!flags.policy && !flags.fingerprints?.length) throw new UsageError('give --policy <file> or --fingerprints <file> (with --authorized <glob>)');
  if (fromList === '-' && flags.policy === '-') throw new UsageError('--policy - and --files-from - cannot both read standard input');
  // Inputs of other sources than roots and manifests (src/sources/registry.ts): a list of paths.
  const inputs: SourceInput[] = [];
  if (fromList !== undefined) {
    const list = await readList(fromList === '-' ? io.stdin : createReadStream(path.resolve(io.cwd, fromList)), fromList);
    const patterns = { ...(flags.include ? { include: flags.include } : {}), ...(flags.exclude ? { exclude: flags.exclude } : {}) };
    inputs.push({ source: 'files-from', name: fromList, list, cwd: io.cwd, ...patterns });
  }
  for (const repo of flags.git ?? []) inputs.push({ source: 'git', repo, cwd: io.cwd });
  const sources: AuditOptions = {
    roots: dirs,
    ...(flags.manifest ? { manifests: flags.manifest } : {}),
    ...(flags.manifestFormat ? { manifestFormat: flags.manifestFormat } : {}),
    ...(flags.manifestBucket ? { manifestBucket: flags.manifestBucket } : {}),
    ...(flags.manifestAzureAccount ? { manifestAzureAccount: flags.manifestAzureAccount } : {}),
    ...(flags.include ? { include: flags.include } : {}),
    ...(flags.exclude ? { exclude: flags.exclude } : {}),
    inputs,
  };
  // Usage errors of the inputs (a missing root, a manifest in no known format) before anything is written.
  const checked = await checkedInputs(sources, io.cwd);
  const outputs = parseOutputs(flags.format, flags.output);
  const sarifPaths = outputs.some((o) => o.format === 'sarif')
    ? await auditSarifPaths(flags.sarifRoot, io.cwd, dirs, flags.manifest ?? [], fromList !== undefined)
    : undefined;
  // `--shard ''` is a mistake to report, not a request to audit everything.
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  const references = flags.references !== undefined ? parseShard(flags.references, '--references') : undefined;
  const signed = flags.sign ? outputs.find((o) => o.format === 'json' && o.file) : undefined;
  if (flags.sign && !signed) throw new UsageError('--sign signs the JSON report: add --format json --output <file>');
  const signingKey = flags.sign ? await readKey(path.resolve(io.cwd, flags.sign), flags.sign) : undefined;
  // Every file custody writes goes through this guard: checked here, before any scanning, and again
  // as it is written. Nothing is written into a folder of listed files, and the list itself is an
  // input like a manifest.
  const listedFolders = inputs.flatMap((input) => (input.source === 'files-from' ? listedFolderNames(input.list) : []));
  const listFile = fromList !== undefined && fromList !== '-' ? [fromList] : [];
  const guard = await writeGuard(io.cwd, [...dirs, ...(flags.git ?? [])], [...(flags.manifest ?? []), ...listFile], listedFolders);
  for (const output of outputs) if (output.file) await checkedDestination(guard, io.cwd, output.file);
  if (signed) await checkedDestination(guard, io.cwd, `${signed.file!}.sig`);
  // Loaded here rather than by auditWith: `--policy -` reads stdin, and its warnings are printed.
  // Its loader (the YAML parser) is loaded only when a policy file is given.
  const policy = flags.policy ? await (await import('../policy/argument.js')).loadPolicyArgument(flags.policy, io) : undefined;
  for (const warning of policy?.warnings ?? []) io.stderr.write(`${formatProblem(warning)}\n`);
  const now = flags.now ? parseNow(flags.now) : undefined;
  const jobs = wholeNumber(flags.jobs, '--jobs');
  const threads = wholeNumber(flags.threads, '--threads');
  // The terminal display's code is loaded only when there is a terminal to draw on.
  const quiet = flags.quiet === true;
  const progress = showsProgress(io, quiet) ? (await import('./progress.js')).progressDisplay(io, quiet) : noProgress(io);
  const cache = dirs.length > 0 || fromList !== undefined ? await cacheOptions(flags, guard, progress.io) : undefined;

  // The request: every flag as a typed field of the library's options.
  const options: AuditOptions = {
    cwd: io.cwd,
    env: io.env,
    ...sources,
    ...(policy ? { policy } : {}),
    ...(flags.fingerprints ? { fingerprints: flags.fingerprints } : {}),
    ...(flags.authorized ? { authorized: flags.authorized } : {}),
    ...(flags.baseline ? { baseline: flags.baseline } : {}),
    ...(flags.plateKeyFile ? { plateKeyFile: flags.plateKeyFile } : {}),
    plates: flags.plates,
    ...(flags.readPlates ? { readPlates: true } : {}),
    ...(flags.allowEmpty ? { allowEmpty: true } : {}),
    ...(now ? { now } : {}),
    ...(jobs ? { jobs } : {}),
    ...(threads ? { threads } : {}),
    archives: flags.archives && archiveLimits(flags),
    ...(shard ? { shard } : {}),
    ...(references ? { references } : {}),
    ...(cache ? { cache } : {}),
    progress: {
      ...(progress.onItem ? { onItem: progress.onItem } : {}),
      ...(progress.onPhase ? { onPhase: progress.onPhase } : {}),
      ...(progress.wantsEstimate ? { estimate: true } : {}),
    },
  };
  const report = await auditWith(options, checked).finally(() => progress.done());
  for (const line of patternWarnings(report.notices)) io.stderr.write(line);
  const written = await writeReports(report, outputs, { ...reporterContext(flags, io), ...(sarifPaths ? { sarifPaths } : {}) }, io, guard);
  if (signed && signingKey) {
    // Sign the bytes written (not the file read back, which a link could swap): the signature vouches
    // for exactly the file a compliance officer files.
    const bytes = Buffer.from(written.get(signed)!, 'utf8');
    await writeOutside(guard, io.cwd, `${signed.file!}.sig`, signReport(bytes, signingKey, flags.sign));
  }
  return report;
}

/**
 * Where the re-audit cache lives. custody never writes into what it audits: a --cache inside an
 * audited root is a usage error, and a default directory inside one (auditing a home folder) turns
 * the cache off with a notice. Only files on disk are cached, so a manifest-only audit has none.
 */
async function cacheOptions(flags: AuditFlags, guard: WriteGuard, io: Io): Promise<CacheOptions | undefined> {
  if (flags.cache === false) return undefined;
  const given = flags.cache === undefined ? defaultCacheDir(io.env) : flags.cache;
  if (!given) return undefined;
  // The cache works in the real directory, so its files are created where this check looked.
  const { real: dir, root } = await resolvedFolder(guard, io.cwd, given);
  if (root && flags.cache !== undefined)
    throw new UsageError(`refusing to keep the cache in ${flags.cache} inside the audited tree ${root} (custody never modifies what it audits)`);
  const notice = (message: string) => void io.stderr.write(`custody: ${escapeInvisible(message)}\n`);
  if (root) {
    notice(`cache off: the default cache directory ${given} is inside the audited tree ${root} (give --cache <dir> elsewhere)`);
    return undefined;
  }
  return { dir, notice };
}

function archiveLimits(flags: AuditFlags): ArchiveLimits {
  const limit = (value: string | undefined, flag: string): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, not "${value}"`);
    return n;
  };
  return {
    maxDepth: limit(flags.archiveDepth, '--archive-depth'),
    maxTotalBytes: limit(flags.archiveMaxBytes, '--archive-max-bytes'),
    maxEntries: limit(flags.archiveMaxEntries, '--archive-max-entries'),
    maxCompressionRatio: limit(flags.archiveMaxRatio, '--archive-max-ratio'),
  };
}

/** `--jobs`/`--threads`: a whole number of 1 or more. */
function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number of 1 or more, not "${value}"`);
  return n;
}

function parseNow(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now takes an ISO 8601 date, not "${value}"`);
  return date;
}
