import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// custody is one pipeline and its folders are its stages (README "Architecture"): a folder imports
// only folders of a lower stage, so data flows one way and no stage reaches back up. This reads every
// relative import in src/ and fails on one that runs up, or on a folder this list does not place.

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Each folder (or top-level file) of src/ and its stage, lowest first. */
const STAGES: Readonly<Record<string, number>> = {
  util: 0,
  'version.ts': 0,
  sources: 1,
  references: 1,
  policy: 2,
  identify: 3,
  report: 4,
  cache: 4,
  evaluate: 5,
  postprocess: 5,
  sign: 5,
  audit: 6,
  fingerprint: 6,
  merge: 7,
  calibrate: 7,
  cli: 8,
  'index.ts': 8,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The src/ folder (or top-level file) a path belongs to. */
const roomOf = (file: string): string => path.relative(SRC, file).split(path.sep)[0]!.replace(/\.js$/, '.ts');

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function importsOf(file: string): { from: string; to: string; spec: string }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = (m[1] ?? m[2])!;
    return { from: roomOf(file), to: roomOf(path.resolve(path.dirname(file), spec)), spec };
  });
}

describe('stages run one way', () => {
  const files = sourceFiles(SRC);

  it('every folder of src/ has a stage', () => {
    const rooms = new Set(files.map(roomOf));
    expect([...rooms].filter((room) => STAGES[room] === undefined)).toEqual([]);
  });

  it('no import runs from a lower stage to a higher one (none reaches back up)', () => {
    const upward = files.flatMap((file) =>
      importsOf(file)
        .filter(({ from, to }) => from !== to && (STAGES[to] ?? Number.POSITIVE_INFINITY) >= (STAGES[from] ?? 0))
        .map(({ from, to, spec }) => `${path.relative(SRC, file)} (${from}, stage ${STAGES[from]}) imports ${spec} (${to}, stage ${STAGES[to]})`),
    );
    expect(upward).toEqual([]);
  });

  it('the check sees imports (it is not vacuous)', () => {
    const audit = importsOf(path.join(SRC, 'audit/audit.ts'));
    expect(audit.some((i) => i.to === 'evaluate')).toBe(true);
    expect(audit.some((i) => i.to === 'sources')).toBe(true);
  });
});
