import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/tmp.js';

/** Where `.ci/run` installs `@microsoft/sarif-multitool` (a ~100 MB .NET binary: not a devDependency). */
export const MULTITOOL_PREFIX = path.join(REPO_ROOT, 'node_modules/.cache/sarif-multitool');

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The validator: the native binary in .ci/run's prefix (its npm launcher runs it through a shell,
 * which would split paths with spaces), else `sarif-multitool` on PATH.
 */
export function findMultitool(): string | undefined {
  const native = path.join(MULTITOOL_PREFIX, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool');
  if (process.platform === 'linux' && executable(native)) return native;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'sarif-multitool');
    if (dir && executable(candidate)) return candidate;
  }
  return undefined;
}

/** One problem the validator reported. */
export interface MultitoolProblem {
  ruleId: string;
  level: 'error' | 'warning' | 'note';
  /** The JSON pointer-ish path in the validated log, e.g. `runs[0].results[3].locations[0].physicalLocation`. */
  where: string;
  message: string;
}

/**
 * Runs `sarif-multitool validate` with the given rule kinds on logs (one process for all: it takes
 * seconds to start) and returns what it found in each, by file. `Sarif;Gh` runs the SARIF rules
 * and GitHub's (what `--rule-kind Gh` adds) in one pass.
 */
export async function multitoolValidate(tool: string, logs: readonly string[], out: string, ruleKinds = 'Sarif;Gh'): Promise<Map<string, MultitoolProblem[]>> {
  await promisify(execFile)(tool, ['validate', ...logs, '--rule-kind', ruleKinds, '--output', out, '--log', 'ForceOverwrite'], { timeout: 300_000 });
  const doc = JSON.parse(readFileSync(out, 'utf8')) as {
    runs: {
      tool: { driver: { rules?: { id: string; defaultConfiguration?: { level?: string } }[] } };
      results?: {
        ruleId: string;
        level?: string;
        message: { text?: string; arguments?: string[] };
        locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[];
      }[];
    }[];
  };
  const run = doc.runs[0];
  const defaults = new Map((run?.tool.driver.rules ?? []).map((r) => [r.id, r.defaultConfiguration?.level]));
  const found = new Map<string, MultitoolProblem[]>(logs.map((log) => [path.resolve(log), []]));
  for (const r of run?.results ?? []) {
    const uri = r.locations?.[0]?.physicalLocation?.artifactLocation?.uri;
    const file = uri ? fileURLToPath(uri) : '';
    const args = r.message.arguments ?? [];
    const problem: MultitoolProblem = {
      ruleId: r.ruleId,
      // A result without a level has its rule's, and SARIF's default is warning.
      level: (r.level ?? defaults.get(r.ruleId) ?? 'warning') as MultitoolProblem['level'],
      where: args[0] ?? '',
      message: r.message.text ?? args.join(' '),
    };
    if (!found.has(file)) found.set(file, []);
    found.get(file)!.push(problem);
  }
  return found;
}
