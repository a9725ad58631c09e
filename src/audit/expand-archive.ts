import type { ExpansionEvent } from '../cache/entry.js';
import { type InspectionSink, memberEvent } from '../cache/replay.js';
import { type Inspection, inspectItem } from '../identify/inspect.js';
import type { ArchiveHook } from '../sources/archives-on-disk.js';
import type { ContentSource, CoverageEntry } from '../sources/item.js';
import { ownAccessMode } from '../sources/item.js';
import { describeError } from '../util/errors.js';
import type { IdentifyStage } from './detectors.js';
import { countingContent, type Tally } from './tally.js';

/** Where expanding an archive reports to. */
export interface ExpandTarget {
  sink: InspectionSink;
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
  identify: IdentifyStage,
  target: ExpandTarget,
  record: ExpansionEvent[] | undefined,
): Promise<boolean> {
  const { sink } = target;
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
        sink.notice(event.notice);
        record?.push({ kind: 'notice', notice: event.notice });
      } else if (event.kind === 'coverage') {
        uninspected(event.entry);
      } else {
        const member = event.item.content ? { ...event.item, content: counted(event.item.content, target.tally, target.read) } : event.item;
        const inspection = await inspectItem(member, identify.detectors, identify.wantMedia);
        settled = (await sink.consider(inspection, containerMode)) && settled;
        record?.push(memberEvent(event.item, inspection));
      }
    }
  } catch (error) {
    uninspected({
      location: outer.item.location,
      reason: 'corrupt-archive',
      detail: describeError(error),
      incomplete: true,
    });
  }
  return settled;
}

/** Counts every byte read into the audit's tally and into the top-level file's own counter. */
export function counted(content: ContentSource, tally: Tally, read: { bytesRead: number }): ContentSource {
  return countingContent(countingContent(content, tally), read);
}
