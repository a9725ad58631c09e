import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The functions of libarchive.js's WebAssembly build of libarchive 3.7 that custody calls, in-thread:
 * the package's own client runs it in a worker and hands every member over whole, which leaves no
 * way to bound a member or stop a bomb; the module itself reads an archive from memory, entry by
 * entry, and a member in slices of the size asked.
 */
interface LibarchiveModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  cwrap(name: string, returns: 'number' | 'string' | null, args: string[]): (...args: (number | string | null)[]) => unknown;
}

/** An archive open in its own instance of the module, so that its memory is given back when it is closed. */
export interface LibarchiveReader {
  /** The next entry's header, or undefined at the end; `error` says why it ended early. */
  next(): LibarchiveEntry | undefined;
  /** The first `size` bytes still unread of the current entry; throws what libarchive said on failure. */
  read(size: number): Buffer;
  /** Why the entry list ended early (a corrupt or encrypted header), if it did. */
  error(): string | undefined;
  close(): void;
}

/** One entry's header, as libarchive reports it. */
export interface LibarchiveEntry {
  name: string;
  /** Declared uncompressed size. */
  size: number;
  type: 'file' | 'directory' | 'symlink' | 'other';
  encrypted: boolean;
}

// WebAssembly is global in Node; TypeScript declares it only with the DOM library: the two calls used.
interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

type Factory = (module: object) => Promise<LibarchiveModule>;
let loaded: Promise<{ factory: Factory; compiled: object }> | undefined;

/** The Emscripten glue and its compiled WebAssembly, loaded once; each archive gets a fresh instance. */
function load(): Promise<{ factory: Factory; compiled: object }> {
  loaded ??= (async () => {
    const glue = createRequire(import.meta.url).resolve('libarchive.js/src/webworker/wasm-gen/libarchive.js');
    const [module, binary] = await Promise.all([
      import(pathToFileURL(glue).href) as Promise<{ default: Factory }>,
      readFile(path.join(path.dirname(glue), 'libarchive.wasm')),
    ]);
    return { factory: module.default, compiled: await wasm.compile(binary) };
  })();
  return loaded;
}

/** libarchive's AE_IFREG, AE_IFDIR, AE_IFLNK (a Map: Biome rewrites octal keys of an object literal wrongly). */
const FILE_TYPES = new Map<number, LibarchiveEntry['type']>([
  [0o100000, 'file'],
  [0o040000, 'directory'],
  [0o120000, 'symlink'],
]);

/**
 * Zeros put after the archive. The module tries every format libarchive knows, and its zip reader
 * bids on an end-of-central-directory record anywhere in the last 64 KiB: a 7z or rar whose last
 * member is a stored zip was read as that zip alone (its other members never seen). Past this
 * much padding no such record is in reach, and the format whose magic is at offset 0 (the one
 * `sniff` told) wins; both formats ignore bytes after their end.
 */
const BID_PADDING = 65_536 + 22 + 1024;

/** The random pattern's period: a read ending on it by chance has odds of 2^-8 per byte. */
const POISON_PERIOD = 64;
/**
 * A tail this long still holding the pattern is a short read (odds of a chance match: 2^-128). A
 * shorter one is taken as data: at worst a few of custody's own random bytes, never another member's.
 */
const MIN_UNWRITTEN = 16;

/** A member whose data ended before the size its header declares (libarchive said nothing). */
export class ShortReadError extends Error {
  override name = 'ShortReadError';
}

/** How many bytes at the end of `out` still hold `poison` at their offset (never written by the read). */
export function unwritten(out: Buffer, poison: Buffer): number {
  // free() may write the allocator's size word over a block's last bytes (dlmalloc, when the size is
  // 4 more than a multiple of 8 and the block is recycled), so the pattern run may end up to
  // FOOTER_BYTES before the end: the longest run ending there is what was never written.
  let longest = 0;
  for (let end = out.length; end >= Math.max(0, out.length - FOOTER_BYTES); end--) {
    let at = end;
    while (at > 0 && out[at - 1] === poison[(at - 1) % poison.length]) at--;
    longest = Math.max(longest, end - at + (out.length - end));
  }
  return longest;
}

/** Bytes at a freed block's end the allocator may overwrite with its own bookkeeping. */
const FOOTER_BYTES = 8;

/**
 * The pattern as it lies from `address` on: it is laid by absolute address, so that blocks which
 * overlap (a freed block merged with its neighbour and handed out from an earlier start) agree.
 */
const alignedPoison = (poison: Buffer, address: number): Buffer => {
  const at = address % poison.length;
  return Buffer.concat([poison.subarray(at), poison.subarray(0, at)]);
};

/** How many blocks poisonBlocks fills at most before a read. */
const MAX_POISONED = 8;

