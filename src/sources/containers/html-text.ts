// The text of an HTML body, for the plate scanner: postal-mime renders a text body from HTML only when
// a message has some text/plain part too, and an HTML-only message is common (webmail, forwarded reports).

const BLOCK = /^\/?(p|div|br|tr|td|th|li|table|h[1-6])\b/i;
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Tags removed (block tags become line breaks, others a space, so `<td>ABC</td><td>1234</td>` stays two
 * cells), script and style blocks and comments dropped, the common entities decoded. Linear in the
 * input: every search moves forward (a regex over unclosed `<` would rescan to the end from each one).
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let lower: string | undefined;
  let at = 0;
  while (at < html.length) {
    const open = html.indexOf('<', at);
    if (open < 0) break;
    out.push(decodeEntities(html.slice(at, open)));
    const raw = /^<(script|style)\b/i.exec(html.slice(open, open + 8));
    let close: number;
    if (html.startsWith('<!--', open)) close = endOf(html, '-->', open + 4);
    else if (raw) {
      lower ??= html.toLowerCase();
      close = endOf(html, '>', lower.indexOf(`</${raw[1]!.toLowerCase()}`, open));
    } else close = endOf(html, '>', open);
    if (close < 0) {
      at = open;
      break;
    }
    out.push(BLOCK.test(html.slice(open + 1, open + 8)) ? '\n' : ' ');
    at = close;
  }
  out.push(decodeEntities(html.slice(at)));
  return out.join('');
}

/** The index just past `token` at or after `from`, or -1 (also when `from` is -1). */
function endOf(text: string, token: string, from: number): number {
  if (from < 0) return -1;
  const found = text.indexOf(token, from);
  return found < 0 ? -1 : found + token.length;
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}
