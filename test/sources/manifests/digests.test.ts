import { describe, expect, it } from 'vitest';
import { base64ToHex, classifyEtag, unquoteEtag } from '../../../src/sources/manifests/digests.js';
import { publicGrantsFromAcl } from '../../../src/sources/manifests/s3-acl.js';
import { decodeKey } from '../../../src/sources/manifests/s3-inventory-row.js';

const MD5 = 'd8e8fca2dc0f896fd7cb4cb0031ba249';

describe('the S3 ETag rule', () => {
  it('takes a plain 32-hex ETag as MD5 under NOT-SSE and SSE-S3', () => {
    expect(classifyEtag(MD5, false, 'NOT-SSE')).toEqual({ md5: MD5 });
    expect(classifyEtag(MD5, false, 'SSE-S3')).toEqual({ md5: MD5 });
    expect(classifyEtag(MD5.toUpperCase(), undefined, undefined)).toEqual({ md5: MD5 });
  });

  it('marks multipart, SSE-KMS, SSE-C, DSSE-KMS and non-hex ETags opaque', () => {
    expect(classifyEtag(`${MD5}-52`, undefined, 'SSE-S3')).toEqual({ opaque: 'multipart ETag' });
    expect(classifyEtag(MD5, true, 'NOT-SSE')).toEqual({ opaque: 'multipart upload' });
    expect(classifyEtag(MD5, false, 'SSE-KMS')).toEqual({ opaque: 'ETag under SSE-KMS' });
    expect(classifyEtag(MD5, false, 'SSE-C')).toEqual({ opaque: 'ETag under SSE-C' });
    expect(classifyEtag(MD5, false, 'DSSE-KMS')).toEqual({ opaque: 'ETag under DSSE-KMS' });
    expect(classifyEtag('0x8DAFA10EDDBFC5D', false, 'NOT-SSE')).toEqual({ opaque: 'ETag is not 32 hex digits' });
    expect(classifyEtag('', false, 'NOT-SSE')).toEqual({ opaque: 'no ETag in manifest' });
  });

  it('strips the quotes list-objects puts around ETags', () => {
    expect(unquoteEtag('"7f22c7b78675df831b34276dde1b7f67"')).toBe('7f22c7b78675df831b34276dde1b7f67');
    expect(unquoteEtag('&quot;abc&quot;')).toBe('abc');
    expect(classifyEtag(`"${MD5}-3"`, undefined, undefined)).toEqual({ opaque: 'multipart ETag' });
  });
});

describe('base64 digests', () => {
  it('decodes Azure Content-MD5 and GCS md5Hash to lowercase hex', () => {
    expect(base64ToHex('9iIUUYqRbeViUjHg9srCHQ==', 16)).toBe('f62214518a916de5625231e0f6cac21d');
    expect(base64ToHex('skySRE+gMILYnhNWuLR0Eg==', 16)).toBe('b24c92444fa03082d89e1356b8b47412');
  });

  it('refuses values that are not exactly a base64 MD5', () => {
    expect(base64ToHex('YeC9gg==', 16)).toBeUndefined(); // a crc32c, 4 bytes
    expect(base64ToHex('not base64 at all!!', 16)).toBeUndefined();
    expect(base64ToHex('', 16)).toBeUndefined();
  });
});

describe('S3 inventory keys', () => {
  it('decodes + as space and %-escapes', () => {
    expect(decodeKey('photos/lane+3/img%2B1%20%C3%A9.jpg')).toBe('photos/lane 3/img+1 \u00e9.jpg');
    expect(decodeKey('plain/key.jpg')).toBe('plain/key.jpg');
  });

  it('decodes one-byte escapes by hand as decodeURIComponent does, and hands it the rest', () => {
    expect(decodeKey('lane+3/2024%2F04/a%2b%41+%7e.jpg')).toBe('lane 3/2024/04/a+A ~.jpg');
    expect(decodeKey('a+b+c')).toBe('a b c');
    expect(decodeKey('%00%7F')).toBe('\u0000\u007f');
    expect(decodeKey('%2F%C3%A9%2F')).toBe('/\u00e9/');
  });

  it('reports malformed escapes as undefined instead of throwing', () => {
    expect(decodeKey('bad%E0%A4%A')).toBeUndefined();
    expect(decodeKey('a%41%zz')).toBeUndefined();
    expect(decodeKey('end%4')).toBeUndefined();
    expect(decodeKey('%C3')).toBeUndefined();
  });
});

describe('object ACLs', () => {
  it('finds AllUsers and AuthenticatedUsers grants in base64 JSON', () => {
    const acl = (grants: object[]): string => Buffer.from(JSON.stringify({ version: '2022-11-10', status: 'AVAILABLE', grants })).toString('base64');
    const value = acl([
      { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers', permission: 'WRITE' },
      { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' },
      { type: 'CanonicalUser', canonicalId: 'x', permission: 'FULL_CONTROL' },
    ]);
    expect(publicGrantsFromAcl(value)).toEqual({ grants: ['AllUsers READ', 'AuthenticatedUsers WRITE'] });
    expect(publicGrantsFromAcl(acl([{ type: 'CanonicalUser', canonicalId: 'x', permission: 'FULL_CONTROL' }]))).toEqual({ grants: [] });
    expect(publicGrantsFromAcl(Buffer.from('{"status":"UNAVAILABLE"}').toString('base64'))).toEqual({ grants: undefined });
    expect(publicGrantsFromAcl('!!!')).toHaveProperty('error');
  });
});