/**
 * Fills with `poison` every block malloc(size) hands out, freeing each before asking again, until it
 * hands out one already filled: the allocator is deterministic, so get_filedata's malloc, next, gets
 * one of them. Asking once is not enough: a freed block may be filed behind another free block that
 * fits as well (dlmalloc's bins), and the next malloc then hands out that one, holding whatever an
 * earlier read left there (seen reading a rar4 with filters in 300-byte pieces).
 */
function poisonBlocks(lib: LibarchiveModule, size: number, poison: Buffer): Set<number> {
  const poisoned = new Set<number>();
  while (poisoned.size < MAX_POISONED) {
    const block = lib._malloc(size);
    if (block === 0) throw new Error(`${size} bytes could not be held in libarchive's memory`);
    const seen = poisoned.has(block);
    if (!seen) Buffer.from(lib.HEAPU8.buffer, block, size).fill(alignedPoison(poison, block));
    lib._free(block);
    if (seen) break;
    poisoned.add(block);
  }
  return poisoned;
}

/** Opens an archive held in memory with libarchive (the walk holds it: hold-whole.ts). */
export async function openLibarchive(bytes: Buffer): Promise<LibarchiveReader> {
  const { factory, compiled } = await load();
  // A failed instantiation (no memory to reserve) fails this archive, not the process: Emscripten
  // would otherwise wait for the instance forever.
  const lib = await new Promise<Awaited<ReturnType<typeof factory>>>((resolve, reject) => {
    factory({
      print: () => undefined,
      printErr: () => undefined,
      // One compile for the process; the instance (and its memory) is the archive's own.
      instantiateWasm: (imports: object, receive: (instance: object) => void) => {
        wasm.instantiate(compiled, imports).then(receive, reject);
        return {};
      },
    }).then(resolve, reject);
  });
  const call = <T>(name: string, returns: 'number' | 'string' | null, args: string[]) =>
    lib.cwrap(name, returns, args) as (...args: (number | string | null)[]) => T;
  const open = call<number>('archive_open', 'number', ['number', 'number', 'string', 'string']);
  const nextEntry = call<number>('get_next_entry', 'number', ['number']);
  const fileData = call<number>('get_filedata', 'number', ['number', 'number']);
  const errorString = call<string | null>('archive_error_string', 'string', ['number']);
  const entryName = call<string | null>('archive_entry_pathname_utf8', 'string', ['number']);
  const entryRawName = call<string | null>('archive_entry_pathname', 'string', ['number']);
  const entrySize = call<number>('archive_entry_size', 'number', ['number']);
  const entryType = call<number>('archive_entry_filetype', 'number', ['number']);
  const entryEncrypted = call<number>('archive_entry_is_encrypted', 'number', ['number']);
  const closeArchive = call<void>('archive_close', null, ['number']);

  const length = bytes.length + BID_PADDING;
  const data = lib._malloc(length);
  if (data === 0) throw new Error(`${bytes.length} bytes could not be held in libarchive's memory`);
  lib.HEAPU8.set(bytes, data);
  lib.HEAPU8.fill(0, data + bytes.length, data + length);
  // No passphrase: an encrypted entry is reported as such, never guessed at.
  const archive = open(data, length, null, 'en_US.UTF-8');
  let closed = false;
  return {
    next() {
      const entry = nextEntry(archive);
      if (!entry) return undefined;
      return {
        name: entryName(entry) ?? entryRawName(entry) ?? '',
        size: entrySize(entry),
        type: FILE_TYPES.get(entryType(entry)) ?? 'other',
        encrypted: entryEncrypted(entry) > 0,
      };
    },
    read(size) {
      // get_filedata mallocs `size` bytes, has archive_read_data fill what it can and returns the
      // buffer without the count: an entry that ends early (a rar whose header claims more than it
      // stores) came back padded with whatever the module's heap held, bytes of other members
      // included. So the blocks malloc may hand out are first filled with a random pattern and freed
      // (poisonBlocks), and what is still that pattern at the end after the read was never written.
      const poison = randomBytes(POISON_PERIOD);
      const poisoned = poisonBlocks(lib, size, poison);
      const pointer = fileData(archive, size);
      if (pointer <= 0) throw new Error(errorString(archive) ?? 'member data could not be read');
      // A copy: the module's memory is reused by the next read and freed with the archive.
      const out = Buffer.from(lib.HEAPU8.subarray(pointer, pointer + size));
      lib._free(pointer);
      if (!poisoned.has(pointer)) throw new ShortReadError(`${size} bytes asked; libarchive's buffer could not be checked, so the member is not inspected`);
      const unread = unwritten(out, alignedPoison(poison, pointer));
      if (unread >= MIN_UNWRITTEN)
        throw new ShortReadError(`the entry declares ${size} bytes but its data ends ${unread} bytes short; the member is not inspected`);
      return out;
    },
    error: () => errorString(archive) ?? undefined,
    close() {
      if (closed) return;
      closed = true;
      closeArchive(archive);
      lib._free(data);
    },
  };
}
