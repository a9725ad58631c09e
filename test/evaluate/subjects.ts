import type { EvaluationContext, Subject } from '../../src/evaluate/requirement.js';
import type { Method } from '../../src/identify/detector.js';
import { locationMatcher } from '../../src/policy/locations.js';
import type { Item, Origin } from '../../src/sources/item.js';

export const NOW = new Date('2026-11-01T12:00:00Z');
export const DAY = 86_400_000;
export const AUTHORIZED = ['secure-enclave/**', 's3://enclave/**'];

/** A subject as the audit would build it; `authorized` and `accessMode` follow from location and mode. */
export function subject(
  location: string,
  options: { asset?: string; method?: Method; item?: Partial<Item>; capturedAt?: Date; capturedAtField?: string; evidence?: Record<string, unknown> } = {},
): Subject {
  const origin: Origin = options.item?.origin ?? (location.includes('://') ? 'manifest' : location.includes('!/') ? 'archive' : 'filesystem');
  const item: Item = { location, origin, size: 10, ...options.item };
  const facts = options.capturedAt ? { capturedAt: options.capturedAt, capturedAtField: options.capturedAtField ?? 'DateTimeOriginal' } : {};
  const accessMode = item.origin === 'filesystem' ? item.mode : undefined;
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
  };
}

export function context(origins: Origin[] = ['filesystem'], now = NOW): EvaluationContext {
  return { now, authorized: AUTHORIZED, isAuthorized: locationMatcher(AUTHORIZED), origins: new Set(origins), scope: '.' };
}

export const daysAgo = (days: number, from = NOW): Date => new Date(from.getTime() - days * DAY);
