import { Command } from 'commander';
import type { ExitCode } from '../util/exit-codes.js';
import type { Io } from './io.js';
import { collect } from './options.js';

const FILES_HELP = `
Fingerprint files:
  custody fingerprint convert <file> --out <file> [--store-format v1|v2]
  rewrites a fingerprint file in the other format (v1 JSON to a v2 store, or back while the set is
  small enough for JSON); the same content, each format with its own digest.
  custody fingerprint merge <file>... --out <store.cfs>
  writes one store holding the union of fingerprint files (stores or v1 JSON): the same bytes in any
  order of the inputs; an id in two inputs must have the same content. Merging shard stores gives
  the store of the whole run; merging one store of appended segments compacts it.
  (A directory named convert or merge is fingerprinted as ./convert or ./merge.)`;

/** The flags of `custody fingerprint`, as commander parses them. */
export interface FingerprintFlags {
  out?: string;
  append?: string;
  shard?: string;
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
    .option('-o, --out <file>', 'fingerprint file to write')
    .option('--append <store>', 'add the new files to an existing store (.cfs) as one new segment, instead of --out; the dirs must lie inside its roots')
    .option('--shard <k/n>', 'describe only the files whose id hashes to shard k of n (plus every plate-read file); merge the n stores')
    .option('-c, --class <glob=class>', "asset class for references matching a glob, e.g. 'travelers/**=traveler-image' (repeatable)", collect)
    .option('--include <glob>', 'only fingerprint paths matching (repeatable)', collect)
    .option('--exclude <glob>', 'leave out paths matching (repeatable)', collect)
    .option('--plate-column <name>', 'plate column of plate-read CSV files (default: found by name)')
    .option('--plate-key-file <file>', 'file holding the plate key (else CUSTODY_PLATE_KEY)')
    .option('--no-perceptual', 'exact digests only (no perceptual hashes)')
    .option('--store-format <v1|v2>', STORE_FORMAT_HELP)
    .addHelpText('after', FILES_HELP)
    .action(async (dirs: string[], flags: FingerprintFlags) => {
      // Describing references (digests, decoders, the store writer) is loaded only when asked for.
      const { fingerprint } = await import('./fingerprint-run.js');
      await fingerprint(io, setExit, dirs, flags);
    });
}
