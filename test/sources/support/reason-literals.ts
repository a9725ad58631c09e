import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** One coverage reason written as a literal in the source, and where. */
export interface ReasonLiteral {
  reason: string;
  at: string;
  /** The `incomplete` written beside it, when it is a literal. */
  incomplete?: boolean;
}

/** Machine-readable reasons are kebab-case; prose in a `reason` field (clause verdicts, waivers) is not one. */
const MACHINE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Every coverage reason the TypeScript sources spell out, found in the syntax tree:
 * - a `reason` property of an object literal that also has `location` or `incomplete` (a CoverageEntry);
 * - an argument passed as the parameter named `reason` of a function declared in the sources
 *   (`coverage(location, 'symlink', ...)`, `gap('decode-limit', ...)`, `guarded(path, 'manifest-unreadable', ...)`);
 * - the values of a constant whose name holds REASON (`COVERAGE_REASON = { timeout: 'decode-timeout' }`);
 * - a `reason` property typed by the coverage-reason registry (tables of formats custody does not open).
 * Conditionals are followed into both branches.
 */
export function reasonLiterals(files: ReadonlyMap<string, string>): ReasonLiteral[] {
  const parsed = [...files].map(([name, text]) => ({ name, tree: ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true) }));
  const reasonParams = new Map<string, number>();
  for (const { tree } of parsed) visit(tree, (node) => noteReasonParameter(node, reasonParams));
  const found: ReasonLiteral[] = [];
  for (const { name, tree } of parsed) {
    const add = (expression: ts.Expression, incomplete?: boolean) => {
      for (const literal of literalsOf(expression)) {
        if (!MACHINE_ID.test(literal.text)) continue;
        const { line } = tree.getLineAndCharacterOfPosition(literal.getStart());
        found.push({ reason: literal.text, at: `${name}:${line + 1}`, ...(incomplete !== undefined ? { incomplete } : {}) });
      }
    };
    visit(tree, (node) => {
      if (ts.isObjectLiteralExpression(node)) {
        const props = new Map<string, ts.Expression>();
        const names = new Set<string>();
        for (const p of node.properties) {
          if (ts.isShorthandPropertyAssignment(p)) names.add(p.name.text);
          else if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) {
            names.add(p.name.text);
            props.set(p.name.text, p.initializer);
          }
        }
        const reason = props.get('reason');
        if (reason && (names.has('location') || names.has('incomplete') || names.has('format'))) add(reason, booleanOf(props.get('incomplete')));
      } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const index = reasonParams.get(node.expression.text);
        const arg = index === undefined ? undefined : node.arguments[index];
        if (arg) add(arg, booleanOf(node.arguments[node.arguments.length - 1]));
      } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && /REASON/.test(node.name.text) && node.initializer) {
        const init = unwrap(node.initializer);
        if (ts.isObjectLiteralExpression(init)) {
          for (const p of init.properties) if (ts.isPropertyAssignment(p)) add(p.initializer);
        } else add(init);
      }
    });
  }
  return found;
}

/** Records `name -> index` for functions with a parameter named `reason`. */
function noteReasonParameter(node: ts.Node, out: Map<string, number>): void {
  let name: string | undefined;
  let params: ts.NodeArray<ts.ParameterDeclaration> | undefined;
  if (ts.isFunctionDeclaration(node) && node.name) [name, params] = [node.name.text, node.parameters];
  else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isArrowFunction(node.initializer))
    [name, params] = [node.name.text, node.initializer.parameters];
  if (!name || !params) return;
  const index = params.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === 'reason');
  if (index >= 0) out.set(name, index);
}

function literalsOf(expression: ts.Expression): ts.StringLiteralLike[] {
  const e = unwrap(expression);
  if (ts.isStringLiteralLike(e)) return [e];
  if (ts.isConditionalExpression(e)) return [...literalsOf(e.whenTrue), ...literalsOf(e.whenFalse)];
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken))
    return [...literalsOf(e.left), ...literalsOf(e.right)];
  return [];
}

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

function booleanOf(e: ts.Expression | undefined): boolean | undefined {
  if (e?.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e?.kind === ts.SyntaxKind.FalseKeyword) return false;
  return undefined;
}

function visit(node: ts.Node, fn: (node: ts.Node) => void): void {
  fn(node);
  node.forEachChild((child) => visit(child, fn));
}

/** The `.ts` files under `dir`, by path relative to `root`. */
export function readSources(root: string, dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(join(root, dir));
  return files;
}
