const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A member name's bytes as text when the format does not say which encoding they are in (gzip
 * FNAME, zip names without the UTF-8 flag). Tools store the bytes as the file system gave them, which
 * today is UTF-8, and extract them unchanged; decoding those bytes as the format's legacy code page
 * (Latin-1, CP437) turns `QRT–4821` into a mojibake that still shows the plate but no longer reads as
 * one, so it would escape redaction. Valid UTF-8 is taken as UTF-8; anything else as `legacy` says.
 */
export function decodeNameBytes(bytes: Uint8Array, legacy: (bytes: Uint8Array) => string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    return legacy(bytes);
  }
}
