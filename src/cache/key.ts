import { createHash, createHmac } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../util/canonical-json.js';
import { VERSION } from '../version.js';
import { CACHE_FORMAT } from './file.js';

/**
 * Everything an inspection's outcome depends on besides the file's own bytes. A change to any of
 * these selects another cache file, so an entry is never replayed under settings it was not made with.
 */
export interface CacheSettings {
  /**
   * The detectors in the order they ran, each with its own settings (fingerprint digests, markers,
   * limits, a key's id): every detector supplies its part, so none can be forgotten here.
   */
  detectors: readonly { id: string; settings: Readonly<Record<string, unknown>> }[];
  wantMedia: boolean;
  /** Archive limits, or 'off'. */
  archives: unknown;
  /** Identifier of the plate key that seals the body (never the key), or null: another key, another file. */
  plateKeyId: string | null;
}

/** Which audit the entries belong to: its roots and shard. Entries outside it are dropped on rewrite. */
export interface CacheScope {
  roots: readonly string[];
  shard?: { index: number; count: number } | undefined;
}

/** The file name and header key for one audit's cache. */
export interface CacheIdentity {
  /** `audit-<scope>-<settings>.cache`, each part 16 hex digits. */
  fileName: string;
  /** Full digest written in the header and checked on read. */
  key: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export async function cacheIdentity(settings: CacheSettings, scope: CacheScope): Promise<CacheIdentity> {
  const settingsText = canonicalJson({ format: CACHE_FORMAT, custody: VERSION, code: await codeDigest(), ...settings });
  const scopeText = canonicalJson({ roots: scope.roots, shard: scope.shard ?? null });
  return { fileName: `audit-${sha256(scopeText).slice(0, 16)}-${sha256(settingsText).slice(0, 16)}.cache`, key: sha256(`${settingsText}\n${scopeText}`) };
}

/**
 * The plate key's part of a cache body's seal (cache-key.ts combines it with the user's cache key):
 * with a plate key, file names and evidence stay unreadable to anyone without it, as plates stay
 * out of reports, even to someone holding a copy of the cache directory and its key file.
 */
export const sealKeyFor = (plateKey: Buffer | undefined): Buffer | undefined =>
  plateKey ? createHmac('sha256', plateKey).update('custody inspection cache seal v1').digest() : undefined;

let code: Promise<string> | undefined;

/** Set by scripts/build.js in the bundled CLI: the digest of everything bundled, and of the kernels. */
declare const CUSTODY_CODE_DIGEST: string | undefined;

/**
 * Digest of custody's own code (the bundle's inputs, or this build's src/ or dist/ folder). The
 * version alone is not enough: a development build or a patched install changes what detectors
 * conclude without changing it.
 */
export function codeDigest(): Promise<string> {
  code ??=
    typeof CUSTODY_CODE_DIGEST === 'string'
      ? Promise.resolve(CUSTODY_CODE_DIGEST)
      : digestFolder(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
  return code;
}

async function digestFolder(root: string): Promise<string> {
  const files: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (/\.(js|ts|mjs|wasm)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(full);
    }
  }
  const hash = createHash('sha256');
  for (const file of files.sort())
    hash
      .update(path.relative(root, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  return hash.digest('hex');
}
