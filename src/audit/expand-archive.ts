import type { ExpansionEvent } from '../cache/entry.js';
import type { Detector } from '../identify/detector.js';
import type { ArchiveHook } from '../sources/archives-on-disk.js';
import type { ContentSource, CoverageEntry, Notice } from '../sources/item.js';
import { ownAccessMode } from '../sources/source.js';
import { type Inspection, inspectItem } from './inspect.js';
import { countingContent, type Tally } from './tally.js';

/** What expanding an archive reports into. */
export interface ExpandSink {
  consider: (inspection: Inspection, containerMode: number | undefined) => Promise<boolean>;
  uninspected: (entry: CoverageEntry) => void;
  notices: Notice[];
  tally: Tally;
  /** The top-level file's own read counter (its members' bytes are its bytes). */
  read: { bytesRead: number };
}

/**
 * Runs every detector on each archive member; members are inspected one by one, in archive order.
 * With `record`, every event is also appended to it, for the cache. Returns false when a member's
 * facts could not all be read.
 */
export async function expand(
  archives: ArchiveHook,
  outer: Inspection,
  detectors: readonly Detector[],
  wantMedia: boolean,
  sink: ExpandSink,
  record: ExpansionEvent[] | undefined,
): Promise<boolean> {
  // The archive file's own bits govern who can read its members, when its source knows them.
  const containerMode = ownAccessMode(outer.item);
  let settled = true;
  const uninspected = (entry: CoverageEntry): void => {
    sink.uninspected(entry);
    record?.push({ kind: 'coverage', entry });
  };
  try {
    for await (const event of archives.expand(outer.item, outer.media!)) {
      if (event.kind === 'notice') {
        sink.notices.push(event.notice);
        record?.push({ kind: 'notice', notice: event.notice });
      } else if (event.kind === 'coverage') {
        uninspected(event.entry);
      } else {
        const member = event.item.content ? { ...event.item, content: counted(event.item.content, sink.tally, sink.read) } : event.item;
        const inspection = await inspectItem(member, detectors, wantMedia);
        settled = (await sink.consider(inspection, containerMode)) && settled;
        if (record) {
          const { location, size, mtime, mode, archiveChain } = event.item;
          const { media, identifications, facts, coverage } = inspection;
          record.push({
            kind: 'member',
            member: { location, size, ...(mtime ? { mtime } : {}), ...(mode !== undefined ? { mode } : {}), archiveChain: archiveChain ?? [] },
            conclusion: { ...(media ? { media } : {}), identifications, facts, coverage },
          });
        }
      }
    }
  } catch (error) {
    uninspected({
      location: outer.item.location,
      reason: 'corrupt-archive',
      detail: String((error as Error)?.message ?? error).split('\n')[0],
      incomplete: true,
    });
  }
  return settled;
}

/** Counts every byte read into the audit's tally and into the top-level file's own counter. */
export function counted(content: ContentSource, tally: Tally, read: { bytesRead: number }): ContentSource {
  return countingContent(countingContent(content, tally), read);
}
