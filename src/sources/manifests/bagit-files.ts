import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceEvent } from '../item.js';
import { HEX_LENGTH, hexOf } from './digests.js';
import { rowCoverage } from './events.js';
import { readLines } from './lines.js';

/** One payload file as the bag's manifests list it: digests by algorithm (sha256, sha512, md5...). */
export interface BagEntry {
  path: string;
  digests: Map<string, string>;
}

/**
 * Reads `manifest-<alg>.txt` (or a tagmanifest) into `entries`: `checksum<ws+>path` lines, path
 * percent-decoded for `%0A`, `%0D`, `%25` only (RFC 8493 section 2.1.3). Absolute paths and `..`
 * segments are refused as row coverage, never resolved.
 */
export async function* readBagManifest(file: string, alg: string, entries: Map<string, BagEntry>): AsyncGenerator<SourceEvent> {
  const length = HEX_LENGTH[alg];
  for await (const { text, line, overlong } of readLines(file)) {
    if (text.trim() === '') continue;
    const m = overlong ? null : /^([0-9a-fA-F]+)[ \t]+(.+)$/.exec(text);
    if (!m) {
      yield rowCoverage(file, line, overlong ? 'line longer than the 1 MiB cap' : 'not a "checksum path" line');
      continue;
    }
    const hex = length === undefined ? m[1]!.toLowerCase() : hexOf(m[1]!, length);
    const path = m[2]!.replace(/%(0A|0D|25)/gi, (s) => decodeURIComponent(s));
    if (hex === undefined) {
      yield rowCoverage(file, line, `not a ${alg} digest`);
    } else if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.split('/').includes('..')) {
      yield rowCoverage(file, line, 'absolute path or ".." in a bag manifest');
    } else {
      const entry = entries.get(path) ?? { path, digests: new Map<string, string>() };
      entry.digests.set(alg, hex);
      entries.set(path, entry);
    }
  }
}

/**
 * Algorithms of the `manifest-<alg>.txt` / `tagmanifest-<alg>.txt` files in a bag root, sorted.
 * RFC 8493 algorithm names are already lowercase alphanumeric; other names are not bag manifests.
 */
export function bagManifestNames(names: readonly string[]): { payload: string[]; tag: string[] } {
  const payload: string[] = [];
  const tag: string[] = [];
  for (const name of names) {
    const m = /^(tag)?manifest-([a-z0-9]+)\.txt$/.exec(name);
    if (m) (m[1] ? tag : payload).push(m[2]!);
  }
  return { payload: payload.sort(), tag: tag.sort() };
}

/** `Label: value` lines of bag-info.txt/bagit.txt, with indented continuation lines joined. */
export async function readTagFile(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for await (const { text } of readLines(file, { maxLength: 1 << 16 })) {
    if (/^[ \t]/.test(text) && last !== undefined) {
      out.set(last, `${out.get(last)} ${text.trim()}`);
      continue;
    }
    const colon = text.indexOf(':');
    if (colon <= 0) continue;
    last = text.slice(0, colon).trim();
    if (!out.has(last)) out.set(last, text.slice(colon + 1).trim());
  }
  return out;
}

/** Every regular file under `dir`, as '/'-joined paths prefixed with `prefix`, sorted. */
export async function listFiles(dir: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (abs: string, rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(abs, e.name), `${rel}${e.name}/`);
      else if (e.isFile()) out.push(`${rel}${e.name}`);
    }
  };
  await walk(dir, prefix);
  return out.sort();
}
