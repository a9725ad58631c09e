import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Digests, Item, SourceEvent } from '../../item.js';
import { type BagEntry, bagManifestNames, listFiles, readBagManifest, readTagFile } from '../bagit-files.js';
import { leadsOutside, outsideCoverage, realFolder } from '../confine.js';
import { digestKey } from '../digests.js';
import { coverage, itemEvent, notice, sample } from '../events.js';
import { guarded } from '../guard.js';
import { readLines } from '../lines.js';
import { type ManifestFormat, type ManifestOptions, UNKNOWN_SIZE } from '../types.js';

/** Algorithms node can verify, so a bag in any of them can be checked. */
const VERIFIABLE = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']);

/**
 * BagIt bags (RFC 8493), given as the bag directory or its `bagit.txt`. Every payload-manifest entry
 * becomes an item located as written (`data/x.jpg`); notices then say whether the bag is complete
 * (every listed file present, Payload-Oxum agrees, no unlisted files) and valid (digests verify).
 */
export const bagit: ManifestFormat = {
  id: 'bagit',
  title: 'BagIt bag (RFC 8493)',
  detect(head, path) {
    return (
      head
        .subarray(0, 64)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .startsWith('BagIt-Version:') || basename(path) === 'bagit.txt'
    );
  },
  read(path: string, opts: ManifestOptions) {
    return guarded(path, 'manifest-unreadable', readBag(path, opts), opts.signal);
  },
};

