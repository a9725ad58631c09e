import { createHash } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import { canonicalJsonPieces } from '../util/canonical-json.js';
import { InputError } from '../util/errors.js';
import { InputFileError, readInputFileSync } from '../util/input-file.js';
import { columnsFromReferences } from './columns.js';
import { FingerprintIndex, type LoadedFingerprints } from './index-set.js';
import { type FingerprintFile, FingerprintFileSchema, type FingerprintSet, type PlateSet } from './schema.js';
import { type ReferenceShare, splitColumns } from './split.js';
import { type ReadStoreOptions, readStoreIfAny } from './store-read.js';
import { storeSet } from './store-references.js';

/**
 * Largest fingerprint file custody reads: 512 MiB, about V8's longest string. A reference with its
 * nine tile hashes is ~1.3 KB of JSON, so this holds ~400,000 references (~1.7 million without
 * tiles); the agency sets in sight are a few thousand.
 */
export const MAX_FINGERPRINT_BYTES = 512 * 1024 * 1024;

/**
 * Heap needed to load a fingerprint file, per byte of it: the text, the parsed objects, zod's
 * validated copy and the canonical JSON of the digest check are alive together. Measured: a 129 MB
 * file of 100,000 references peaked at 1,024 MB RSS (7.9x) and kept 188 MB of heap.
 */
const LOAD_HEAP_FACTOR = 8;

/**
 * View hashes an audit keeps in memory; a store with more leaves them in its file (verified as it is
 * read all the same). 256 MiB is about 400,000 references with 20 views each: at ten million the
 * views are 6.4 GB, of which the index needs the 3 core views per reference and verification reads
 * only candidates' tiles.
 */
export const VIEWS_IN_MEMORY = 256 * 2 ** 20;

/**
 * Plate digests an audit keeps in memory whole (32 bytes each); a store with more leaves them in
 * its file and keeps 2 bytes each (plate-file.ts). 16 MiB is half a million digests: past it, the
 * first touch of the whole table cost more than its lookups (1.1-1.5 CPU-s at ten million).
 */
export const PLATES_IN_MEMORY = 16 * 2 ** 20;

/** The digest a fingerprint file records: over its canonical JSON without `digest` and `createdAt`. */
export function fingerprintDigest(file: Omit<FingerprintFile, 'digest'> & { digest?: string }): string {
  const { digest: _digest, createdAt: _createdAt, ...content } = file;
  // In pieces: the canonical text of a large set passes V8's longest string.
  const hash = createHash('sha256');
  for (const piece of canonicalJsonPieces(content)) hash.update(piece);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Heap per reference and per PDQ view when a store's references are materialised as objects (ids,
 * hex strings, arrays), which only commands that rewrite a set whole do (an audit reads the columns).
 * Measured after a full collection on 50,000 synthetic references with 9 views each: 1,690 bytes per
 * reference; these constants give 2,220 (about 1.3x, for what is alive while they are built).
 */
const OBJECT_HEAP_PER_REFERENCE = 600;
const OBJECT_HEAP_PER_VIEW = 180;

/**
 * Reads, validates and digest-checks one fingerprint file, v1 JSON or v2 store (told apart by the
 * store's magic bytes); throws InputError with a one-line reason. `loadJson` loads a v1 JSON file
 * (the re-audit cache passes one that reuses columns it verified before).
 */
export async function loadFingerprintFile(
  file: string,
  options: ReadStoreOptions = {},
  loadJson: (file: string) => Promise<LoadedFingerprints> = loadJsonSet,
): Promise<LoadedFingerprints> {
  const store = await readStoreIfAny(file, options);
  if (store) {
    const { footer, columns, viewFile, plateFile } = store;
    let set: FingerprintSet | undefined;
    return {
      path: file,
      format: footer.format,
      version: footer.version,
      digest: footer.digest,
      columns,
      tables: { classes: footer.classes, media: footer.media, variants: footer.variants },
      ...(footer.plates ? { plates: footer.plates } : {}),
      ...(viewFile ? { viewFile } : {}),
      ...(plateFile ? { plateFile } : {}),
      get file() {
        if (set) return set;
        // An audit's path never asks; a command that does loads the store with its views.
        if (viewFile) throw new Error(`${file}: the store's view hashes were left in the file; load it with its views to read it whole`);
        if (plateFile) throw new Error(`${file}: the store's plate digests were left in the file; load it with them to read it whole`);
        const { references, views } = footer.counts;
        checkHeap(file, references * OBJECT_HEAP_PER_REFERENCE + views * OBJECT_HEAP_PER_VIEW, `fingerprint store of ${references} references, as objects,`);
        set = storeSet(store);
        return set;
      },
    };
  }
  return loadJson(file);
}

/** A v1 JSON file read, validated, digest-checked and laid out as columns. */
const loadJsonSet = async (file: string): Promise<LoadedFingerprints> => loadedSet(file, await loadJsonFile(file));

/** A set held as v1 objects (a parsed JSON file, or one built in memory), laid out as columns. */
export function loadedSet(file: string, set: FingerprintSet): LoadedFingerprints {
  const { digests: _digests, ...plates } = set.plates ?? ({} as PlateSet);
  return {
    path: file,
    format: set.format,
    version: set.version,
    digest: set.digest,
    ...columnsFromReferences(set.references, set.plates),
    ...(set.plates ? { plates } : {}),
    file: set,
  };
}

