import path from 'node:path';
import { mergeFingerprints } from '../fingerprint/merge.js';
import { formatFor, writeFingerprintSet } from '../fingerprint/write-set.js';
import { loadFingerprintFile } from '../references/load.js';
import { UsageError } from '../util/errors.js';
import { escapeInvisible } from '../util/escape.js';
import { ExitCode } from '../util/exit-codes.js';
import { checkedDestination, writeGuard } from '../util/safe-write.js';
import type { Io } from './io.js';

/** The flags `convert` and `merge` are given (they take only `--out` and `--store-format`). */
export interface FileFlags {
  out?: string;
  storeFormat?: string;
  /** True when a flag that fingerprints directories was given as well. */
  others: boolean;
}

/** `custody fingerprint convert <file> --out <file>`: the same set, written in the other format. */
export async function convert(io: Io, setExit: (code: ExitCode) => void, inputs: string[], flags: FileFlags): Promise<void> {
  const input = inputs[0];
  const out = checkedFlags('convert', flags);
  if (input === undefined || inputs.length > 1)
    throw new UsageError('fingerprint convert takes one fingerprint file: custody fingerprint convert <file> --out <file>');
  const guard = await writeGuard(io.cwd, []);
  await checkedDestination(guard, io.cwd, out);
  const loaded = await loadFingerprintFile(path.resolve(io.cwd, input));
  const format = formatFor(out, flags.storeFormat, loaded.file.version === 2 ? 'v1' : 'v2');
  const digest = await writeFingerprintSet(loaded.file, format, { guard, cwd: io.cwd, path: out });
  io.stderr.write(`custody: ${loaded.file.references.length} references (${loaded.file.digest}) -> ${escapeInvisible(out)} as ${format} [${digest}]\n`);
  setExit(ExitCode.Ok);
}

/** `custody fingerprint merge <file>... --out <store>`: one compact store of the union. */
export async function merge(io: Io, setExit: (code: ExitCode) => void, inputs: string[], flags: FileFlags): Promise<void> {
  const out = checkedFlags('merge', flags);
  if (inputs.length === 0) throw new UsageError('fingerprint merge takes one or more fingerprint files: custody fingerprint merge <file>... --out <store.cfs>');
  if (formatFor(out, flags.storeFormat, 'v2') !== 'v2') throw new UsageError('fingerprint merge writes a v2 store (name it .cfs)');
  const guard = await writeGuard(io.cwd, []);
  await checkedDestination(guard, io.cwd, out);
  // The inputs are read whole before anything is written, so `merge a.cfs --out a.cfs` compacts in place.
  const summary = await mergeFingerprints(
    inputs.map((input) => path.resolve(io.cwd, input)),
    { guard, cwd: io.cwd, path: out },
  );
  io.stderr.write(
    `custody: merged ${inputs.length} fingerprint files: ${summary.references} references, ${summary.bytes} bytes -> ${escapeInvisible(out)} [${summary.digest}]\n`,
  );
  setExit(ExitCode.Ok);
}

function checkedFlags(command: string, flags: FileFlags): string {
  if (flags.others) throw new UsageError(`fingerprint ${command} takes only --out and --store-format (the sets are taken as they are)`);
  if (flags.out === undefined) throw new UsageError(`fingerprint ${command} needs --out <file>`);
  return flags.out;
}
