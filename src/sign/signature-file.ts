import { z } from 'zod';
import { describeError } from '../util/errors.js';

export const SIGNATURE_FORMAT = 'custody-signature';
export const SIGNATURE_VERSION = 1;

/**
 * The detached signature file (`custody audit --sign`), a small JSON document:
 *
 * ```json
 * {
 *   "format": "custody-signature",
 *   "version": 1,
 *   "algorithm": "ed25519",
 *   "keyId": "3f1c0e9a7b2d4c58",
 *   "reportSha256": "<hex SHA-256 of the report file>",
 *   "signature": "<base64, 64 bytes>"
 * }
 * ```
 *
 * `signature` is a plain (pure) Ed25519 signature over the report file's exact bytes, so anyone can
 * check it without custody:
 * `jq -r .signature report.sig | base64 -d > sig.bin;
 *  openssl pkeyutl -verify -pubin -inkey key.pub.pem -rawin -in report.json -sigfile sig.bin`.
 * `keyId` is the first 16 hex characters of the SHA-256 of the public key's SPKI DER.
 * `reportSha256` is not covered by the signature; it only lets `custody verify` tell "the report was
 * changed" from "this is not the signing key".
 */
export interface SignatureFile {
  format: typeof SIGNATURE_FORMAT;
  version: typeof SIGNATURE_VERSION;
  algorithm: 'ed25519';
  keyId: string;
  reportSha256: string;
  /** Base64 of the 64-byte Ed25519 signature. */
  signature: string;
}

const SignatureFileSchema = z.strictObject({
  format: z.literal(SIGNATURE_FORMAT),
  version: z.literal(SIGNATURE_VERSION),
  algorithm: z.literal('ed25519'),
  keyId: z.string().regex(/^[0-9a-f]{16}$/, 'expected 16 lowercase hex characters'),
  reportSha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters'),
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected the base64 of a 64-byte Ed25519 signature'),
});

/** The signature file's text: fixed key order, 2-space indent, trailing newline. */
export function formatSignatureFile(file: SignatureFile): string {
  const { format, version, algorithm, keyId, reportSha256, signature } = file;
  return `${JSON.stringify({ format, version, algorithm, keyId, reportSha256, signature }, null, 2)}\n`;
}

/** Parses a signature file; a malformed one yields a reason naming the first problem. */
export function parseSignatureFile(text: string): { ok: true; file: SignatureFile } | { ok: false; reason: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `malformed signature file: not JSON (${describeError(error)})` };
  }
  const parsed = SignatureFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    return { ok: false, reason: `malformed signature file: ${where}${issue.message}` };
  }
  return { ok: true, file: parsed.data };
}
