import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { runAudit } from '../audit/audit.js';
import { parseShard } from '../audit/shard.js';
import { archiveHook } from '../audit/sources.js';
import type { CacheOptions } from '../cache/inspection-cache.js';
import { defaultCacheDir } from '../cache/location.js';
import { builtinPolicy } from '../policy/builtin.js';
import { applyBaseline, loadBaseline } from '../postprocess/baseline.js';
import { loadFingerprints } from '../references/load.js';
import { type Report, SEVERITY_ORDER, type Severity } from '../report/model.js';
import { signReport } from '../sign/sign.js';
import { listedPaths, readList } from '../sources/files-from.js';
import { patternWarnings } from '../sources/path-filter.js';
import { checkInputs, type SourceInput } from '../sources/registry.js';
import { formatProblem, UsageError } from '../util/errors.js';
import { escapeInvisible } from '../util/escape.js';
import { ExitCode } from '../util/exit-codes.js';
import { checkedDestination, resolvedFolder, type WriteGuard, writeGuard, writeOutside } from '../util/safe-write.js';
import type { Io } from './io.js';
import { collect, failOnOption } from './options.js';
import { parseOutputs, reporterContext, writeReports } from './outputs.js';
import { readPlateKey } from './plate-key.js';
import { loadPolicyArgument } from './policy-command.js';
import { progressDisplay } from './progress.js';
import { readKey } from './verify-command.js';

interface AuditFlags {
  policy?: string;
  fingerprints?: string[];
  authorized?: string[];
  manifest?: string[];
  manifestFormat?: string;
  manifestBucket?: string;
  manifestAzureAccount?: string;
  filesFrom?: string;
  shard?: string;
  baseline?: string;
  sign?: string;
  format?: string[];
  output?: string[];
  failOn: string;
  showWaived?: boolean;
  color: boolean;
  include?: string[];
  exclude?: string[];
  plateKeyFile?: string;
  now?: string;
  jobs?: string;
  threads?: string;
  archives: boolean;
  quiet?: boolean;
  archiveDepth?: string;
  archiveMaxBytes?: string;
  archiveMaxEntries?: string;
  archiveMaxRatio?: string;
  /** False for --no-plates. */
  plates: boolean;
  allowEmpty?: boolean;
  /** A directory, or false for --no-cache; undefined means the default directory. */
  cache?: string | false;
}

/** `custody audit [dir...]`: the audit itself. */
export function auditCommand(io: Io, setExit: (code: ExitCode) => void): Command {
  return new Command('audit')
    .description('audit directories (and export manifests) for agency data and protocol violations')
    .argument('[dir...]', 'directories to audit (read-only)')
    .option('-p, --policy <file>', 'policy YAML, or - for standard input (default: built-in self-check policy)')
    .option('-f, --fingerprints <file>', 'fingerprint file from `custody fingerprint` (repeatable)', collect)
    .option('-a, --authorized <glob>', 'authorised location glob, added to the policy (repeatable)', collect)
    .option('-m, --manifest <file>', 'export manifest to audit without the bytes (repeatable)', collect)
    .option('--manifest-format <id>', 'manifest format, when detection from content is not wanted')
    .option('--manifest-bucket <name>', 'bucket of list-objects manifests, which do not name it')
    .option('--manifest-azure-account <name>', 'storage account of `az storage blob list` manifests')
    .option('--files-from <file>', 'audit the files listed in <file>, one path per line or NUL-separated (find -print0); - is standard input')
    .option('--shard <k/n>', 'audit only shard k of n (by a hash of each location); merge with `custody merge`')
    .option('--format <name>', 'report format: pretty, json, sarif, junit, csv, markdown, html (repeatable; pairs with --output in order)', collect)
    .option(
      '-o, --output <file>',
      'write the report to a file (format from --format, else from the extension: .json .sarif .xml .csv .md .html .txt); - is stdout (repeatable)',
      collect,
    )
    .addOption(failOnOption())
    .option('--show-waived', 'list waived findings in human formats')
    .option('--baseline <report.json>', 'only findings not in this earlier JSON report fail the build')
    .option('--sign <private-key.pem>', 'write a detached Ed25519 signature of the JSON report to <output>.sig')
    .option('--no-color', 'no colour in terminal output (NO_COLOR is honoured too)')
    .option('--include <glob>', 'only audit paths matching (repeatable)', collect)
    .option('--exclude <glob>', 'leave out paths matching (repeatable)', collect)
    .option('--plate-key-file <file>', 'file holding the plate key (else CUSTODY_PLATE_KEY)')
    .option(
      '--no-plates',
      'do not check plate records although the fingerprints hold plate digests (stated in the report; without it, a missing key makes the audit incomplete)',
    )
    .option('--allow-empty', 'an audit that finds no file or object at all is clean (by default it is incomplete, exit 3)')
    .option('--now <iso-date>', 'audit as of this time (retention), for reproducible reports')
    .option('-j, --jobs <n>', 'items inspected in parallel')
    .option('--threads <n>', 'threads matching images perceptually (default: the cores, at most --jobs; 1 = none besides the main one)')
    .option('-q, --quiet', 'no progress display (it only ever shows on a terminal)')
    .option('--cache <dir>', 're-audit cache directory (default $XDG_CACHE_HOME/custody, else ~/.cache/custody); unchanged files are not read again')
    .option('--no-cache', 'inspect every file afresh and keep no cache')
    .option('--no-archives', 'do not look inside archives')
    .option('--archive-depth <n>', 'nesting depth of archives opened (default 5)')
    .option('--archive-max-bytes <n>', 'uncompressed bytes read per top-level archive (default 32 GiB)')
    .option('--archive-max-entries <n>', 'entries per archive (default 100000)')
    .option('--archive-max-ratio <n>', 'compression ratio above which an entry is a bomb (default 200)')
    .action(async (dirs: string[], flags: AuditFlags) => {
      const report = await audit(dirs, flags, io);
      setExit(exitCodeFor(report, flags.failOn as Severity | 'none'));
    });
}

