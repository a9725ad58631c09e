/**
 * JSON with object keys sorted at every level: the input to digests, so that the same data always
 * digests the same whatever order its keys were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/**
 * The text of {@link canonicalJson} in pieces, for digests of values too large for one string (a
 * fingerprint set of a million references): objects and arrays are split down to `depth` levels,
 * deeper values are written whole. Joined, the pieces are exactly `canonicalJson(value)`.
 */
export function* canonicalJsonPieces(value: unknown, depth = 2): Generator<string> {
  if (depth === 0 || value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    // Written whole: a leaf, a value deep enough, or one that says how it is written (toJSON, Dates).
    const text = canonicalJson(value) as string | undefined;
    if (text !== undefined) yield text;
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (const [i, element] of value.entries()) {
      if (i > 0) yield ',';
      // As JSON.stringify writes them in an array: undefined, functions and symbols as null.
      const absent = element === undefined || typeof element === 'function' || typeof element === 'symbol';
      yield* canonicalJsonPieces(absent ? null : element, depth - 1);
    }
    yield ']';
    return;
  }
  // In canonicalJson's order: sorted, then rebuilt as an object (integer-like keys first, ascending).
  const sorted = Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const entries = Object.entries(sorted).filter(([, v]) => typeof v !== 'function' && typeof v !== 'symbol');
  yield '{';
  for (const [i, [key, v]] of entries.entries()) {
    yield `${i > 0 ? ',' : ''}${JSON.stringify(key)}:`;
    yield* canonicalJsonPieces(v, depth - 1);
  }
  yield '}';
}
