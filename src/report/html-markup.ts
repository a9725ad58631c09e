import { escapeControl, escapeMarkup } from './escape.js';

/** Any text from the report, as HTML text or attribute value. */
export function h(text: string | number | boolean): string {
  return escapeMarkup(escapeControl(String(text)));
}

/**
 * A location as HTML text that wraps at its path separators (`/`, also in `!/` of archive members
 * and `s3://`): a `<wbr>` after each, so a long path breaks between folders, not mid-name; CSS
 * breaks a single over-long name only when no separator is left on the line.
 */
export function loc(location: string): string {
  return h(location).replace(/\/(?!$)/g, '/<wbr>');
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
