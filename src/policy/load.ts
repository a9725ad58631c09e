import path from 'node:path';
import { type Document, isMap, isPair, isScalar, LineCounter, type Node, parseDocument, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { describeError, PolicyError, type Problem } from '../util/errors.js';
import { digestOf } from './digest.js';
import { decodePolicy, readPolicyFile } from './read.js';
import { type PolicyDocument, PolicySchema } from './schema.js';
import { checkSemantics } from './semantics.js';
import { closestKey, knownKeysAt } from './suggest.js';

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

/**
 * Reads and validates a policy file; throws PolicyError listing every problem with its position.
 * Only a regular file of at most MAX_POLICY_BYTES is read (see read.ts).
 */
export async function loadPolicy(file: string, shownAs = file): Promise<LoadedPolicy> {
  return loadPolicyBytes(await readPolicyFile(file, shownAs), shownAs, path.dirname(path.resolve(file)));
}

/**
 * Validates a policy's bytes (a file's, or stdin's as `<stdin>`); `baseDir` is what relative paths
 * in it resolve against. The bytes must be UTF-8.
 */
export function loadPolicyBytes(bytes: Buffer, shownAs: string, baseDir: string): LoadedPolicy {
  const loaded = parsePolicy(decodePolicy(bytes, shownAs), shownAs, digestOf(bytes));
  return { ...loaded, baseDir };
}

export { digestOf } from './digest.js';

/** Validates policy text. `file` names the source in error messages. */
export function parsePolicy(text: string, file: string, digest = digestOf(text)): LoadedPolicy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Pick<Problem, 'line' | 'col'> =>
    offset === undefined ? {} : { line: lineCounter.linePos(offset).line, col: lineCounter.linePos(offset).col };

  // One YAML mistake (a tab, a line indented one space too far) makes the parser report several
  // errors after it, and validating what it recovered adds more: only the first is the mistake.
  const syntax = [...document.errors, ...document.warnings].sort((a, b) => a.pos[0] - b.pos[0]);
  if (syntax.length > 0) throw new PolicyError([syntaxProblem(syntax, text, file, at)]);

  let data: unknown;
  try {
    // maxAliasCount guards against alias ("billion laughs") expansion bombs.
    data = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new PolicyError([{ file, message: describeError(error) }]);
  }
  const parsed = PolicySchema.safeParse(data ?? {});
  if (!parsed.success) {
    const guesses = guessTypos(parsed.error.issues, document, data);
    // A typo'd required key is also reported missing under its real name: that is the same mistake,
    // already named by the typo's "did you mean", so it is not reported twice.
    const issues = parsed.error.issues.filter((issue) => !(nodeAt(document, issue.path) === undefined && guesses.meant.has(pathKey(issue.path))));
    const problems = issues.flatMap((issue) => issueProblems(issue, document, guesses, file, at));
    throw new PolicyError(sortProblems(problems));
  }
  const locate = (keyPath: readonly PropertyKey[]) => ({ file, ...at(nodeAt(document, keyPath)?.range?.[0]) });
  const { errors, warnings } = checkSemantics(parsed.data, locate);
  if (errors.length > 0) throw new PolicyError(sortProblems(errors));
  return { path: file, baseDir: path.dirname(path.resolve(file)), digest, doc: parsed.data, builtin: false, warnings };
}

/**
 * The first YAML error, at its line:column. A line indented deeper than its siblings is reported by
 * the parser at the value on the line above ("nested mappings are not allowed in compact mappings"),
 * so that case points at the over-indented line itself.
 */
function syntaxProblem(errors: readonly YAMLError[], text: string, file: string, at: (offset: number | undefined) => Pick<Problem, 'line' | 'col'>): Problem {
  const first = errors[0]!;
  const spansLines = errors.some((e) => e.code === 'MULTILINE_IMPLICIT_KEY' && e.pos[0] === first.pos[0]);
  if (first.code === 'BLOCK_AS_IMPLICIT_KEY' && spansLines) {
    const lineEnd = text.indexOf('\n', first.pos[0]);
    const next = lineEnd === -1 ? undefined : /\S/.exec(text.slice(lineEnd + 1));
    if (next) return { file, ...at(lineEnd + 1 + next.index), message: 'bad indentation: this line is indented deeper than the key above it can hold' };
  }
  return { file, ...at(first.pos[0]), message: describeError(first) };
}

const pathKey = (keyPath: readonly PropertyKey[]): string => JSON.stringify(keyPath.map(String));

/** What unknown keys most likely meant: the known key per unknown key's path, and the meant keys' paths. */
interface Guesses {
  byTypo: Map<string, string>;
  meant: Set<string>;
}

/** For each unknown key, the known key it most likely meant among those its object lacks. */
function guessTypos(issues: readonly z.core.$ZodIssue[], document: Document, data: unknown): Guesses {
  const guesses: Guesses = { byTypo: new Map(), meant: new Set() };
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const map = nodeAt(document, issue.path);
    const known = knownKeysAt(PolicySchema, issue.path, data);
    const present = new Set(isMap(map) ? map.items.flatMap((p) => (isPair(p) && isScalar(p.key) ? [String(p.key.value)] : [])) : []);
    for (const typo of issue.keys) {
      const key = closestKey(typo, known, present);
      if (key === undefined) continue;
      guesses.byTypo.set(pathKey([...issue.path, typo]), key);
      guesses.meant.add(pathKey([...issue.path, key]));
    }
  }
  return guesses;
}

function issueProblems(
  issue: z.core.$ZodIssue,
  document: Document,
  guesses: Guesses,
  file: string,
  at: (offset: number | undefined) => Pick<Problem, 'line' | 'col'>,
): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    const map = nodeAt(document, issue.path);
    return issue.keys.map((key) => {
      const pair = isMap(map) ? map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) : undefined;
      const keyNode = pair && isPair(pair) ? (pair.key as Node) : map;
      const guess = guesses.byTypo.get(pathKey([...issue.path, key]));
      const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
      return { file, ...at(keyNode?.range?.[0]), message: `unknown key "${key}"${where(issue.path)}${hint}` };
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

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0) || a.message.localeCompare(b.message));
}
