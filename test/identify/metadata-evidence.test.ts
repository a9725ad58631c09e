import { describe, expect, it } from 'vitest';
import { matchMarker } from '../../src/identify/metadata.js';
import type { MetadataMarker } from '../../src/policy/schema.js';

const ANY: MetadataMarker[] = [{ field: 'Note', matches: '.', asset: 'vehicle-image' }];

describe('metadata marker evidence', () => {
  it('shows text tags as text, trimmed', () => {
    expect(matchMarker({ Note: '  Lane capture XYZ–9876 ' }, ANY)?.value).toBe('Lane capture XYZ–9876');
  });

  // Byte values (`88,89,90,...`) would spell the file's bytes past the redactor.
  it('shows a binary tag holding UTF-8 text as that text, not as byte values', () => {
    expect(matchMarker({ Note: new Uint8Array([...Buffer.from('XYZ–9876', 'utf8'), 0, 0]) }, ANY)?.value).toBe('XYZ–9876');
  });

  it('shows any other binary tag only by its length', () => {
    expect(matchMarker({ Note: Uint8Array.from([1, 2, 3, 0]) }, ANY)?.value).toBe('<4 bytes>');
    expect(matchMarker({ Note: Uint8Array.from([0x58, 0xff, 0x39]) }, ANY)?.value).toBe('<3 bytes>');
  });
});
