import { Command } from 'commander';
import { type ClassRule, createFingerprints } from '../fingerprint/create.js';
import { perceptualHasher } from '../fingerprint/perceptual.js';
import { plateCollector } from '../fingerprint/plates.js';
import { UsageError } from '../util/errors.js';
import { escapeInvisible } from '../util/escape.js';
import { ExitCode } from '../util/exit-codes.js';
import { checkedDestination, writeGuard, writeOutside } from '../util/safe-write.js';
import type { Io } from './io.js';
import { collect } from './options.js';
import { readPlateKey } from './plate-key.js';

interface FingerprintFlags {
  out: string;
  class?: string[];
  include?: string[];
  exclude?: string[];
  plateColumn?: string;
  plateKeyFile?: string;
  perceptual: boolean;
}

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
    .action(async (dirs: string[], flags: FingerprintFlags) => {
      const classes = (flags.class ?? []).map(parseClassRule);
      // The fingerprint file is written like every other file custody writes: never through a link.
      const guard = await writeGuard(io.cwd, []);
      await checkedDestination(guard, io.cwd, flags.out);
      const key = readPlateKey(io, flags.plateKeyFile);
      const { file, coverage } = await createFingerprints({
        roots: dirs,
        cwd: io.cwd,
        classes,
        ...(flags.include ? { include: flags.include } : {}),
        ...(flags.exclude ? { exclude: flags.exclude } : {}),
        ...(flags.perceptual ? { perceptual: perceptualHasher() } : {}),
        plates: plateCollector(key, flags.plateColumn),
      });
      await writeOutside(guard, io.cwd, flags.out, `${JSON.stringify(file, null, 2)}\n`);
      for (const entry of coverage)
        io.stderr.write(
          `custody: ${escapeInvisible(`not fingerprinted: ${JSON.stringify(entry.location)} (${entry.reason}${entry.detail ? `: ${entry.detail}` : ''})`)}\n`,
        );
      const perceptual = file.references.filter((r) => r.pdq).length;
      const plates = file.plates ? `, ${file.plates.digests.length} plates (key ${file.plates.keyId})` : '';
      io.stderr.write(
        `custody: ${file.references.length} references (${perceptual} with perceptual hashes)${plates} -> ${escapeInvisible(flags.out)} [${file.digest}]\n`,
      );
      setExit(coverage.some((c) => c.incomplete) ? ExitCode.Incomplete : ExitCode.Ok);
    });
}

function parseClassRule(rule: string): ClassRule {
  const at = rule.lastIndexOf('=');
  if (at <= 0 || at === rule.length - 1) throw new UsageError(`--class takes glob=class, e.g. 'travelers/**=traveler-image', not "${rule}"`);
  return { glob: rule.slice(0, at), assetClass: rule.slice(at + 1) };
}
