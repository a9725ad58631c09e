import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { captureDate, readImageTags } from '../identify/metadata.js';
import { fingerprintDigest } from '../references/load.js';
import { FINGERPRINT_FORMAT, FINGERPRINT_VERSION, type FingerprintFile, type PdqEntry, type PlateSet, type Reference } from '../references/schema.js';
import { walkFilesystem } from '../sources/filesystem.js';
import type { CoverageEntry, Item } from '../sources/item.js';
import { isImage, type MediaType, SNIFF_BYTES, sniff } from '../sources/sniff.js';
import { compareStrings } from '../util/compare.js';
import { describeError, errorCode } from '../util/errors.js';
import { forEachConcurrent } from '../util/pool.js';
import { shardOf } from '../util/shard.js';
import { VERSION } from '../version.js';

/** Assigns an asset class to references whose id matches a glob (`--class 'travelers/**=traveler-image'`). */
export interface ClassRule {
  glob: string;
  assetClass: string;
}

/** Extra fingerprints for one reference (perceptual hashes); supplied by the perceptual stage. */
export type PerceptualHasher = (content: Buffer, media: MediaType) => Promise<PdqEntry[] | undefined>;

/** Collects agency plates from a reference file; returns the plate set when done. */
export interface PlateCollector {
  /** Offers a text reference; returns true when it was recognised as a plate-read file. */
  offer(reference: Reference, content: Buffer): Promise<boolean>;
  finish(): PlateSet | undefined;
  /** Masks agency plates in a text (reference ids: plate crops are often named after the plate). */
  redact(text: string): string;
}

export interface FingerprintOptions {
  /** Reference directories, recorded as given; resolved against `cwd`. */
  roots: readonly string[];
  cwd?: string;
  classes?: readonly ClassRule[];
  include?: readonly string[];
  exclude?: readonly string[];
  perceptual?: PerceptualHasher;
  plates?: PlateCollector;
  /** Files larger than this are hashed streaming and get no perceptual or plate entries. */
  maxReadBytes?: number;
  /** References described at once (default the cores, 2 to 8: each may hold a whole file in memory). */
  concurrency?: number;
  /**
   * Id prefix of each root, in place of the default (none for one root, base names for several):
   * an append names new files as a run over the store's own roots would (appendPrefixes).
   */
  idPrefixes?: readonly (string | undefined)[];
  /**
   * Describe only the files whose id hashes to shard `index` of `count` (shardOf), plus every
   * plate-read file: each shard needs all the plates to mask ids as a whole run does, and a merge
   * keeps the identical copies once.
   */
  shard?: { index: number; count: number };
}

export interface FingerprintResult {
  file: FingerprintFile;
  /** Reference files that could not be fingerprinted. */
  coverage: CoverageEntry[];
}

const DEFAULT_MAX_READ = 256 * 1024 * 1024;

/** Walks the agency's reference data and describes it without copying it. */
export async function createFingerprints(options: FingerprintOptions): Promise<FingerprintResult> {
  const rules = (options.classes ?? []).map((rule) => ({ match: picomatch(rule.glob, { dot: true }), assetClass: rule.assetClass }));
  // Several references are described at once, so one decodes (on libvips's threads) while another
  // is hashed; each outcome goes in its walk-order slot, so the result does not depend on timing.
  const outcomes: ({ reference: Reference } | { coverage: CoverageEntry } | undefined)[] = [];
  const walk = async function* () {
    const prefixes = options.idPrefixes ?? rootPrefixes(options.roots);
    for (const [index, root] of options.roots.entries()) {
      const prefix = prefixes[index];
      yield* walkFilesystem(path.resolve(options.cwd ?? '.', root), {
        ...(prefix ? { locationPrefix: prefix } : {}),
        ...(options.include ? { include: options.include } : {}),
        ...(options.exclude ? { exclude: options.exclude } : {}),
      });
    }
  };
  let next = 0;
  await forEachConcurrent(walk(), options.concurrency ?? Math.min(8, Math.max(2, os.availableParallelism())), async (event) => {
    const slot = next++;
    if (event.kind === 'coverage') outcomes[slot] = { coverage: event.entry };
    if (event.kind !== 'item') return;
    try {
      const reference = await describe(event.item, options, rules);
      if (reference) outcomes[slot] = { reference };
    } catch (error) {
      outcomes[slot] = {
        coverage: { location: event.item.location, reason: 'unreadable', detail: errorCode(error) ?? describeError(error), incomplete: true },
      };
    }
  });
  const references: Reference[] = [];
  const coverage: CoverageEntry[] = [];
  for (const outcome of outcomes) {
    if (outcome && 'reference' in outcome) references.push(outcome.reference);
    else if (outcome) coverage.push(outcome.coverage);
  }
  const collected = options.plates?.finish();
  // The file is handed to contractors: no name in it may spell one of the agency's plates, which the
  // collector has just read in clear (ids, the plate files' own ids and columns, the roots as given).
  const redact = options.plates ? (text: string): string => options.plates!.redact(text) : (text: string): string => text;
  const renamed = redactIds(references, redact);
  references.sort((a, b) => compareStrings(a.id, b.id));
  const plates = collected && {
    ...collected,
    sources: collected.sources
      .map((source) => ({ ...source, id: renamed.get(source.id) ?? redact(source.id), column: redact(source.column) }))
      .sort((a, b) => compareStrings(a.id, b.id) || compareStrings(a.column, b.column)),
  };
  const body: Omit<FingerprintFile, 'digest'> = {
    format: FINGERPRINT_FORMAT,
    version: FINGERPRINT_VERSION,
    tool: { name: 'custody' as const, version: VERSION },
    createdAt: new Date().toISOString(),
    roots: options.roots.map(redact),
    references,
    ...(plates ? { plates } : {}),
  };
  const shown = coverage.map((entry) => ({
    ...entry,
    location: redact(entry.location),
    ...(entry.detail !== undefined ? { detail: redact(entry.detail) } : {}),
  }));
  return { file: { ...body, digest: fingerprintDigest(body) }, coverage: shown };
}

