/** Grantee group URIs that make an S3 object readable beyond its owner. */
const PUBLIC_GROUPS: Record<string, string> = {
  'http://acs.amazonaws.com/groups/global/AllUsers': 'AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers': 'AuthenticatedUsers',
};

/** Result of reading an inventory ObjectAccessControlList value. */
export type AclVerdict =
  /** Public grants, sorted; undefined when the inventory says the ACL is UNAVAILABLE. */
  { grants: string[] | undefined } | { error: string };

const cache = new Map<string, AclVerdict>();
const CACHE_MAX = 4096;

/**
 * Public grants (`AllUsers READ`, `AuthenticatedUsers WRITE_ACP`) in an inventory
 * ObjectAccessControlList value: base64 of `{"version","status","grants":[{type,uri,permission}]}`.
 * Most objects in a bucket share a handful of ACLs, so decoded values are cached (bounded).
 */
export function publicGrantsFromAcl(base64: string): AclVerdict {
  // Consecutive rows nearly always repeat the previous value: compare before hashing a long key.
  if (base64 === lastKey && lastVerdict !== undefined) return lastVerdict;
  const hit = cache.get(base64) ?? decodeAndCache(base64);
  lastKey = base64;
  lastVerdict = hit;
  return hit;
}

let lastKey: string | undefined;
let lastVerdict: AclVerdict | undefined;

function decodeAndCache(base64: string): AclVerdict {
  const verdict = decode(base64);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(base64, verdict);
  return verdict;
}

function decode(base64: string): AclVerdict {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    return { error: 'ObjectAccessControlList is not base64 JSON' };
  }
  if (typeof doc !== 'object' || doc === null) return { error: 'ObjectAccessControlList is not a JSON object' };
  if ((doc as { status?: unknown }).status === 'UNAVAILABLE') return { grants: undefined };
  const grants = (doc as { grants?: unknown }).grants;
  if (grants === undefined) return { grants: [] };
  if (!Array.isArray(grants)) return { error: 'ObjectAccessControlList grants is not a list' };
  const out = new Set<string>();
  for (const g of grants as Array<{ uri?: unknown; permission?: unknown }>) {
    const group = typeof g?.uri === 'string' ? PUBLIC_GROUPS[g.uri] : undefined;
    if (group !== undefined) out.add(`${group} ${typeof g.permission === 'string' ? g.permission : 'UNKNOWN'}`);
  }
  // Frozen: one verdict is shared by every row with the same ACL value.
  return { grants: Object.freeze([...out].sort()) as string[] };
}
