// `custody fingerprint`'s work, loaded only when that command runs.
import { appendedSegment, appendPrefixes, knownPlates } from '../fingerprint/append.js';
import { type ClassRule, createFingerprints, type FingerprintOptions, type FingerprintResult } from '../fingerprint/create.js';
import { perceptualHasher } from '../fingerprint/perceptual.js';
import { plateCollector } from '../fingerprint/plates.js';
import { formatFor, writeFingerprintSet } from '../fingerprint/write-set.js';
import { plateKeyFor, plateKeyId } from '../identify/plates/key.js';
import { appendSegment, openForAppend } from '../references/store-append.js';
import { UsageError } from '../util/errors.js';
import { escapeInvisible } from '../util/escape.js';
import { ExitCode } from '../util/exit-codes.js';
import { checkedDestination, writeGuard } from '../util/safe-write.js';
import { parseShard } from '../util/shard.js';
import type { FingerprintFlags } from './fingerprint-command.js';
import { convert, merge } from './fingerprint-files.js';
import type { Io } from './io.js';

/** `custody fingerprint <dir...>` (and its `convert`, `merge` and `--append` forms). */
export async function fingerprint(io: Io, setExit: (code: ExitCode) => void, dirs: string[], flags: FingerprintFlags): Promise<void> {
  // `convert` and `merge` are words, not commander subcommands: the top-level program reads
  // options anywhere (`--debug` after the command), which hands a subcommand's `--out` to this
  // command instead.
  const others = Boolean(
    flags.append || flags.shard || flags.class || flags.include || flags.exclude || flags.plateColumn || flags.plateKeyFile || !flags.perceptual,
  );
  if (dirs[0] === 'convert') return convert(io, setExit, dirs.slice(1), { ...flags, others });
  if (dirs[0] === 'merge') return merge(io, setExit, dirs.slice(1), { ...flags, others });
  if (flags.append !== undefined) return append(io, setExit, dirs, flags.append, flags);
  const out = flags.out;
  if (out === undefined) throw new UsageError('fingerprint needs --out <file> (or --append <store.cfs>)');
  const format = formatFor(out, flags.storeFormat, 'v1');
  // The fingerprint file is written like every other file custody writes: never through a link.
  const guard = await writeGuard(io.cwd, []);
  await checkedDestination(guard, io.cwd, out);
  const key = plateKeyFor(io.cwd, io.env, flags.plateKeyFile);
  const result = await createFingerprints({
    ...describeOptions(io, dirs, flags),
    plates: plateCollector(key, flags.plateColumn),
    ...(flags.shard !== undefined ? { shard: parseShard(flags.shard) } : {}),
  });
  const digest = await writeFingerprintSet(result.file, format, { guard, cwd: io.cwd, path: out });
  finish(io, setExit, result, `-> ${escapeInvisible(out)} [${digest}]`);
}

/** `custody fingerprint <dir...> --append <store>`: the new files as one more segment of the store. */
async function append(io: Io, setExit: (code: ExitCode) => void, dirs: string[], store: string, flags: FingerprintFlags): Promise<void> {
  if (flags.out !== undefined || flags.storeFormat !== undefined || flags.shard !== undefined)
    throw new UsageError('--append writes into the store it names: it takes no --out, --store-format or --shard');
  const guard = await writeGuard(io.cwd, []);
  const key = plateKeyFor(io.cwd, io.env, flags.plateKeyFile);
  const target = await openForAppend({ guard, cwd: io.cwd, path: store });
  try {
    const known = knownPlates(target.store, key, key && plateKeyId(key));
    const result = await createFingerprints({
      ...describeOptions(io, dirs, flags),
      idPrefixes: appendPrefixes(dirs, target.store.footer.roots, io.cwd),
      plates: plateCollector(key, flags.plateColumn, known),
    });
    const segment = appendedSegment(target.store, result.file, store);
    const summary = await appendSegment(target, () => segment.references, segment.plates, segment.meta);
    const total = target.store.footer.counts.references + summary.references;
    finish(
      io,
      setExit,
      result,
      `appended to ${escapeInvisible(store)}: ${summary.bytes} bytes after its ${target.size}, ${total} references in all [${summary.digest}]`,
    );
  } finally {
    await target.handle.close();
  }
}

function describeOptions(io: Io, dirs: string[], flags: FingerprintFlags): FingerprintOptions {
  return {
    roots: dirs,
    cwd: io.cwd,
    classes: (flags.class ?? []).map(parseClassRule),
    ...(flags.include ? { include: flags.include } : {}),
    ...(flags.exclude ? { exclude: flags.exclude } : {}),
    ...(flags.perceptual ? { perceptual: perceptualHasher() } : {}),
  };
}

/** Prints what could not be fingerprinted and the summary line; exit 3 when something was left out. */
function finish(io: Io, setExit: (code: ExitCode) => void, { file, coverage }: FingerprintResult, where: string): void {
  for (const entry of coverage)
    io.stderr.write(
      `custody: ${escapeInvisible(`not fingerprinted: ${JSON.stringify(entry.location)} (${entry.reason}${entry.detail ? `: ${entry.detail}` : ''})`)}\n`,
    );
  const perceptual = file.references.filter((r) => r.pdq).length;
  const plates = file.plates ? `, ${file.plates.digests.length} plates (key ${file.plates.keyId})` : '';
  io.stderr.write(`custody: ${file.references.length} references (${perceptual} with perceptual hashes)${plates} ${where}\n`);
  setExit(coverage.some((c) => c.incomplete) ? ExitCode.Incomplete : ExitCode.Ok);
}

function parseClassRule(rule: string): ClassRule {
  const at = rule.lastIndexOf('=');
  if (at <= 0 || at === rule.length - 1) throw new UsageError(`--class takes glob=class, e.g. 'travelers/**=traveler-image', not "${rule}"`);
  return { glob: rule.slice(0, at), assetClass: rule.slice(at + 1) };
}
