import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../../src/report/json.js';
import { signReport, verifyReport } from '../../src/sign/sign.js';
import { sampleReport } from '../support/sample-report.js';
import { tempDir } from '../support/tmp.js';

const openssl = await execa('openssl', ['version'], { reject: false }).catch(() => undefined);
const present = openssl?.exitCode === 0 && /^OpenSSL 3/.test(openssl.stdout);
if (!present) console.warn('test/sign/openssl.test.ts skipped: OpenSSL 3 (`openssl` on PATH) is needed to generate and check Ed25519 keys.');

/** The documented key recipe, and the documented way to check a signature without custody. */
describe.skipIf(!present)('keys and signatures interoperate with openssl', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const reportBytes = Buffer.from(json(sampleReport(), { color: false, showWaived: false }));
  const at = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-sign-'));
    await execa('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', at('key.pem')]);
    await execa('openssl', ['pkey', '-in', at('key.pem'), '-pubout', '-out', at('key.pub.pem')]);
    await writeFile(at('report.json'), reportBytes);
  });
  afterAll(async () => cleanup());

  it('signs with an openssl private key and verifies with its openssl public key', async () => {
    const signature = signReport(reportBytes, await readFile(at('key.pem'), 'utf8'), at('key.pem'));
    const result = verifyReport(reportBytes, signature, await readFile(at('key.pub.pem')));
    expect(result.ok).toBe(true);
  });

  it('computes the key id the documented openssl pipeline gives', async () => {
    // stripFinalNewline off: execa strips a trailing 0x0a from binary output too, and one key in 256
    // ends in that byte (the test failed once in CI that way).
    const der = await execa('openssl', ['pkey', '-pubin', '-in', at('key.pub.pem'), '-outform', 'DER'], { encoding: 'buffer', stripFinalNewline: false });
    const expected = createHash('sha256').update(der.stdout).digest('hex').slice(0, 16);
    const signature = JSON.parse(signReport(reportBytes, await readFile(at('key.pem'), 'utf8'))) as { keyId: string };
    expect(signature.keyId).toBe(expected);
  });

  it('writes signatures openssl pkeyutl verifies, and rejects once the report changes', async () => {
    const signature = JSON.parse(signReport(reportBytes, await readFile(at('key.pem'), 'utf8'))) as { signature: string };
    await writeFile(at('sig.bin'), Buffer.from(signature.signature, 'base64'));
    const check = (file: string) =>
      execa('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', at('key.pub.pem'), '-rawin', '-in', at(file), '-sigfile', at('sig.bin')], { reject: false });
    const good = await check('report.json');
    expect(good.exitCode, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/Signature Verified Successfully/);
    const altered = Buffer.from(reportBytes);
    altered[100] = altered[100]! ^ 0x20;
    await writeFile(at('altered.json'), altered);
    expect((await check('altered.json')).exitCode).not.toBe(0);
  });
});
