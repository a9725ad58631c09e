/**
 * Characters that must never reach a terminal or a reader raw: C0 controls (newline, tab, ESC...),
 * DEL, C1 controls, zero-width and bidi formatting characters (Trojan-source style reordering),
 * line/paragraph separators, BOM, noncharacters U+FFFE/U+FFFF and lone surrogates. The backslash is
 * included so that an escaped sequence can never be confused with a name that contains one.
 */
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufffe\uffff]|[\ud800-\udfff]/gu;

const NAMED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes a string from the scanned data (file name, location, message) safe to show: every unsafe
 * character becomes a visible escape (`\n`, `\x1b`, `\u202e`, `\\`). Printable text, including
 * non-Latin scripts and emoji, is kept as is.
 */
export function escapeControl(text: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, visible) : text;
}

/** Escapes `& < > " '` for HTML and XML text and attribute values. */
export function escapeMarkup(text: string): string {
  return MARKUP_CHARS.test(text) ? text.replace(/[&<>"']/g, (ch) => MARKUP[ch] ?? ch) : text;
}

const MARKUP_CHARS = /[&<>"']/;

const MARKUP: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
