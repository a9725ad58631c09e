import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { json } from '../../src/report/json.js';
import { generateKeyPair, SignatureError, signReport, type VerifyResult, verifyReport } from '../../src/sign/sign.js';
import { sampleReport } from '../support/sample-report.js';

const report = sampleReport();
const reportBytes = Buffer.from(json(report, { color: false, showWaived: false }));
const signer = generateKeyPair();
const signatureText = signReport(reportBytes, signer.privateKeyPem);

const reasonOf = (result: VerifyResult): string => (result.ok ? 'ok' : result.reason);

describe('signReport and verifyReport', () => {
  it('round-trips and returns what the signature vouches for', () => {
    const result = verifyReport(reportBytes, signatureText, signer.publicKeyPem);
    expect(result).toEqual({
      ok: true,
      keyId: signer.keyId,
      reportSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      policyDigest: report.policy.digest,
      fingerprintDigests: report.fingerprints.map((f) => f.digest),
      toolVersion: report.tool.version,
    });
    expect(report.fingerprints.length).toBeGreaterThan(0);
  });

  it('writes the documented signature file, deterministically', () => {
    const file = JSON.parse(signatureText) as Record<string, unknown>;
    expect(Object.keys(file)).toEqual(['format', 'version', 'algorithm', 'keyId', 'reportSha256', 'signature']);
    expect(file).toMatchObject({ format: 'custody-signature', version: 1, algorithm: 'ed25519', keyId: signer.keyId });
    expect(signer.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(Buffer.from(file.signature as string, 'base64')).toHaveLength(64);
    expect(signatureText.endsWith('}\n')).toBe(true);
    // Ed25519 signatures are deterministic: the same report and key always give the same file.
    expect(signReport(reportBytes, signer.privateKeyPem)).toBe(signatureText);
  });

  it('fails when any single byte of the report changes', () => {
    for (const at of [0, Math.floor(reportBytes.length / 2), reportBytes.length - 1]) {
      const altered = Buffer.from(reportBytes);
      altered[at] = altered[at]! ^ 0x01;
      expect(reasonOf(verifyReport(altered, signatureText, signer.publicKeyPem))).toMatch(/changed after signing/);
    }
  });

  it('fails when the signature itself is altered', () => {
    const file = JSON.parse(signatureText) as { signature: string };
    const sig = Buffer.from(file.signature, 'base64');
    sig[10] = sig[10]! ^ 0x80;
    const altered = signatureText.replace(file.signature, sig.toString('base64'));
    expect(reasonOf(verifyReport(reportBytes, altered, signer.publicKeyPem))).toMatch(/signature file was altered/);
  });

  it('fails with another public key, naming both key ids', () => {
    const other = generateKeyPair();
    expect(reasonOf(verifyReport(reportBytes, signatureText, other.publicKeyPem))).toBe(
      `signed with key ${signer.keyId}, but the public key given is ${other.keyId}`,
    );
  });

  it('fails with another key even when the key id in the file is forged to match it', () => {
    const other = generateKeyPair();
    const forged = signatureText.replace(signer.keyId, other.keyId);
    expect(verifyReport(reportBytes, forged, other.publicKeyPem).ok).toBe(false);
  });

  it('refuses a valid signature over something that is not a custody report', () => {
    const notReport = Buffer.from('{"hello":"world"}\n');
    const result = verifyReport(notReport, signReport(notReport, signer.privateKeyPem), signer.publicKeyPem);
    expect(reasonOf(result)).toMatch(/signature is valid, but the signed file is not a custody-report version 1 JSON report/);
  });
});

describe('malformed signature files', () => {
  const file = JSON.parse(signatureText) as Record<string, unknown>;
  const cases: [string, string, RegExp][] = [
    ['empty', '', /malformed signature file: not JSON/],
    ['truncated', signatureText.slice(0, 40), /malformed signature file: not JSON/],
    ['a bare signature', `${file.signature as string}\n`, /malformed signature file: not JSON/],
    ['another format', JSON.stringify({ ...file, format: 'minisign' }), /malformed signature file: format: /],
    ['another algorithm', JSON.stringify({ ...file, algorithm: 'rsa-pss' }), /malformed signature file: algorithm: /],
    ['no signature', JSON.stringify({ ...file, signature: undefined }), /malformed signature file: signature: /],
    ['a short signature', JSON.stringify({ ...file, signature: 'AAAA' }), /signature: expected the base64 of a 64-byte Ed25519 signature/],
    ['a bad key id', JSON.stringify({ ...file, keyId: 'KEY' }), /keyId: expected 16 lowercase hex characters/],
    ['an unknown field', JSON.stringify({ ...file, comment: 'trust me' }), /malformed signature file: .*comment/],
  ];
  it.each(cases)('%s', (_name, text, reason) => {
    const result = verifyReport(reportBytes, text, signer.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(reasonOf(result)).toMatch(reason);
    expect(reasonOf(result)).not.toContain('\n');
  });
});

describe('unusable keys are SignatureErrors naming the key', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecPrivate = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const ecPublic = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const encrypted = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
  const truncatedPem = signer.privateKeyPem.replace(/\n[A-Za-z0-9+/=]{20}/, '\n');

  const signCases: [string, string, RegExp][] = [
    ['garbage', 'not a key', /not a PEM private key/],
    ['a public key', signer.publicKeyPem, /not a PEM private key/],
    ['an EC key', ecPrivate, /expected an Ed25519 key, found ec/],
    ['an encrypted key', encrypted, /encrypted private keys are not supported/],
    ['a damaged key', truncatedPem, /unreadable private key/],
  ];
  it.each(signCases)('signing with %s', (_name, pem, reason) => {
    const error = (() => {
      try {
        signReport(reportBytes, pem, 'keys/sign.pem');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as SignatureError).message).toMatch(/^keys\/sign\.pem: /);
    expect((error as SignatureError).message).toMatch(reason);
    expect((error as SignatureError).exitCode).toBe(2);
  });

  const verifyCases: [string, string, RegExp][] = [
    ['garbage', '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n', /unreadable public key/],
    ['the private key', signer.privateKeyPem, /this is a private key; verify with the public key/],
    ['an EC key', ecPublic, /expected an Ed25519 key, found ec/],
    ['nothing', '', /not a PEM public key/],
  ];
  it.each(verifyCases)('verifying with %s', (_name, pem, reason) => {
    expect(() => verifyReport(reportBytes, signatureText, pem, 'keys/pub.pem')).toThrow(SignatureError);
    expect(() => verifyReport(reportBytes, signatureText, pem, 'keys/pub.pem')).toThrow(reason);
  });
});