async function loadJsonFile(file: string): Promise<FingerprintFile> {
  return parseFingerprintJson(file, await readFingerprintBytes(file));
}

/**
 * The bytes of a fingerprint file as a v1 JSON file is read: a regular file of at most
 * {@link MAX_FINGERPRINT_BYTES}, refused in one line when the heap could not hold it parsed.
 */
export async function readFingerprintBytes(file: string): Promise<Buffer> {
  return readFingerprintBytesSync(file);
}

/** {@link readFingerprintBytes} for a synchronous caller (a loaded set's `file`, built on demand). */
export function readFingerprintBytesSync(file: string): Buffer {
  try {
    return readInputFileSync(file, MAX_FINGERPRINT_BYTES, (size) =>
      checkHeap(file, size * LOAD_HEAP_FACTOR, `fingerprint file of ${Math.ceil(size / 2 ** 20)} MiB`),
    );
  } catch (error) {
    if (error instanceof InputFileError) {
      throw new InputError(file, error.systemError ? `cannot read fingerprint file (${error.message})` : `fingerprint file ${error.message}`);
    }
    throw error;
  }
}

/** A v1 JSON fingerprint file's bytes, parsed, validated and digest-checked; throws InputError with a one-line reason. */
export function parseFingerprintJson(file: string, bytes: Buffer): FingerprintFile {
  const text = bytes.toString('utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // Neither JSON nor a store: say so rather than quote the parser on binary bytes.
    if (/^\s*[^\s{[]/.test(text.slice(0, 64))) throw new InputError(file, 'not a custody fingerprint file (neither JSON nor a fingerprint store)');
    throw new InputError(file, `not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = FingerprintFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
    throw new InputError(file, `not a custody fingerprint file: ${where}${issue.message}${more}`);
  }
  if (fingerprintDigest(parsed.data) !== parsed.data.digest) {
    throw new InputError(file, 'fingerprint file digest does not match its content (edited or corrupted)');
  }
  return parsed.data;
}

/**
 * Refuses, in one line, a file the heap cannot parse: past the heap limit V8 aborts the process with
 * a native stack (SIGABRT), which is neither a report nor an exit code.
 */
function checkHeap(file: string, needed: number, what: string): void {
  const { heap_size_limit: limit, used_heap_size: used } = getHeapStatistics();
  if (needed <= limit - used) return;
  const mib = (n: number) => Math.ceil(n / 2 ** 20);
  throw new InputError(
    file,
    `${what} needs about ${mib(needed)} MiB of memory to load, and this process has ${mib(limit - used)} MiB left (raise it with NODE_OPTIONS=--max-old-space-size=${mib(needed + used) + 256})`,
  );
}

/** How {@link loadFingerprints} loads its files. */
export interface LoadFingerprintsOptions {
  /** Only this share of each set's references (a reference split). */
  split?: ReferenceShare;
  /** Keep a store's view hashes in memory even when there is one set. */
  keepViews?: boolean;
  /**
   * Loads one file; default {@link loadFingerprintFile}. The re-audit cache supplies one that
   * reuses a v1 file's verified columns (src/cache/fingerprint-cache.ts).
   */
  loadFile?: (file: string, options: ReadStoreOptions) => Promise<LoadedFingerprints>;
}

/**
 * Loads several fingerprint files into one index (their columns; no object per reference); with
 * `split`, only the references of that share (split.ts: by a hash of the id; plate digests are all
 * kept). Each set keeps its whole digest.
 */
export async function loadFingerprints(files: readonly string[], options: LoadFingerprintsOptions = {}): Promise<FingerprintIndex> {
  const sets: LoadedFingerprints[] = [];
  // One set: its views can stay in its file (the index reads them once, the matcher a candidate's;
  // a split reads its share's). Several sets are combined into one column set in memory.
  const leave = files.length === 1 && !options.keepViews ? { viewsInMemoryUpTo: VIEWS_IN_MEMORY, platesInMemoryUpTo: PLATES_IN_MEMORY } : {};
  for (const file of files) {
    const loaded = await (options.loadFile ?? loadFingerprintFile)(file, leave);
    sets.push(options.split ? splitSet(loaded, options.split) : loaded);
  }
  return new FingerprintIndex(sets);
}

/** One share of a loaded set: its columns split (the set's objects, for commands that want them, stay whole). */
function splitSet(loaded: LoadedFingerprints, share: ReferenceShare): LoadedFingerprints {
  // Field by field: spreading `loaded` would read its `file` getter, which builds every reference as an object.
  return {
    path: loaded.path,
    format: loaded.format,
    version: loaded.version,
    digest: loaded.digest,
    columns: splitColumns(loaded.columns, share, loaded.viewFile),
    tables: loaded.tables,
    ...(loaded.plates ? { plates: loaded.plates } : {}),
    // Plate digests are all kept by every share (they are not references).
    ...(loaded.plateFile ? { plateFile: loaded.plateFile } : {}),
    get file() {
      return loaded.file;
    },
  };
}
