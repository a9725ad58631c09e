import { Command } from 'commander';
import type { Severity } from '../report/model.js';
import { REPORT_FORMATS } from '../report/registry.js';
import { exitCodeFor } from '../report/verdict.js';
import type { ExitCode } from '../util/exit-codes.js';
import type { Io } from './io.js';
import { collect, failOnOption, sarifRootOption } from './options.js';

/** The flags of `custody audit`, as commander parses them. */
export interface AuditFlags {
  policy?: string;
  fingerprints?: string[];
  authorized?: string[];
  manifest?: string[];
  manifestFormat?: string;
  manifestBucket?: string;
  manifestAzureAccount?: string;
  filesFrom?: string;
  git?: string[];
  shard?: string;
  references?: string;
  baseline?: string;
  sign?: string;
  format?: string[];
  output?: string[];
  sarifRoot?: string;
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
  /** --read-plates. */
  readPlates?: boolean;
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
    .option('--git <repo>', "audit a git repository's history (every blob, reachable or not), also outside the directories audited (repeatable)", collect)
    .option('--shard <k/n>', 'audit only shard k of n (by a hash of each location); merge with `custody merge`')
    .option(
      '--references <k/n>',
      "match only share k of n of the fingerprint references (by a hash of each id), for sets beyond one machine's memory; merge with `custody merge`",
    )
    .option('--format <name>', `report format: ${REPORT_FORMATS.map((f) => f.name).join(', ')} (repeatable; pairs with --output in order)`, collect)
    .option(
      '-o, --output <file>',
      `write the report to a file (format from --format, else from the extension: ${REPORT_FORMATS.map((f) => f.extensions[0]).join(' ')}); - is stdout (repeatable)`,
      collect,
    )
    .addOption(sarifRootOption())
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
    .option('--read-plates', 'search images no fingerprint claims for agency plates (OCR; needs the plate key; reports where, never the plate)')
    .option('--allow-empty', 'an audit that finds no file or object at all is clean (by default it is incomplete, exit 3)')
    .option('--now <iso-date>', 'audit as of this time (retention), for reproducible reports')
    .option('-j, --jobs <n>', 'items inspected in parallel')
    .option(
      '--threads <n>',
      'threads matching images perceptually and scanning plate-record files of 4 MiB or more, the main thread counted among the scanners (default: the cores, at most --jobs; 1 = none besides the main one)',
    )
    .option('-q, --quiet', 'no progress display (it only ever shows on a terminal)')
    .option('--cache <dir>', 're-audit cache directory (default $XDG_CACHE_HOME/custody, else ~/.cache/custody); unchanged files are not read again')
    .option('--no-cache', 'inspect every file afresh and keep no cache')
    .option('--no-archives', 'do not look inside archives')
    .option('--archive-depth <n>', 'nesting depth of archives opened (default 5)')
    .option('--archive-max-bytes <n>', 'uncompressed bytes read per top-level archive (default 32 GiB)')
    .option('--archive-max-entries <n>', 'entries per archive (default 100000)')
    .option('--archive-max-ratio <n>', 'compression ratio above which an entry is a bomb (default 200)')
    .action(async (dirs: string[], flags: AuditFlags) => {
      // The audit's code (sources, detectors, the cache, zod schemas) is loaded only now: `--help`,
      // `--version` and the other commands do not compile it.
      const { audit } = await import('./audit-run.js');
      const report = await audit(dirs, flags, io);
      setExit(exitCodeFor(report, flags.failOn as Severity | 'none'));
    });
}
