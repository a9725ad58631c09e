import { MIN_RUN_CHARS, type Run, RunScanner } from './base64-runs.js';

/** A run found in a JSON string value, named by where the value is. */
export interface NamedRun {
  name: string;
  run: Run;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const step = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/**
 * The embedded files of a JSON document or of JSON Lines, each named by the path of the string that
 * holds it (`$.captures[3].image`; `line-4:$.image` in JSON Lines; `#2` after the path for a second
 * file in one string), in document order. Undefined when the bytes are neither.
 */
export function jsonRuns(bytes: Buffer, maxChars: number): NamedRun[] | undefined {
  const text = bytes.toString('utf8');
  const whole = parse(text);
  if (whole.ok) return stringsOf(whole.value, '$', maxChars);
  const found: NamedRun[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const parsed = parse(line);
    if (!parsed.ok) return undefined;
    found.push(...stringsOf(parsed.value, `line-${index + 1}:$`, maxChars));
  }
  return found;
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // Not JSON (or nested past what the parser takes): the caller names runs by position instead.
    return { ok: false };
  }
}

/** Every run in every string under `value`; an explicit stack, since a hostile document may nest deeply. */
function stringsOf(value: unknown, root: string, maxChars: number): NamedRun[] {
  const found: NamedRun[] = [];
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (node.length < MIN_RUN_CHARS) continue;
      const runs = new RunScanner(maxChars).push(node, true).filter((run) => run.length >= MIN_RUN_CHARS);
      for (const [i, run] of runs.entries()) found.push({ name: i === 0 ? path : `${path}#${i + 1}`, run });
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], step(path, i)]);
    } else if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node);
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], step(path, entries[i]![0])]);
    }
  }
  return found;
}
