import type { ExpansionEvent } from '../cache/entry.js';
import type { CacheStats, InspectionCache } from '../cache/inspection-cache.js';
import { entryFor, type InspectionSink, replayEntry } from '../cache/replay.js';
import type { Subject } from '../evaluate/requirement.js';
import { type Inspection, inspectItem } from '../identify/inspect.js';
import type { ArchiveHook } from '../sources/archives-on-disk.js';
import type { CoverageEntry, Fact, Notice, SourceEvent } from '../sources/item.js';
import { shardOf } from '../util/shard.js';
import type { IdentifyStage } from './detectors.js';
import { counted, expand } from './expand-archive.js';
import { settleFacts, subjectOf } from './subject.js';
import { Tally } from './tally.js';

/** What the inspect stage needs besides its input events. */
export interface InspectSettings {
  identify: IdentifyStage;
  /** Looks inside archives; undefined turns archive expansion off. */
  archives?: ArchiveHook | undefined;
  cache?: InspectionCache | undefined;
  isAuthorized: (location: string) => boolean;
  /** Inspect only the items of shard `index` of `count` (1-based), by a hash of their location. */
  shard?: { index: number; count: number } | undefined;
  /** Called after each item, for progress displays. */
  onItem?: ((tally: Readonly<Tally>, cache?: Readonly<CacheStats>) => void) | undefined;
}

/**
 * The item loop: every source event is counted, inspected by the detectors (or replayed from the
 * re-audit cache), expanded when it is an archive, and becomes a subject when agency data was
 * identified. Holds the stage's results; `handle` is safe to call concurrently.
 */
export class InspectStage implements InspectionSink {
  readonly tally = new Tally();
  readonly coverage: CoverageEntry[] = [];
  readonly subjects: Subject[] = [];
  /** What the sources of the items met can know: a requirement that needs another fact is not evaluable. */
  readonly knows = new Set<Fact>();
  /** A hook that does not state its limits could expand differently next time: its archives are not cached. */
  private readonly cacheArchives: boolean;

  constructor(
    private readonly settings: InspectSettings,
    readonly notices: Notice[],
  ) {
    this.cacheArchives = settings.archives?.settings !== undefined;
  }

  async consider(inspection: Inspection, containerMode: number | undefined): Promise<boolean> {
    this.coverage.push(...inspection.coverage);
    this.tally.count(inspection.item, inspection.coverage);
    for (const fact of inspection.item.known?.knows ?? []) this.knows.add(fact);
    const settled = await settleFacts(inspection);
    const subject = subjectOf(inspection, this.settings.isAuthorized, containerMode);
    if (subject) this.subjects.push(subject);
    this.settings.onItem?.(this.tally, this.settings.cache?.stats);
    return settled;
  }

  uninspected(entry: CoverageEntry): void {
    this.coverage.push(entry);
    this.tally.countUninspected(entry);
  }

  notice(notice: Notice): void {
    this.notices.push(notice);
  }

  async handle(event: SourceEvent): Promise<void> {
    if (event.kind === 'notice') return this.notice(event.notice);
    const { shard } = this.settings;
    if (shard && shardOf(event.kind === 'item' ? event.item.location : event.entry.location, shard.count) !== shard.index) return;
    if (event.kind === 'coverage') {
      if (event.entry.reason !== 'unreadable-directory') this.tally.entriesSeen++;
      return this.uninspected(event.entry);
    }
    this.tally.entriesSeen++;
    const { cache, archives, identify } = this.settings;
    const recalled = cache?.recall(event.item);
    if (recalled) return replayEntry(event.item, recalled, this);
    const read = { bytesRead: 0 };
    const item = event.item.content ? { ...event.item, content: counted(event.item.content, this.tally, read) } : event.item;
    const inspection = await inspectItem(item, identify.detectors, identify.wantMedia);
    let settled = await this.consider(inspection, undefined);
    let expansion: ExpansionEvent[] | undefined;
    const isArchive = archives !== undefined && inspection.media !== undefined && archives.handles(inspection.media);
    if (isArchive) {
      expansion = cache && this.cacheArchives ? [] : undefined;
      settled = (await expand(archives, inspection, identify, { sink: this, tally: this.tally, read }, expansion)) && settled;
    }
    if (cache && settled && (!isArchive || expansion)) cache.remember(event.item, entryFor(inspection, read.bytesRead, expansion));
  }
}