async function* readBag(path: string, opts: ManifestOptions): AsyncGenerator<SourceEvent> {
  const root = (await stat(path)).isDirectory() ? path : dirname(path);
  const names = await readdir(root);
  const { payload, tag } = bagManifestNames(names);
  if (payload.length === 0) {
    yield coverage({ location: root, reason: 'manifest-unreadable', detail: 'bag has no manifest-<alg>.txt', incomplete: true });
    return;
  }
  // Every file the bag names is read only if its real path is inside the bag (no link out of it).
  const realRoot = await realFolder(root);
  const refused: SourceEvent[] = [];
  const inBag = async (name: string): Promise<boolean> => {
    if (!(await leadsOutside(realRoot, join(root, name)))) return true;
    refused.push(outsideCoverage(join(root, name), 'a symbolic link leading out of the bag; not read'));
    return false;
  };
  const entries = new Map<string, BagEntry>();
  for (const alg of payload) if (await inBag(`manifest-${alg}.txt`)) yield* readBagManifest(join(root, `manifest-${alg}.txt`), alg, entries);
  const fetched = names.includes('fetch.txt') && (await inBag('fetch.txt')) ? await readFetchPaths(join(root, 'fetch.txt')) : new Set<string>();
  const onDisk = new Set((await inBag('data')) ? await listFiles(join(root, 'data'), 'data/') : []);
  const verify = opts.verifyPayload !== false;
  const missing: string[] = [];
  const invalid: string[] = [];
  const partial: string[] = [];
  let octets = 0;
  for (const entry of [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (entry.digests.size !== payload.length) partial.push(entry.path);
    const present = onDisk.has(entry.path);
    const size = present ? (await stat(join(root, entry.path))).size : UNKNOWN_SIZE;
    if (present) {
      octets += size;
      if (verify && !(await digestsMatch(join(root, entry.path), entry.digests))) invalid.push(entry.path);
    } else {
      missing.push(entry.path);
    }
    yield itemEvent(bagItem(entry, size));
  }
  const extra = [...onDisk].filter((p) => !entries.has(p));
  yield* bagNotices(root, { entries: entries.size, octets, missing, invalid, partial, extra, fetched, verify });
  if (!names.includes('bag-info.txt') || (await inBag('bag-info.txt'))) yield* checkOxum(root, names, octets, entries.size - missing.length);
  for (const alg of tag) if (await inBag(`tagmanifest-${alg}.txt`)) yield* checkTagManifest(root, alg, inBag);
  yield* refused;
}

function bagItem(entry: BagEntry, size: number): Omit<Item, 'origin' | 'content'> {
  const digests: Digests = {};
  for (const [alg, hex] of entry.digests) {
    const key = digestKey(alg);
    if (key) digests[key] = hex;
  }
  if (Object.keys(digests).length > 0) return { location: entry.path, size, digests };
  return { location: entry.path, size, opaqueDigest: `unsupported hash algorithm (${[...entry.digests.keys()].join(', ')})` };
}

interface BagFacts {
  entries: number;
  octets: number;
  missing: string[];
  invalid: string[];
  partial: string[];
  extra: string[];
  fetched: Set<string>;
  verify: boolean;
}

function* bagNotices(root: string, f: BagFacts): Generator<SourceEvent> {
  const toFetch = f.missing.filter((p) => f.fetched.has(p));
  if (f.missing.length > 0) {
    const why = toFetch.length > 0 ? ` (${toFetch.length} of them listed in fetch.txt)` : '';
    yield notice(root, 'warning', `BagIt bag is incomplete: ${f.missing.length} of ${f.entries} payload files missing${why}: ${sample(f.missing)}`);
  }
  if (f.invalid.length > 0)
    yield notice(root, 'warning', `BagIt bag is invalid: ${f.invalid.length} payload file(s) fail their manifest digests: ${sample(f.invalid)}`);
  if (f.extra.length > 0)
    yield notice(root, 'warning', `BagIt bag has ${f.extra.length} file(s) in data/ not listed in any payload manifest: ${sample(f.extra)}`);
  if (f.partial.length > 0)
    yield notice(root, 'warning', `BagIt bag is invalid: ${f.partial.length} payload file(s) are missing from some payload manifests: ${sample(f.partial)}`);
  if (f.missing.length + f.invalid.length + f.extra.length + f.partial.length === 0) {
    const state = f.verify ? 'complete and valid' : 'complete (digests not verified)';
    yield notice(root, 'info', `BagIt bag is ${state}: ${f.entries} payload files, ${f.octets} bytes`);
  }
}

async function* checkOxum(root: string, names: string[], octets: number, files: number): AsyncGenerator<SourceEvent> {
  if (!names.includes('bag-info.txt')) return;
  const oxum = (await readTagFile(join(root, 'bag-info.txt'))).get('Payload-Oxum');
  if (oxum === undefined) return;
  if (oxum !== `${octets}.${files}`) {
    yield notice(root, 'warning', `BagIt bag is incomplete: Payload-Oxum says ${oxum} (octets.files) but the payload present holds ${octets}.${files}`);
  }
}

async function* checkTagManifest(root: string, alg: string, inBag: (name: string) => Promise<boolean>): AsyncGenerator<SourceEvent> {
  if (!VERIFIABLE.has(alg)) return;
  const entries = new Map<string, BagEntry>();
  yield* readBagManifest(join(root, `tagmanifest-${alg}.txt`), alg, entries);
  const failed: string[] = [];
  for (const entry of [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const ok = (await inBag(entry.path)) && (await digestsMatch(join(root, entry.path), entry.digests).catch(() => false));
    if (!ok) failed.push(entry.path);
  }
  if (failed.length > 0) yield notice(root, 'warning', `BagIt bag is invalid: tag file(s) fail tagmanifest-${alg}.txt: ${sample(failed)}`);
}

/** Streams the file once through every verifiable algorithm the manifests give for it. */
async function digestsMatch(file: string, expected: Map<string, string>): Promise<boolean> {
  const hashes = [...expected].filter(([alg]) => VERIFIABLE.has(alg)).map(([alg, hex]) => ({ hash: createHash(alg), hex }));
  if (hashes.length === 0) return true;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      for (const h of hashes) h.hash.update(chunk);
    }
  } catch {
    return false;
  }
  return hashes.every((h) => h.hash.digest('hex') === h.hex);
}

/** Paths of fetch.txt lines (`url length|- path`), percent-decoded like manifests. */
async function readFetchPaths(file: string): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const { text } of readLines(file)) {
    const m = /^\S+[ \t]+(?:\d+|-)[ \t]+(.+)$/.exec(text);
    if (m) out.add(m[1]!.replace(/%(0A|0D|25)/gi, (s) => decodeURIComponent(s)));
  }
  return out;
}
