import type { Readable } from 'node:stream';
import type * as tarStream from 'tar-stream';
import { lazy } from '../../util/lazy.js';
import type { SourceEvent } from '../item.js';
import { coverageEvent, limitCoverage } from './errors.js';
import { OneShotContent } from './one-shot-content.js';
import { gnuExtractView } from './tar-headers.js';
import { admit, type Level, memberLocation, normaliseName, reportFailure, type Walk } from './walk.js';

const loadTarStream = lazy(() => import('tar-stream'));

/**
 * Yields the members of a tar, read in one pass (through `decompress` for a compressed tar: its
 * guarded decoder). Each member's bytes are readable while the walk is suspended at its `yield`;
 * whatever the consumer leaves is drained before the next header.
 */
export async function* expandTar(source: Readable, level: Level, walk: Walk, decompress?: (raw: Readable) => Readable): AsyncGenerator<SourceEvent> {
  const { options } = walk;
  const upstream = decompress ? decompress(source) : source;
  const extract = (await loadTarStream()).extract();
  // Sizes GNU tar ignores when extracting: what they cover is read as the headers it is to tar -x.
  const ignoredSizes = new Map<string, number>();
  const view = gnuExtractView((name, size) => ignoredSizes.set(normaliseName(name), size));
  // tar-stream is built on streamx, so errors are forwarded by hand rather than by stream.pipeline.
  upstream.on('error', (error: Error) => view.destroy(error));
  view.on('error', (error: Error) => extract.destroy(error));
  upstream.pipe(view).pipe(extract);
  let count = 0;
  try {
    for await (const entry of extract) {
      if (walk.stopped) break;
      if (++count > options.maxEntries) {
        yield limitCoverage(level.location, 'maxEntries', options.maxEntries, 'further entries are not inspected');
        break;
      }
      yield* readTarEntry(entry, level, walk, ignoredSizes);
    }
  } catch (error) {
    const event = reportFailure(walk, level.location, error);
    if (event) yield event;
  } finally {
    extract.destroy();
    view.destroy();
    upstream.destroy();
    source.destroy();
  }
}

type TarEntry = tarStream.Extract extends AsyncIterable<infer E> ? E : never;

async function* readTarEntry(entry: TarEntry, level: Level, walk: Walk, ignoredSizes: Map<string, number>): AsyncGenerator<SourceEvent> {
  const header = entry.header;
  const name = normaliseName(header.name);
  const location = memberLocation(level, name);
  const type = header.type ?? 'file';
  if (type !== 'file' && type !== 'contiguous-file') {
    entry.resume();
    const ignored = ignoredSizes.get(name);
    ignoredSizes.delete(name);
    const sized = ignored ? `; its declared ${ignored} bytes are read as the members GNU tar extracts from them` : '';
    if (type === 'directory') {
      if (sized) yield coverageEvent({ location, reason: 'special-file', detail: `tar directory member${sized}`, incomplete: false });
      return;
    }
    if (type === 'symlink' || type === 'link') {
      const kind = type === 'symlink' ? 'symbolic link' : 'hard link';
      yield coverageEvent({ location, reason: 'link-member', detail: `${kind} to ${header.linkname ?? '?'}, not followed${sized}`, incomplete: false });
    } else {
      yield coverageEvent({ location, reason: 'special-file', detail: `tar ${type} member${sized}`, incomplete: false });
    }
    return;
  }
  const size = header.size ?? 0;
  const refused = admit(walk, location, size);
  if (refused) {
    entry.resume();
    yield refused;
    return;
  }
  // streamx readables are async-iterable at runtime; its typings just do not say so.
  const bytes = entry as unknown as AsyncIterable<Buffer>;
  const content = new OneShotContent(bytes, location, size, walk.options.maxMemberBufferBytes);
  const mode = (header.mode ?? 0) & 0o7777;
  yield* walk.member(level, { name, size, ...(header.mtime ? { mtime: header.mtime } : {}), ...(mode ? { mode } : {}), content });
}
