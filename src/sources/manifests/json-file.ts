import { readFile, stat } from 'node:fs/promises';
import { describeError } from '../../util/errors.js';
import type { SourceEvent } from '../item.js';
import { coverage } from './events.js';
import { verifyManifestChecksum } from './manifest-checksum.js';

/** Default cap for JSON manifests read whole (see ManifestOptions.maxJsonBytes). */
export const DEFAULT_MAX_JSON_BYTES = 256 * 1024 * 1024;

/** The parsed JSON and its raw bytes (for checksums), or the reason it could not be read. */
export type JsonResult = { value: unknown; bytes: Buffer } | { error: string };

/** Reads and parses a JSON file no larger than `max` bytes; never throws for bad content. */
export async function readJsonFile(path: string, max = DEFAULT_MAX_JSON_BYTES): Promise<JsonResult> {
  const info = await stat(path);
  if (info.size > max) return { error: `JSON manifest is ${info.size} bytes, over the ${max}-byte cap` };
  const bytes = await readFile(path);
  try {
    return { value: JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')), bytes };
  } catch (err) {
    return { error: `not valid JSON (${describeError(err)})` };
  }
}

/** A plain object's own field, or undefined (for walking untrusted JSON without casts everywhere). */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

/** A string field, or undefined. */
export function str(value: unknown, name: string): string | undefined {
  const v = field(value, name);
  return typeof v === 'string' ? v : undefined;
}

/** The JSON head as text for detection (tolerates a cut-off head). */
export function headText(head: Buffer): string {
  return head.toString('utf8', 0, Math.min(head.length, 16384));
}

/**
 * Reads an inventory's JSON manifest, yielding `manifest-unreadable` coverage when it cannot be read,
 * and checks it against its `.checksum` file when `checksumFile` is given (AWS and Azure write one);
 * returns the parsed manifest, or undefined.
 */
export async function* inventoryManifest(path: string, max: number | undefined, checksumFile?: string): AsyncGenerator<SourceEvent, unknown> {
  const json = await readJsonFile(path, max);
  if ('error' in json) {
    yield coverage({ location: path, reason: 'manifest-unreadable', detail: json.error, incomplete: true });
    return undefined;
  }
  if (checksumFile) yield* verifyManifestChecksum(path, json.bytes, checksumFile);
  return json.value;
}
