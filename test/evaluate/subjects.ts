import type { EvaluationContext, Subject } from '../../src/evaluate/requirement.js';
import type { Method } from '../../src/identify/detector.js';
import { locationMatcher } from '../../src/policy/locations.js';
import type { Item, Origin } from '../../src/sources/item.js';
import { ownAccessMode } from '../../src/sources/item.js';
import { SOURCES } from '../../src/sources/registry.js';

export const NOW = new Date('2026-11-01T12:00:00Z');
export const DAY = 86_400_000;
export const AUTHORIZED = ['secure-enclave/**', 's3://enclave/**'];

/**
 * A subject as the audit would build it; `authorized` and `accessMode` follow from location and mode,
 * and the item knows what the real source of its origin declares (archive members: nothing).
 */
export function subject(
  location: string,
  options: { asset?: string; method?: Method; item?: Partial<Item>; capturedAt?: Date; capturedAtField?: string; evidence?: Record<string, unknown> } = {},
): Subject {
  const origin: Origin = options.item?.origin ?? (location.includes('://') ? 'manifest' : location.includes('!/') ? 'archive' : 'filesystem');
  const known = origin === 'archive' ? {} : { known: SOURCES[origin].knowledge };
  const item: Item = { location, origin, size: 10, ...known, ...options.item };
  const facts = options.capturedAt ? { capturedAt: options.capturedAt, capturedAtField: options.capturedAtField ?? 'DateTimeOriginal' } : {};
  const accessMode = ownAccessMode(item);
  // A member's access is the archive file's (the audit passes its mode in; a test sets accessMode).
  const accessFrom = origin === 'archive' ? location.split('!/')[0] : undefined;
  return {
    asset: {
      location,
      origin,
      asset: options.asset ?? 'vehicle-image',
      method: options.method ?? 'exact',
      reference: 'lanes/a.jpg',
      size: 10,
      sha256: 'a'.repeat(64),
      evidence: options.evidence ?? {},
    },
    item,
    facts,
    authorized: locationMatcher(AUTHORIZED)(location),
    ...(accessMode !== undefined ? { accessMode } : {}),
    ...(accessFrom !== undefined ? { accessFrom } : {}),
  };
}

/** The context of an audit whose items came from these sources: it knows what they declare. */
export function context(sources: (keyof typeof SOURCES)[] = ['filesystem'], now = NOW): EvaluationContext {
  const knows = new Set(sources.flatMap((id) => SOURCES[id].knowledge.knows));
  return { now, authorized: AUTHORIZED, isAuthorized: locationMatcher(AUTHORIZED), knows, scope: '.' };
}

export const daysAgo = (days: number, from = NOW): Date => new Date(from.getTime() - days * DAY);
