import type { CachedEntry, ExpansionEvent } from '../cache/entry.js';
import type { CacheStats, InspectionCache } from '../cache/inspection-cache.js';
import { entryFor, type InspectionSink, replayEntry } from '../cache/replay.js';
import type { Subject } from '../evaluate/requirement.js';
import { type Inspection, inspectItem } from '../identify/inspect.js';
import type { ArchiveHook } from '../sources/archives-on-disk.js';
import type { CoverageEntry, Fact, Item, Notice, SourceEvent } from '../sources/item.js';
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
    this.account(inspection.item, inspection.coverage);
    const settled = await settleFacts(inspection);
    const subject = subjectOf(inspection, this.settings.isAuthorized, containerMode);
    if (subject) this.subjects.push(subject);
    this.settings.onItem?.(this.tally, this.settings.cache?.stats);
    return settled;
  }

  /**
   * What `consider` does with an inspection that identified nothing: it has no facts to settle and
   * becomes no subject, so it is done here without a promise (most files of most audits).
   */
  private considerPlain(item: Item, coverage: readonly CoverageEntry[]): void {
    this.account(item, coverage);
    this.settings.onItem?.(this.tally, this.settings.cache?.stats);
  }

  private account(item: Item, coverage: readonly CoverageEntry[]): void {
    if (coverage.length > 0) this.coverage.push(...coverage);
    this.tally.count(item, coverage);
    for (const fact of item.known?.knows ?? []) this.knows.add(fact);
  }

  uninspected(entry: CoverageEntry): void {
    this.coverage.push(entry);
    this.tally.countUninspected(entry);
  }

  notice(notice: Notice): void {
    this.notices.push(notice);
  }

  /** Takes one source event; a promise only while the event's item is being inspected (see forEachConcurrentInGroups). */
  handle(event: SourceEvent): Promise<void> | void {
    if (event.kind === 'notice') return this.notice(event.notice);
    const { shard } = this.settings;
    if (shard && shardOf(event.kind === 'item' ? event.item.location : event.entry.location, shard.count) !== shard.index) return;
    if (event.kind === 'coverage') {
      if (event.entry.reason !== 'unreadable-directory') this.tally.entriesSeen++;
      return this.uninspected(event.entry);
    }
    this.tally.entriesSeen++;
    const { cache, identify } = this.settings;
    const recalled = cache?.recall(event.item);
    if (recalled) {
      if (recalled.identifications.length > 0 || recalled.expansion) return replayEntry(event.item, recalled, this);
      // What replayEntry does with an entry that identified nothing and expanded nothing, without its promises.
      return this.considerPlain(event.item, recalled.coverage);
    }
    if (!identify.wantMedia && !identify.detectors.some((d) => d.applies(event.item, undefined))) {
      // Nothing to sniff and no detector for it (an exact-only audit meets mostly files whose size
      // no reference has): inspectItem would read nothing and conclude nothing, and no archive is
      // opened without a media type. Its conclusion is recorded as inspectItem's would be.
      this.considerPlain(event.item, NOTHING_COVERED);
      return cache?.remember(event.item, NOTHING_CONCLUDED);
    }
    return this.inspect(event.item);
  }

  private async inspect(original: Item): Promise<void> {
    const { cache, archives, identify } = this.settings;
    const read = { bytesRead: 0 };
    const item = original.content ? { ...original, content: counted(original.content, this.tally, read) } : original;
    const inspection = await inspectItem(item, identify.detectors, identify.wantMedia);
    let settled = await this.consider(inspection, undefined);
    let expansion: ExpansionEvent[] | undefined;
    const isArchive = archives !== undefined && inspection.media !== undefined && archives.handles(inspection.media);
    if (isArchive) {
      expansion = cache && this.cacheArchives ? [] : undefined;
      settled = (await expand(archives, inspection, identify, { sink: this, tally: this.tally, read }, expansion)) && settled;
    }
    if (cache && settled && (!isArchive || expansion)) cache.remember(original, entryFor(inspection, read.bytesRead, expansion));
  }
}

const NOTHING_COVERED: readonly CoverageEntry[] = [];
/** The cache entry of an item inspected without a read and with no conclusion (entryFor's, shared: the cache only encodes it). */
const NOTHING_CONCLUDED: CachedEntry = Object.freeze({ identifications: [], facts: {}, coverage: [], bytesRead: 0 });
