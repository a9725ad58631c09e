import { Transform } from 'node:stream';
import { type ContentSource, type CoverageEntry, chunksOf, type Item } from '../sources/item.js';

/** Counts for the report summary: every entry seen is either inspected or skipped with a reason. */
export class Tally {
  filesSeen = 0;
  filesInspected = 0;
  filesSkipped = 0;
  bytesSeen = 0;
  bytesRead = 0;
  /** Entries of the inputs met so far (files, links, special files), archive members not included. */
  entriesSeen = 0;
  /** The walk's entry count estimated ahead (progress display only); undefined until known. */
  entriesExpected: number | undefined;

  counts(): Pick<Tally, 'filesSeen' | 'filesInspected' | 'filesSkipped' | 'bytesSeen' | 'bytesRead'> {
    const { filesSeen, filesInspected, filesSkipped, bytesSeen, bytesRead } = this;
    return { filesSeen, filesInspected, filesSkipped, bytesSeen, bytesRead };
  }

  /** An item the detectors looked at; skipped when something about it could not be inspected. */
  count(item: Item, coverage: readonly CoverageEntry[]): void {
    this.filesSeen++;
    this.bytesSeen += Math.max(0, item.size);
    if (coverage.some((c) => c.incomplete)) this.filesSkipped++;
    else this.filesInspected++;
  }

  /** An entry no detector saw (symlink, special file, unreadable file). Directories are not files. */
  countUninspected(entry: CoverageEntry): void {
    if (entry.reason === 'unreadable-directory') return;
    this.filesSeen++;
    this.filesSkipped++;
  }
}

/** Wraps a content source so every byte custody reads is counted (into a tally, or any counter). */
export function countingContent(content: ContentSource, tally: Pick<Tally, 'bytesRead'>): ContentSource {
  return {
    async head(n) {
      const head = await content.head(n);
      tally.bytesRead += head.length;
      return head;
    },
    async readAll() {
      const all = await content.readAll();
      tally.bytesRead += all.length;
      return all;
    },
    stream() {
      const source = content.stream();
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          tally.bytesRead += chunk.length;
          done(null, chunk);
        },
      });
      source.on('error', (error) => counter.destroy(error));
      return source.pipe(counter);
    },
    // Only where the source has its own: chunksOf() falls back to stream() above, which counts.
    ...(content.lentChunks && {
      async *lentChunks() {
        for await (const chunk of chunksOf(content)) {
          tally.bytesRead += chunk.length;
          yield chunk;
        }
      },
    }),
  };
}