async function audit(dirs: string[], flags: AuditFlags, io: Io): Promise<Report> {
  // Flags to source inputs (src/sources/registry.ts), in the order they are read and reported.
  const inputs: SourceInput[] = [];
  const patterns = { ...(flags.include ? { include: flags.include } : {}), ...(flags.exclude ? { exclude: flags.exclude } : {}) };
  if (dirs.length > 0) inputs.push({ source: 'filesystem', roots: dirs, cwd: io.cwd, ...patterns });
  const manifestOptions = {
    ...(flags.manifestFormat ? { format: flags.manifestFormat } : {}),
    ...(flags.manifestBucket ? { bucket: flags.manifestBucket } : {}),
    ...(flags.manifestAzureAccount ? { azureAccount: flags.manifestAzureAccount } : {}),
  };
  for (const file of flags.manifest ?? []) inputs.push({ source: 'manifest', path: path.resolve(io.cwd, file), ...manifestOptions });
  const fromList = flags.filesFrom;
  if (fromList === '-' && flags.policy === '-') throw new UsageError('--policy - and --files-from - cannot both read standard input');
  if (fromList !== undefined) {
    const list = await readList(fromList === '-' ? io.stdin : createReadStream(path.resolve(io.cwd, fromList)), fromList);
    inputs.push({ source: 'files-from', name: fromList, list, cwd: io.cwd });
  }
  if (inputs.length === 0) throw new UsageError('nothing to audit: give a directory, --manifest <file> or --files-from <file>');
  if (!flags.policy && !flags.fingerprints?.length) throw new UsageError('give --policy <file> or --fingerprints <file> (with --authorized <glob>)');
  await checkInputs(inputs);
  const outputs = parseOutputs(flags.format, flags.output);
  // `--shard ''` is a mistake to report, not a request to audit everything.
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  const signed = flags.sign ? outputs.find((o) => o.format === 'json' && o.file) : undefined;
  if (flags.sign && !signed) throw new UsageError('--sign signs the JSON report: add --format json --output <file>');
  const signingKey = flags.sign ? await readKey(path.resolve(io.cwd, flags.sign), flags.sign) : undefined;
  // Every file custody writes goes through this guard: checked here, before any scanning, and again
  // as it is written.
  // Listed files are inputs like manifests: no report may be written over one. Only those named like
  // a destination can be one, and only they are resolved (20,000 listed files: 80 MB more without this).
  const named = new Set(outputs.flatMap((o) => (o.file ? [path.basename(o.file), `${path.basename(o.file)}.sig`] : [])));
  const listed = inputs
    .flatMap((input) => (input.source === 'files-from' ? listedPaths(input.list).map(String) : []))
    .filter((p) => named.has(path.basename(p)));
  const guard = await writeGuard(io.cwd, dirs, [...(flags.manifest ?? []), ...listed]);
  for (const output of outputs) if (output.file) await checkedDestination(guard, io.cwd, output.file);
  if (signed) await checkedDestination(guard, io.cwd, `${signed.file!}.sig`);
  const loaded = flags.policy ? await loadPolicyArgument(flags.policy, io) : builtinPolicy([], io.cwd);
  for (const warning of loaded.warnings) io.stderr.write(`${formatProblem(warning)}\n`);
  const policy = { ...loaded, doc: { ...loaded.doc, locations: { authorized: [...loaded.doc.locations.authorized, ...(flags.authorized ?? [])] } } };
  const fingerprintFiles = [
    ...policy.doc.assets.fingerprints.map((f) => path.resolve(policy.baseDir, f)),
    ...(flags.fingerprints ?? []).map((f) => path.resolve(io.cwd, f)),
  ];
  const fingerprints = await loadFingerprints(fingerprintFiles);
  const now = flags.now ? parseNow(flags.now) : undefined;
  const plateKey = fingerprints.plateSets.length > 0 ? readPlateKey(io, flags.plateKeyFile) : undefined;
  const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs takes a whole number of 1 or more, not "${flags.jobs}"`);
  const threads = flags.threads === undefined ? undefined : Number(flags.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1))
    throw new UsageError(`--threads takes a whole number of 1 or more, not "${flags.threads}"`);

  const progress = progressDisplay(io, flags.quiet === true);
  const cache = dirs.length > 0 || fromList !== undefined ? await cacheOptions(flags, guard, progress.io) : undefined;
  const report = await runAudit({
    ...(cache ? { cache } : {}),
    ...(progress.onItem ? { onItem: progress.onItem } : {}),
    ...(progress.onPhase ? { onPhase: progress.onPhase } : {}),
    ...(progress.wantsEstimate ? { estimate: true } : {}),
    inputs,
    // Inputs are reported as the user gave them, not as absolute paths of this machine.
    inputNames: [...dirs, ...(flags.manifest ?? []), ...(fromList !== undefined ? [`--files-from ${fromList}`] : [])],
    ...(shard ? { shard } : {}),
    ...(flags.archives ? { archives: archiveHook(archiveLimits(flags)) } : {}),
    policy,
    fingerprints,
    ...(plateKey ? { plateKey } : {}),
    ...(flags.plates ? {} : { skipPlates: true }),
    ...(flags.allowEmpty ? { allowEmpty: true } : {}),
    ...(now ? { now } : {}),
    ...(jobs ? { concurrency: jobs } : {}),
    ...(threads ? { threads } : {}),
  }).finally(() => progress.done());
  for (const line of patternWarnings(report.notices)) io.stderr.write(line);
  if (flags.baseline) report.findings = applyBaseline(report.findings, await loadBaseline(path.resolve(io.cwd, flags.baseline)));
  const written = await writeReports(report, outputs, reporterContext(flags, io), io, guard);
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

/** 1 when an unwaived finding reaches --fail-on; else 3 when the scan was incomplete; else 0. */
export function exitCodeFor(report: Report, failOn: Severity | 'none'): ExitCode {
  if (failOn !== 'none') {
    const threshold = SEVERITY_ORDER.indexOf(failOn);
    if (report.findings.some((f) => !f.waiver && f.baseline !== 'unchanged' && SEVERITY_ORDER.indexOf(f.severity) <= threshold)) return ExitCode.Violations;
  }
  return report.summary.incomplete ? ExitCode.Incomplete : ExitCode.Ok;
}

function archiveLimits(flags: AuditFlags) {
  const limit = (value: string | undefined, flag: string): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, not "${value}"`);
    return n;
  };
  const limits = {
    maxDepth: limit(flags.archiveDepth, '--archive-depth'),
    maxTotalBytes: limit(flags.archiveMaxBytes, '--archive-max-bytes'),
    maxEntries: limit(flags.archiveMaxEntries, '--archive-max-entries'),
    maxCompressionRatio: limit(flags.archiveMaxRatio, '--archive-max-ratio'),
  };
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}

function parseNow(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now takes an ISO 8601 date, not "${value}"`);
  return date;
}
