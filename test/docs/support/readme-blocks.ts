import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../../support/tmp.js';

/** One fenced code block of the README. */
export interface CodeBlock {
  /** The info string after the opening fence (`yaml`, `sh`, ...). */
  lang: string;
  /** 1-based README line of the block's first content line, for messages. */
  line: number;
  text: string;
}

/** Every fenced block of README.md, in order. */
export async function readmeBlocks(): Promise<CodeBlock[]> {
  const lines = (await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8')).split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`README.md:${i + 1}: code block never closed`);
    blocks.push({ lang: open[1]!, line: i + 2, text: `${lines.slice(i + 1, end).join('\n')}\n` });
    i = end;
  }
  return blocks;
}

/** Every string anywhere in a parsed YAML value (scripts hide in `run`, `script`, `args`, ...). */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** A `custody <command> ...` invocation found in a script. */
export interface Invocation {
  command: string;
  flags: string[];
  text: string;
}

/**
 * The custody invocations in shell text: `custody <command>` up to the end of the command (a line
 * end not continued by `\`, `&&`, `||`, `;` or `|`), with the long flags it passes (`--x=v` as `--x`).
 * Only lower-case command words count, so prose ("custody is ...") and paths are not taken.
 */
export function custodyInvocations(script: string): Invocation[] {
  const joined = script.replace(/\\\n/g, ' ');
  const found: Invocation[] = [];
  for (const match of joined.matchAll(/(?:^|[\s;&|(])custody\s+([a-z]+)([^\n;&|]*)/g)) {
    const [, command, rest] = match as unknown as [string, string, string];
    const flags = [...rest.matchAll(/(?:^|\s)(--?[a-zA-Z][\w-]*)/g)].map((m) => m[1]!.replace(/=.*$/, ''));
    found.push({ command, flags, text: `custody ${command}${rest}`.trim() });
  }
  return found;
}

const helpCache = new Map<string, Promise<string>>();

/** `custody <command> --help` (`custody --help` for '') from the built CLI (dist/, kept current by the global setup). */
export function helpOf(command: string): Promise<string> {
  let help = helpCache.get(command);
  if (!help) {
    help = execa('node', [path.join(REPO_ROOT, 'bin', 'custody.js'), ...(command ? [command] : []), '--help'], { cwd: REPO_ROOT }).then((r) => r.stdout);
    helpCache.set(command, help);
  }
  return help;
}

/** The flags (`--policy`, `-p`, `--no-cache`) a command's help lists. */
export function flagsOfHelp(help: string): Set<string> {
  return new Set([...help.matchAll(/(?:^|[\s,])(--?[a-zA-Z][\w-]*)/gm)].map((m) => m[1]!));
}
