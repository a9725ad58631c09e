import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlateKey, PlateKeyError, plateDigest, plateKeyId } from '../../../src/identify/plates/key.js';
import { ShortHmac, wordsToHex } from '../../../src/identify/plates/short-hmac.js';

const KEY_TEXT = '5f1c0d2e9a7b4c3d8e6f1a2b3c4d5e6f';
const dir = mkdtempSync(path.join(tmpdir(), 'custody-plate-key-'));

describe('loadPlateKey', () => {
  it('reads CUSTODY_PLATE_KEY as UTF-8 bytes, trimmed', () => {
    expect(loadPlateKey({ env: { CUSTODY_PLATE_KEY: ` ${KEY_TEXT}\n` } })).toEqual(Buffer.from(KEY_TEXT));
  });

  it('returns undefined when no key is given (empty counts as unset)', () => {
    expect(loadPlateKey({ env: {} })).toBeUndefined();
    expect(loadPlateKey({ env: { CUSTODY_PLATE_KEY: '' } })).toBeUndefined();
  });

  it('reads a key file, ignoring its trailing newline, in preference to the environment', () => {
    const file = path.join(dir, 'plate.key');
    writeFileSync(file, `${KEY_TEXT}\n`);
    expect(loadPlateKey({ env: { CUSTODY_PLATE_KEY: 'another-key-of-enough-length' }, keyFile: file })).toEqual(Buffer.from(KEY_TEXT));
  });

  it('throws a PlateKeyError for a short key, naming where it came from but not the key', () => {
    const short = 'tooshort';
    const attempt = (): unknown => loadPlateKey({ env: { CUSTODY_PLATE_KEY: short } });
    expect(attempt).toThrow(PlateKeyError);
    expect(attempt).toThrow(/CUSTODY_PLATE_KEY holds a 8-byte plate key; at least 16/);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
    const file = path.join(dir, 'short.key');
    writeFileSync(file, 'abc\n');
    expect(() => loadPlateKey({ env: {}, keyFile: file })).toThrow(PlateKeyError);
  });

  it('throws a PlateKeyError for an unreadable key file', () => {
    expect(() => loadPlateKey({ env: {}, keyFile: path.join(dir, 'missing.key') })).toThrow(/cannot read plate key file .*ENOENT/);
  });
});

describe('plateKeyId and plateDigest', () => {
  const key = Buffer.from(KEY_TEXT);

  it('gives a stable id that differs between keys and reveals neither key nor digests', () => {
    const id = plateKeyId(key);
    expect(id).toMatch(/^hmac-sha256:[0-9a-f]{16}$/);
    expect(plateKeyId(Buffer.from(KEY_TEXT))).toBe(id);
    expect(plateKeyId(Buffer.from(`${KEY_TEXT}x`))).not.toBe(id);
    expect(id).toBe(`hmac-sha256:${createHmac('sha256', key).update('custody/plate-key-id/v1').digest('hex').slice(0, 16)}`);
    expect(id).not.toContain(createHmac('sha256', 'x').update(key).digest('hex').slice(0, 16));
  });

  it('is HMAC-SHA-256 of the normalised plate', () => {
    expect(plateDigest(key, 'ABC1234')).toBe(createHmac('sha256', key).update('ABC1234').digest('hex'));
    expect(() => plateDigest(key, 'abc-1234')).toThrow(TypeError);
  });

  it('agrees with the fast short-message HMAC for every length and key size', () => {
    for (const k of [key, Buffer.alloc(64, 7), Buffer.alloc(100, 9)]) {
      const fast = new ShortHmac(k);
      for (let length = 0; length <= 55; length++) {
        const message = Buffer.from(Array.from({ length }, (_, i) => 0x30 + ((i * 7 + length) % 43)));
        expect(wordsToHex(fast.digest(message, length))).toBe(createHmac('sha256', k).update(message).digest('hex'));
      }
    }
  });
});
