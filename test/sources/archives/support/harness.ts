import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { type ArchiveOptions, expandArchive } from '../../../../src/sources/archives/index.js';
import { fileContent } from '../../../../src/sources/file-content.js';
import type { CoverageEntry, Item } from '../../../../src/sources/item.js';
import { sniff } from '../../../../src/sources/sniff.js';

/** Smallest JPEG-looking bytes: sniff() only needs the SOI marker. */
export const jpeg = (label: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(label)]);

export interface TarEntrySpec {
  name: string;
  data?: Buffer;
  type?: 'file' | 'symlink' | 'link' | 'directory';
  linkname?: string;
  mode?: number;
  mtime?: Date;
}

/** Builds a tar in memory with tar-stream's packer. */
export async function buildTar(entries: readonly TarEntrySpec[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const done = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  })();
  for (const spec of entries) {
    const { data, ...header } = spec;
    await new Promise<void>((resolve, reject) =>
      pack.entry({ ...header, type: spec.type ?? 'file' }, data ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve())),
    );
  }
  pack.finalize();
  return done;
}

export const buildTarGz = async (entries: readonly TarEntrySpec[]): Promise<Buffer> => gzipSync(await buildTar(entries));

export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'custody-archives-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `bytes` as `name` in `dir` and returns the filesystem item the walker would have made. */
export async function fileItem(dir: string, name: string, bytes: Buffer): Promise<{ item: Item; file: string }> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  const { size, mtime } = await stat(file);
  return { item: { location: name, origin: 'filesystem', size, mtime, content: fileContent(file, size) }, file };
}

/** An item whose content is only a repeatable in-memory stream (no path): exercises buffering. */
export function memoryItem(name: string, bytes: Buffer): Item {
  return {
    location: name,
    origin: 'filesystem',
    size: bytes.length,
    content: {
      head: (n) => Promise.resolve(bytes.subarray(0, n)),
      readAll: () => Promise.resolve(bytes),
      stream: () => Readable.from([bytes], { objectMode: false }),
    },
  };
}

export interface Expansion {
  items: Item[];
  coverage: CoverageEntry[];
  /** Bytes of each member as read through `stream()` while the walk was suspended. */
  bytes: Map<string, Buffer>;
  /** Event kinds and locations in order, for ordering checks. */
  order: string[];
}

export type Consumer = (item: Item) => Promise<void>;

async function streamAll(item: Item): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of item.content!.stream() as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Runs expandArchive as the pipeline does: each item is fully processed before asking for the next. */
export async function expand(item: Item, options: ArchiveOptions = {}, consume?: Consumer): Promise<Expansion> {
  const result: Expansion = { items: [], coverage: [], bytes: new Map(), order: [] };
  const media = sniff(await item.content!.head(512));
  for await (const event of expandArchive(item, media, options)) {
    if (event.kind === 'item') {
      result.items.push(event.item);
      result.order.push(`item ${event.item.location}`);
      if (consume) await consume(event.item);
      else {
        try {
          result.bytes.set(event.item.location, await streamAll(event.item));
        } catch {
          // Coverage says why; the test checks it there.
        }
      }
    } else if (event.kind === 'coverage') {
      result.coverage.push(event.entry);
      result.order.push(`coverage ${event.entry.location}`);
    }
  }
  return result;
}

export const locations = (expansion: Expansion): string[] => expansion.items.map((item) => item.location);
export const reasons = (expansion: Expansion): string[] => expansion.coverage.map((entry) => `${entry.reason} ${entry.location}`);
