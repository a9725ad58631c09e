import path from 'node:path';
import type { Detector } from '../identify/detector.js';
import { plateKeyId } from '../identify/plates/key.js';
import { type CacheOptions, InspectionCache } from './inspection-cache.js';
import { cacheIdentity, sealKeyFor } from './key.js';

/** What an audit's cache is keyed on, besides custody's own code. */
export interface AuditCacheSettings {
  /** The detectors in the order they run; each supplies its own settings. */
  detectors: readonly Detector[];
  wantMedia: boolean;
  /** Archive limits, 'uncached' for a hook that states none, or 'off'. */
  archives: unknown;
  /** The plate key seals the cache body (never stored). */
  plateKey: Buffer | undefined;
  /** The audit's scope: entries outside it are dropped when the file is rewritten. */
  roots: readonly string[];
  shard: { index: number; count: number } | undefined;
  /** The share of a reference split (`--references k/n`), when the audit is one. */
  references?: { index: number; count: number } | undefined;
}

/** Loads the cache for this audit's settings and scope; undefined when it cannot be opened (off, with a notice). */
export async function openAuditCache(options: CacheOptions, settings: AuditCacheSettings, startedAt: Date): Promise<InspectionCache | undefined> {
  const identity = await cacheIdentity(
    {
      // A reference split looks for one share of sets whose digests are the whole sets': its share
      // is part of what each detector's conclusions depend on.
      detectors: settings.detectors.map((d) => ({ id: d.id, settings: settings.references ? { ...d.settings, references: settings.references } : d.settings })),
      wantMedia: settings.wantMedia,
      archives: settings.archives,
      plateKeyId: settings.plateKey ? plateKeyId(settings.plateKey) : null,
    },
    { roots: settings.roots.map((root) => path.resolve(root)), shard: settings.shard },
  );
  return InspectionCache.open(options, identity, sealKeyFor(settings.plateKey), startedAt.getTime());
}
