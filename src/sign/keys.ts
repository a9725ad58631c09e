import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CustodyError, describeError, errorCode, InputError } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';

/**
 * A key custody cannot use: not PEM, not Ed25519, encrypted, or a private key where a public key
 * belongs. One line, naming the key's source; exit code 2.
 */
export class SignatureError extends CustodyError {
  constructor(
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: ${detail}`, ExitCode.Usage);
  }
}

/** Hex characters of the key id: 64 bits tell keys apart for people; the signature proves the key. */
const KEY_ID_HEX = 16;

/**
 * The key id printed in signature files: SHA-256 of the public key's SPKI DER, hex, first 16
 * characters. Reproducible with `openssl pkey -pubin -in key.pub.pem -outform DER | sha256sum | cut -c1-16`.
 */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, KEY_ID_HEX);
}

/**
 * Parses an Ed25519 private key in PEM (PKCS#8, as `openssl genpkey -algorithm ed25519` writes it).
 * @param source names the key in errors (its file path, as the user gave it).
 * @throws SignatureError
 */
export function loadPrivateKey(pem: string | Buffer, source = 'private key'): KeyObject {
  const text = pem.toString();
  if (text.includes('ENCRYPTED PRIVATE KEY')) {
    throw new SignatureError(source, 'encrypted private keys are not supported; decrypt it with `openssl pkey -in key.pem -out plain.pem`');
  }
  if (!text.includes('PRIVATE KEY-----')) throw new SignatureError(source, 'not a PEM private key (expected "-----BEGIN PRIVATE KEY-----")');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    throw new SignatureError(source, `unreadable private key (${describeError(error)})`);
  }
  return requireEd25519(key, source);
}

/**
 * Parses an Ed25519 public key in PEM (SPKI, as `openssl pkey -pubout` writes it). A private key is
 * refused rather than silently reduced to its public half: whoever verifies should not hold it.
 * @throws SignatureError
 */
export function loadPublicKey(pem: string | Buffer, source = 'public key'): KeyObject {
  const text = pem.toString();
  if (text.includes('PRIVATE KEY-----')) {
    throw new SignatureError(source, 'this is a private key; verify with the public key (`openssl pkey -in key.pem -pubout -out key.pub.pem`)');
  }
  if (!text.includes('-----BEGIN PUBLIC KEY-----')) throw new SignatureError(source, 'not a PEM public key (expected "-----BEGIN PUBLIC KEY-----")');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch (error) {
    throw new SignatureError(source, `unreadable public key (${describeError(error)})`);
  }
  return requireEd25519(key, source);
}

function requireEd25519(key: KeyObject, source: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SignatureError(source, `expected an Ed25519 key, found ${key.asymmetricKeyType ?? 'an unknown key type'}`);
  }
  return key;
}

/** A fresh Ed25519 key pair in PEM (PKCS#8 private, SPKI public), the same shapes openssl writes. */
export function generateKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/** Reads a key (or a report or signature) file; a missing file is a one-line input error naming it as `shown`. */
export async function readKey(file: string, shown: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new InputError(shown, `cannot read (${errorCode(error) ?? describeError(error)})`);
  }
}
