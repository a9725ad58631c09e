import { describe, expect, it } from 'vitest';
import { containerOf, locationMatcher } from '../../src/policy/locations.js';

describe('containerOf', () => {
  it.each([
    ['a/b.jpg', 'a/b.jpg'],
    ['backups/x.zip!/a.jpg', 'backups/x.zip'],
    ['backups/x.zip!/in/y.tar.gz!/deep/a.jpg', 'backups/x.zip'],
    ['s3://bucket/dumps/a.tar!/x.jpg', 's3://bucket/dumps/a.tar'],
  ])('%s is judged at %s', (location, container) => expect(containerOf(location)).toBe(container));
});

describe('locationMatcher', () => {
  // globs | location | authorised?
  const table: [string[], string, boolean][] = [
    [['secure-enclave/**'], 'secure-enclave/lanes/a.jpg', true],
    [['secure-enclave/**'], 'secure-enclave-copy/a.jpg', false],
    [['secure-enclave/**'], 'corp/secure-enclave/a.jpg', false],
    [['./secure-enclave/**'], 'secure-enclave/a.jpg', true],
    [['secure-enclave/**'], 'secure-enclave/.hidden/a.jpg', true],
    [['**/*.jpg'], 'a b/ü ñ/photo (copy).jpg', true],
    [['secure-enclave/*.jpg'], 'secure-enclave/sub/a.jpg', false],
    // archive members are located by their outermost archive, whatever the member path says
    [['secure-enclave/**'], 'secure-enclave/backup.zip!/export/a.jpg', true],
    [['secure-enclave/**'], 'corp/backup.zip!/secure-enclave/a.jpg', false],
    [['**/export/**'], 'corp/backup.zip!/export/a.jpg', false],
    // cloud URIs: scheme and bucket literal, the rest a glob
    [['s3://agency-enclave/lpr/**'], 's3://agency-enclave/lpr/2026/a.jpg', true],
    [['s3://agency-enclave/lpr/**'], 's3://agency-enclave/other/a.jpg', false],
    [['s3://agency-enclave/lpr/**'], 's3://agency-enclave-2/lpr/a.jpg', false],
    [['s3://agency-enclave/lpr/**'], 'gs://agency-enclave/lpr/a.jpg', false],
    [['S3://agency-enclave/**'], 's3://agency-enclave/a.jpg', true],
    [['s3://agency-enclave/**'], 'S3://agency-enclave/a.jpg', true],
    [['s3://agency-enclave'], 's3://agency-enclave/deep/a.jpg', true],
    [['s3://agency-enclave/**'], 's3://agency-enclave/dump.tar!/x.jpg', true],
    // a path glob never matches a cloud object, and a URI glob never matches a path
    [['**'], 's3://agency-enclave/a.jpg', false],
    [['s3:/**'], 's3://agency-enclave/a.jpg', false],
    [['s3://agency-enclave/**'], 'agency-enclave/a.jpg', false],
    [['s3://agency-enclave/**'], 's3/agency-enclave/a.jpg', false],
    // several globs: any one suffices; none: nothing is authorised
    [['a/**', 'b/**'], 'b/x.jpg', true],
    [[], 'a/x.jpg', false],
  ];
  it.each(table)('%j matches %s: %s', (globs, location, expected) => {
    expect(locationMatcher(globs)(location)).toBe(expected);
  });
});
