const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as text when they are valid UTF-8, else as `otherwise` reads them: names whose encoding no
 * one recorded (file names, gzip and zip member names) are UTF-8 on today's systems, and a legacy
 * reading of UTF-8 bytes (Latin-1, CP437) is mojibake that hides what the name spells.
 */
export function utf8Or(bytes: Uint8Array, otherwise: (bytes: Uint8Array) => string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    return otherwise(bytes);
  }
}
