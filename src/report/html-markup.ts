import { escapeControl, escapeMarkup } from './escape.js';

/** Any text from the report, as HTML text or attribute value. */
export function h(text: string | number | boolean): string {
  return escapeMarkup(escapeControl(String(text)));
}

/**
 * Path segments longer than this may break inside: kept whole, a longer name would overflow the
 * printed location column (about 45 mm, some 30 monospace characters).
 */
const WHOLE_SEGMENT = 28;

/**
 * A location as HTML text that wraps only after its path separators (`/`, also in archive members'
 * `!/` and `s3://`): each segment is kept whole (a hyphen or space inside a name is no break) and
 * a `<wbr>` follows each separator. Only a segment too long for any column may break inside.
 */
export function loc(location: string): string {
  const segments = location.match(/[^/]*(?:\/+|$)/g)?.filter((x) => x !== '') ?? [location];
  return segments.map((seg) => (seg.length <= WHOLE_SEGMENT ? `<span class="seg">${h(seg)}</span>` : h(seg))).join('<wbr>');
}

/** A `<span class="loc">` holding a location. */
export function locSpan(location: string): string {
  return `<span class="loc">${loc(location)}</span>`;
}

/**
 * JSON inside `<script type="application/json">`: `<`, `>` and `&` as \u escapes, so no file name
 * can close the block (`</script>`) or open a comment; the JSON value is unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A table whose header cells are already markup; the header repeats on every printed page. `cols`
 * names a class per column (print widths), when the table has them.
 */
export function table(attrs: string, head: string[], rows: string[], cols: string[] = []): string {
  const group = cols.length > 0 ? `<colgroup>${cols.map((c) => `<col class="${c}">`).join('')}</colgroup>` : '';
  return `<table${attrs}>${group}<thead><tr>${head.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

export function num(n: number): string {
  return `<td class="num">${n}</td>`;
}

/** A key-number tile. */
export function kpi(id: string, label: string, value: number | string, note = ''): string {
  return `<div><dt>${h(label)}</dt><dd data-kpi="${id}">${h(value)}</dd>${note ? `<dd class="note">${h(note)}</dd>` : ''}</div>`;
}