async function describe(
  item: Item,
  options: FingerprintOptions,
  rules: { match: (s: string) => boolean; assetClass: string }[],
): Promise<Reference | undefined> {
  if (item.size === 0) return undefined; // an empty file identifies nothing
  const content = item.content!;
  const shard = options.shard;
  const inShard = !shard || shardOf(item.location, shard.count) === shard.index;
  // Outside the shard only a plate-read file is described; anything else is not read past its head.
  if (!inShard && !(options.plates && item.size <= (options.maxReadBytes ?? DEFAULT_MAX_READ) && sniff(await content.head(SNIFF_BYTES)) === 'text/plain'))
    return undefined;
  const whole = item.size <= (options.maxReadBytes ?? DEFAULT_MAX_READ) ? await content.readAll() : undefined;
  const media = sniff(whole ? whole.subarray(0, SNIFF_BYTES) : await content.head(SNIFF_BYTES));
  const { sha256, md5 } = whole ? digestsOf(whole) : await streamDigests(item);
  const reference: Reference = {
    id: item.location,
    class: rules.find((r) => r.match(item.location))?.assetClass ?? defaultClass(media),
    size: item.size,
    sha256,
    md5,
    media,
  };
  if (whole && isImage(media)) {
    const pdq = await options.perceptual?.(whole, media);
    if (pdq && pdq.length > 0) reference.pdq = pdq;
    const { capturedAt } = captureDate(await readImageTags(item));
    if (capturedAt) reference.capturedAt = capturedAt.toISOString();
  }
  const plateFile = whole !== undefined && media === 'text/plain' && options.plates !== undefined && (await options.plates.offer(reference, whole));
  if (plateFile && !rules.some((r) => r.match(item.location))) reference.class = 'plate-record';
  return inShard || plateFile ? reference : undefined;
}

/** Id prefixes when several roots are fingerprinted: their base names, numbered when two share one. */
export function rootPrefixes(roots: readonly string[]): (string | undefined)[] {
  if (roots.length < 2) return roots.map(() => undefined);
  const seen = new Map<string, number>();
  return roots.map((root) => {
    const base = path.basename(path.resolve(root));
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

/**
 * Masks agency plates in reference ids, keeping ids unique (`#2`, `#3` on collisions). Returns the
 * new id of each id that changed.
 */
function redactIds(references: Reference[], redact: (text: string) => string): Map<string, string> {
  const renamed = new Map<string, string>();
  const taken = new Set(references.map((r) => r.id));
  // In walk order, so which copy gets `#2` does not depend on the masked names' order.
  for (const reference of references) {
    const masked = redact(reference.id);
    if (masked === reference.id) continue;
    let id = masked;
    for (let n = 2; taken.has(id); n++) id = `${masked}#${n}`;
    taken.add(id);
    renamed.set(reference.id, id);
    reference.id = id;
  }
  return renamed;
}

function defaultClass(media: MediaType): string {
  return isImage(media) ? 'agency-image' : 'agency-data';
}

function digestsOf(bytes: Buffer): { sha256: string; md5: string } {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), md5: createHash('md5').update(bytes).digest('hex') };
}

async function streamDigests(item: Item): Promise<{ sha256: string; md5: string }> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  for await (const chunk of item.content!.stream()) {
    sha.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha256: sha.digest('hex'), md5: md5.digest('hex') };
}
