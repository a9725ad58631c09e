const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * User input quoted in a message (a path, a flag value, a policy key), with every character that
 * would not show, or would move the cursor, written as an escape: controls (C0, DEL, C1), format
 * characters (U+FEFF, zero-width and bidirectional marks), separators other than the plain space,
 * and unpaired surrogates. So `custody: ... "\u{FEFF}high"` says what was typed, and a terminal or CI
 * log cannot be rewritten by a crafted name. Visible text, including non-Latin letters, is kept.
 */
export function escapeInvisible(text: string): string {
  return text.replace(
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]|(?! )\p{Zs}/gu,
    (c) => NAMED[c] ?? `\\u{${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}}`,
  );
}
