import path from 'node:path';
import { Command } from 'commander';
import { type ClassRule, createFingerprints } from '../fingerprint/create.js';
import { perceptualHasher } from '../fingerprint/perceptual.js';
import { plateCollector } from '../fingerprint/plates.js';
import { formatFor, writeFingerprintSet } from '../fingerprint/write-set.js';
import { plateKeyFor } from '../identify/plates/key.js';
import { loadFingerprintFile } from '../references/load.js';
import { UsageError } from '../util/errors.js';
import { escapeInvisible } from '../util/escape.js';
import { ExitCode } from '../util/exit-codes.js';
import { checkedDestination, writeGuard } from '../util/safe-write.js';
import type { Io } from './io.js';
import { collect } from './options.js';

interface FingerprintFlags {
  out: string;
  class?: string[];
  include?: string[];
  exclude?: string[];
  plateColumn?: string;
  plateKeyFile?: string;
  perceptual: boolean;
  storeFormat?: string;
}

const STORE_FORMAT_HELP =
  'v1 (JSON) or v2 (binary store, for millions of references); default v2 when the name ends in .cfs, else v1 (convert: .json v1, else the other format)';

/** `custody fingerprint <dir...> --out <file>`: describes the agency's reference data without copying it. */
export function fingerprintCommand(io: Io, setExit: (code: ExitCode) => void): Command {
  return new Command('fingerprint')
    .description("fingerprint the agency's reference data (digests, perceptual hashes, keyed plate digests; never the data)")
    .argument('<dir...>', 'directories of agency reference data')
    .requiredOption('-o, --out <file>', 'fingerprint file to write')
    .option('-c, --class <glob=class>', "asset class for references matching a glob, e.g. 'travelers/**=traveler-image' (repeatable)", collect)
    .option('--include <glob>', 'only fingerprint paths matching (repeatable)', collect)
    .option('--exclude <glob>', 'leave out paths matching (repeatable)', collect)
    .option('--plate-column <name>', 'plate column of plate-read CSV files (default: found by name)')
    .option('--plate-key-file <file>', 'file holding the plate key (else CUSTODY_PLATE_KEY)')
    .option('--no-perceptual', 'exact digests only (no perceptual hashes)')
    .option('--store-format <v1|v2>', STORE_FORMAT_HELP)
    .addHelpText('after', CONVERT_HELP)
    .action(async (dirs: string[], flags: FingerprintFlags) => {
      // `convert` is a word, not a commander subcommand: the top-level program reads options anywhere
      // (`--debug` after the command), which hands a subcommand's `--out` to this command instead.
      if (dirs[0] === 'convert') return convert(io, setExit, dirs.slice(1), flags);
      const out = flags.out;
      const format = formatFor(out, flags.storeFormat, 'v1');
      const classes = (flags.class ?? []).map(parseClassRule);
      // The fingerprint file is written like every other file custody writes: never through a link.
      const guard = await writeGuard(io.cwd, []);
      await checkedDestination(guard, io.cwd, out);
      const key = plateKeyFor(io.cwd, io.env, flags.plateKeyFile);
      const { file, coverage } = await createFingerprints({
        roots: dirs,
        cwd: io.cwd,
        classes,
        ...(flags.include ? { include: flags.include } : {}),
        ...(flags.exclude ? { exclude: flags.exclude } : {}),
        ...(flags.perceptual ? { perceptual: perceptualHasher() } : {}),
        plates: plateCollector(key, flags.plateColumn),
      });
      const digest = await writeFingerprintSet(file, format, { guard, cwd: io.cwd, path: out });
      for (const entry of coverage)
        io.stderr.write(
          `custody: ${escapeInvisible(`not fingerprinted: ${JSON.stringify(entry.location)} (${entry.reason}${entry.detail ? `: ${entry.detail}` : ''})`)}\n`,
        );
      const perceptual = file.references.filter((r) => r.pdq).length;
      const plates = file.plates ? `, ${file.plates.digests.length} plates (key ${file.plates.keyId})` : '';
      io.stderr.write(`custody: ${file.references.length} references (${perceptual} with perceptual hashes)${plates} -> ${escapeInvisible(out)} [${digest}]\n`);
      setExit(coverage.some((c) => c.incomplete) ? ExitCode.Incomplete : ExitCode.Ok);
    });
}

const CONVERT_HELP = `
Converting:
  custody fingerprint convert <file> --out <file> [--store-format v1|v2]
  rewrites a fingerprint file in the other format (v1 JSON to a v2 store, or back while the set is
  small enough for JSON); the same content, each format with its own digest. (A directory named
  convert is fingerprinted as ./convert.)`;

/** \`custody fingerprint convert <file> --out <file>\`: the same set, written in the other format. */
async function convert(io: Io, setExit: (code: ExitCode) => void, inputs: string[], flags: FingerprintFlags): Promise<void> {
  const input = inputs[0];
  if (input === undefined || inputs.length > 1)
    throw new UsageError('fingerprint convert takes one fingerprint file: custody fingerprint convert <file> --out <file>');
  if (flags.class || flags.include || flags.exclude || flags.plateColumn || flags.plateKeyFile || !flags.perceptual)
    throw new UsageError('fingerprint convert takes only --out and --store-format (the set is converted as it is)');
  const guard = await writeGuard(io.cwd, []);
  await checkedDestination(guard, io.cwd, flags.out);
  const loaded = await loadFingerprintFile(path.resolve(io.cwd, input));
  const format = formatFor(flags.out, flags.storeFormat, loaded.file.version === 2 ? 'v1' : 'v2');
  const digest = await writeFingerprintSet(loaded.file, format, { guard, cwd: io.cwd, path: flags.out });
  io.stderr.write(`custody: ${loaded.file.references.length} references (${loaded.file.digest}) -> ${escapeInvisible(flags.out)} as ${format} [${digest}]\n`);
  setExit(ExitCode.Ok);
}

function parseClassRule(rule: string): ClassRule {
  const at = rule.lastIndexOf('=');
  if (at <= 0 || at === rule.length - 1) throw new UsageError(`--class takes glob=class, e.g. 'travelers/**=traveler-image', not "${rule}"`);
  return { glob: rule.slice(0, at), assetClass: rule.slice(at + 1) };
}
