import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { REPORT_FORMAT, REPORT_VERSION } from '../report/model.js';
import { describeError } from '../util/errors.js';
import { keyIdOf, loadPrivateKey, loadPublicKey } from './keys.js';
import { formatSignatureFile, parseSignatureFile, SIGNATURE_FORMAT, SIGNATURE_VERSION } from './signature-file.js';

export { generateKeyPair, keyIdOf, loadPrivateKey, loadPublicKey, readKey, SignatureError } from './keys.js';
export { parseSignatureFile, type SignatureFile } from './signature-file.js';

/** What a valid signature vouches for, read from the signed report itself. */
export interface Verified {
  ok: true;
  /** Key id of the public key that verified it (also written in the signature file). */
  keyId: string;
  /** SHA-256 of the report file, hex. */
  reportSha256: string;
  /** Digest of the policy the audit applied (`report.policy.digest`). */
  policyDigest: string;
  /** Digests of the fingerprint sets the audit matched against, in report order. */
  fingerprintDigests: string[];
  /** custody version that wrote the report. */
  toolVersion: string;
}

/** Why verification failed, as one sentence fit to print. */
export interface NotVerified {
  ok: false;
  reason: string;
}

export type VerifyResult = Verified | NotVerified;

const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Signs a JSON report's exact bytes with an Ed25519 private key and returns the detached signature
 * file's text (format: src/sign/signature-file.ts). Sign the bytes as written to disk: any
 * re-serialisation would change them.
 *
 * Keys: `openssl genpkey -algorithm ed25519 -out key.pem; openssl pkey -in key.pem -pubout -out key.pub.pem`.
 *
 * @param privateKeyPem PKCS#8 PEM text (the caller reads the key file).
 * @param keySource names the key in errors, e.g. its path.
 * @throws SignatureError when the key is unreadable, encrypted or not Ed25519.
 */
export function signReport(reportBytes: Buffer, privateKeyPem: string | Buffer, keySource?: string): string {
  const privateKey = loadPrivateKey(privateKeyPem, keySource);
  const publicKey = createPublicKey(privateKey);
  return formatSignatureFile({
    format: SIGNATURE_FORMAT,
    version: SIGNATURE_VERSION,
    algorithm: 'ed25519',
    keyId: keyIdOf(publicKey),
    reportSha256: sha256Hex(reportBytes),
    // Ed25519 hashes internally; Node takes `null` as the digest for it.
    signature: sign(null, reportBytes, privateKey).toString('base64'),
  });
}

/** The report fields a signature vouches for; the rest of the report is covered but not summarised. */
const SignedReport = z.object({
  format: z.literal(REPORT_FORMAT),
  version: z.literal(REPORT_VERSION),
  tool: z.object({ version: z.string() }),
  policy: z.object({ digest: z.string() }),
  fingerprints: z.array(z.object({ digest: z.string() })),
});

/**
 * Checks a detached signature over a report's exact bytes. Bad signatures, altered reports, another
 * key's signature and malformed signature files are results (`ok: false` with a reason), not errors.
 *
 * @param publicKeyPem SPKI PEM text (the caller reads the key file).
 * @param keySource names the key in errors, e.g. its path.
 * @throws SignatureError only when the public key itself is unusable.
 */
export function verifyReport(reportBytes: Buffer, signatureText: string, publicKeyPem: string | Buffer, keySource?: string): VerifyResult {
  const publicKey = loadPublicKey(publicKeyPem, keySource);
  const keyId = keyIdOf(publicKey);
  const parsed = parseSignatureFile(signatureText);
  if (!parsed.ok) return parsed;
  const file = parsed.file;
  if (file.keyId !== keyId) {
    return { ok: false, reason: `signed with key ${file.keyId}, but the public key given is ${keyId}` };
  }
  const reportSha256 = sha256Hex(reportBytes);
  if (!verify(null, reportBytes, publicKey, Buffer.from(file.signature, 'base64'))) {
    return {
      ok: false,
      reason:
        reportSha256 !== file.reportSha256
          ? 'the report is not the one that was signed (its SHA-256 differs): it was changed after signing'
          : 'the signature does not match the report: the signature file was altered',
    };
  }
  const notReport = `the signature is valid, but the signed file is not a ${REPORT_FORMAT} version ${REPORT_VERSION} JSON report`;
  let data: unknown;
  try {
    data = JSON.parse(reportBytes.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `${notReport} (${describeError(error)})` };
  }
  const report = SignedReport.safeParse(data);
  if (!report.success) {
    const issue = report.error.issues[0]!;
    return { ok: false, reason: `${notReport} (${issue.path.join('.') || 'report'}: ${issue.message})` };
  }
  return {
    ok: true,
    keyId,
    reportSha256,
    policyDigest: report.data.policy.digest,
    fingerprintDigests: report.data.fingerprints.map((f) => f.digest),
    toolVersion: report.data.tool.version,
  };
}
