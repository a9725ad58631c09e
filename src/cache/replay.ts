import type { Inspection } from '../identify/inspect.js';
import type { CoverageEntry, Item, Notice } from '../sources/item.js';
import type { CachedEntry, ExpansionEvent } from './entry.js';

/** Where inspections go, fresh or replayed: the audit's inspect stage. */
export interface InspectionSink {
  /** Counts an inspection and keeps its subject; false when its facts could not all be read. */
  consider(inspection: Inspection, containerMode: number | undefined): Promise<boolean>;
  /** Something met but not inspected (coverage). */
  uninspected(entry: CoverageEntry): void;
  notice(notice: Notice): void;
}

/**
 * Stands in for inspecting an unchanged file, and expanding it for an archive: the stored conclusions
 * go to the sink in the order the cold run met them, and nothing is read.
 */
export async function replayEntry(item: Item, entry: CachedEntry, sink: InspectionSink): Promise<void> {
  const { content: _unread, ...file } = item;
  const { media, identifications, facts } = entry;
  await sink.consider({ item: file, ...(media ? { media } : {}), identifications, facts, coverage: entry.coverage }, undefined);
  for (const event of entry.expansion ?? []) {
    if (event.kind === 'notice') sink.notice(event.notice);
    else if (event.kind === 'coverage') sink.uninspected(event.entry);
    else {
      const { media: memberMedia, ...conclusion } = event.conclusion;
      await sink.consider({ item: { ...event.member, origin: 'archive' }, ...(memberMedia ? { media: memberMedia } : {}), ...conclusion }, item.mode);
    }
  }
}

/** What to store for a file inspected afresh: its conclusions, the bytes it took, and an archive's expansion. */
export function entryFor(inspection: Inspection, bytesRead: number, expansion: readonly ExpansionEvent[] | undefined): CachedEntry {
  const { media, identifications, facts, coverage } = inspection;
  return { ...(media ? { media } : {}), identifications, facts, coverage, bytesRead, ...(expansion ? { expansion: [...expansion] } : {}) };
}

/** An archive member's inspection as an expansion event (the member without its content). */
export function memberEvent(member: Item, inspection: Inspection): ExpansionEvent {
  const { location, size, mtime, mode, archiveChain } = member;
  const { media, identifications, facts, coverage } = inspection;
  return {
    kind: 'member',
    member: { location, size, ...(mtime ? { mtime } : {}), ...(mode !== undefined ? { mode } : {}), archiveChain: archiveChain ?? [] },
    conclusion: { ...(media ? { media } : {}), identifications, facts, coverage },
  };
}
