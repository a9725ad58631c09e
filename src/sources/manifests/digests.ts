import type { Digests } from '../item.js';

const HEX = /^[0-9a-fA-F]+$/;

/** Content-hash algorithms custody can match, by hex length. */
const ALG_BY_HEX_LENGTH: Record<number, keyof Digests> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/** Normalised algorithm name ("SHA-256", "sha256", "MD5" -> "sha256", "md5"). */
export function normaliseAlgorithm(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The Digests key for an algorithm name, or undefined when custody does not match on it. */
export function digestKey(alg: string): keyof Digests | undefined {
  const n = normaliseAlgorithm(alg);
  return n === 'md5' || n === 'sha1' || n === 'sha256' ? n : undefined;
}

/** Expected hex length of an algorithm custody knows, for checking manifest values. */
export const HEX_LENGTH: Record<string, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

/** Lowercase hex when `value` is hex of exactly `length` digits, else undefined. */
export function hexOf(value: string, length: number): string | undefined {
  return value.length === length && HEX.test(value) ? value.toLowerCase() : undefined;
}

/** True when `value` is a hex string (any length). */
export function isHex(value: string): boolean {
  return value.length > 0 && HEX.test(value);
}

/** Algorithm implied by a bare hex digest's length (md5/sha1/sha256), when unambiguous. */
export function algorithmForHexLength(length: number): keyof Digests | undefined {
  return ALG_BY_HEX_LENGTH[length];
}

/**
 * Hex of a base64 digest (Azure Content-MD5, GCS md5Hash), or undefined when it does not decode to
 * exactly `bytes` bytes. Buffer.from ignores junk silently, so the round trip is checked.
 */
export function base64ToHex(value: string, bytes: number): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const buf = Buffer.from(trimmed, 'base64');
  if (buf.length !== bytes) return undefined;
  if (buf.toString('base64').replace(/=+$/, '') !== trimmed.replace(/=+$/, '')) return undefined;
  return buf.toString('hex');
}

/** Strip the quotes ListObjectsV2/HeadObject put around an ETag (`"\"abc\""` or `&quot;abc&quot;`). */
export function unquoteEtag(etag: string): string {
  return etag.replace(/^(?:"|&quot;)+|(?:"|&quot;)+$/g, '');
}

/** S3 encryption statuses under which a single-part ETag is the content MD5. */
const MD5_ETAG_ENCRYPTION = new Set(['NOT-SSE', 'SSE-S3']);

/** What an S3 ETag says about the content: an MD5, or why it is not one. */
export type EtagVerdict = { md5: string } | { opaque: string };

/**
 * The S3 ETag rule (docs/formats.md section 2): an ETag is the content MD5 only when it is 32 hex
 * digits, the object is not multipart, and it is NOT-SSE or SSE-S3. Each check applies when the
 * manifest states that field: `multipart`/`encryption` undefined means "not in this listing".
 */
export function classifyEtag(rawEtag: string, multipart: boolean | undefined, encryption: string | undefined): EtagVerdict {
  // Most inventory ETags are 32 lowercase hex digits, bare: nothing to trim, unquote or lower-case.
  if (isLowerHex32(rawEtag)) {
    if (multipart === true) return { opaque: 'multipart upload' };
    if (encryption !== undefined && !md5EtagEncryption(encryption)) return { opaque: `ETag under ${encryption.toUpperCase()}` };
    return { md5: rawEtag };
  }
  const etag = unquoteEtag(rawEtag.trim());
  if (etag === '') return { opaque: 'no ETag in manifest' };
  if (/-\d+$/.test(etag)) return { opaque: 'multipart ETag' };
  if (multipart === true) return { opaque: 'multipart upload' };
  const md5 = hexOf(etag, 32);
  if (md5 === undefined) return { opaque: 'ETag is not 32 hex digits' };
  if (encryption !== undefined && !md5EtagEncryption(encryption)) {
    return { opaque: `ETag under ${encryption.toUpperCase()}` };
  }
  return { md5 };
}

function isLowerHex32(value: string): boolean {
  if (value.length !== 32) return false;
  for (let i = 0; i < 32; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

let lastEncryption: string | undefined;
let lastEncryptionKeepsMd5 = false;

/** Whether an ETag stays the MD5 under this encryption; rows repeat a status, so the last answer is kept. */
function md5EtagEncryption(encryption: string): boolean {
  if (encryption !== lastEncryption) {
    lastEncryption = encryption;
    lastEncryptionKeepsMd5 = MD5_ETAG_ENCRYPTION.has(encryption.toUpperCase());
  }
  return lastEncryptionKeepsMd5;
}
