import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { PolicyError, type Problem } from '../util/errors.js';
import { PolicySchema, type PolicyDocument } from './schema.js';
import { checkSemantics } from './semantics.js';

/** A validated policy and what identifies it. */
export interface LoadedPolicy {
  /** The policy file as given, or `(built-in)`. */
  path: string;
  /** Directory that relative paths inside the policy resolve against. */
  baseDir: string;
  /** `sha256:<hex>` of the file's bytes. */
  digest: string;
  doc: PolicyDocument;
  builtin: boolean;
  /** Non-fatal remarks (a mandatory clause no protocol cites, ...). */
  warnings: Problem[];
}

/** Reads and validates a policy file; throws PolicyError listing every problem with its position. */
export async function loadPolicy(file: string, shownAs = file): Promise<LoadedPolicy> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new PolicyError([{ file: shownAs, message: `cannot read policy: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }]);
  }
  const loaded = parsePolicy(bytes.toString('utf8'), shownAs, digestOf(bytes));
  return { ...loaded, baseDir: path.dirname(path.resolve(file)) };
}

export const digestOf = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Validates policy text. `file` names the source in error messages. */
export function parsePolicy(text: string, file: string, digest = digestOf(text)): LoadedPolicy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Pick<Problem, 'line' | 'col'> =>
    offset === undefined ? {} : { line: lineCounter.linePos(offset).line, col: lineCounter.linePos(offset).col };

  const syntax = [...document.errors, ...document.warnings].map((e) => ({ file, ...at(e.pos[0]), message: firstLine(e.message) }));
  if (syntax.length > 0) throw new PolicyError(syntax);

  let data: unknown;
  try {
    // maxAliasCount guards against alias ("billion laughs") expansion bombs.
    data = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new PolicyError([{ file, message: firstLine((error as Error).message) }]);
  }
  const parsed = PolicySchema.safeParse(data ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => issueProblems(issue, document, file, at));
    throw new PolicyError(sortProblems(problems));
  }
  const locate = (keyPath: readonly PropertyKey[]) => ({ file, ...at(nodeAt(document, keyPath)?.range?.[0]) });
  const { errors, warnings } = checkSemantics(parsed.data, locate);
  if (errors.length > 0) throw new PolicyError(sortProblems(errors));
  return { path: file, baseDir: path.dirname(path.resolve(file)), digest, doc: parsed.data, builtin: false, warnings };
}

function issueProblems(
  issue: z.core.$ZodIssue,
  document: Document,
  file: string,
  at: (offset: number | undefined) => Pick<Problem, 'line' | 'col'>,
): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    const map = nodeAt(document, issue.path);
    return issue.keys.map((key) => {
      const pair = isMap(map) ? map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) : undefined;
      const keyNode = pair && isPair(pair) ? (pair.key as Node) : map;
      return { file, ...at(keyNode?.range?.[0]), message: `unknown key "${key}"${where(issue.path)}` };
    });
  }
  const node = nodeAt(document, issue.path);
  const missing = node === undefined && issue.path.length > 0;
  const anchor = missing ? nearestNode(document, issue.path) : node;
  const text = issue.message.replace(/^Invalid input: /, '');
  const message = missing ? `missing required key "${String(issue.path.at(-1))}"${where(issue.path.slice(0, -1))}` : `${label(issue.path)}${text}`;
  return [{ file, ...at(anchor?.range?.[0]), message }];
}

/** The YAML node at a key path, or undefined. */
function nodeAt(document: Document, keyPath: readonly PropertyKey[]): Node | undefined {
  if (keyPath.length === 0) return (document.contents ?? undefined) as Node | undefined;
  return document.getIn(keyPath as unknown[], true) as Node | undefined;
}

function nearestNode(document: Document, keyPath: readonly PropertyKey[]): Node | undefined {
  for (let n = keyPath.length - 1; n >= 0; n--) {
    const node = nodeAt(document, keyPath.slice(0, n));
    if (node) return node;
  }
  return undefined;
}

const label = (keyPath: readonly PropertyKey[]): string => (keyPath.length === 0 ? '' : `${keyPath.map(String).join('.')}: `);
const where = (keyPath: readonly PropertyKey[]): string => (keyPath.length === 0 ? '' : ` in ${keyPath.map(String).join('.')}`);
const firstLine = (message: string): string => message.split('\n')[0] ?? message;

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0) || a.message.localeCompare(b.message));
}
