import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../synth/synth-api.js';

/** The robustness bench's turned and skewed copies (scripts/bench/robustness-warp.js), loaded by URL as synth-api.ts loads scripts/. */
export interface WarpCase {
  name: string;
  class: string;
  kind: string;
  params: Record<string, unknown>;
}
interface WarpCases {
  WARP_CASES: readonly WarpCase[];
  applyWarpCase(c: WarpCase, base: Buffer): Promise<Buffer>;
}

const module = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'bench', 'robustness-warp.js')).href)) as WarpCases;

/** The bench's copy of `base` for the warp case named `name`. */
export function warpCase(name: string, base: Buffer): Promise<Buffer> {
  const c = module.WARP_CASES.find((w) => w.name === name);
  if (!c) throw new Error(`no warp case ${name}`);
  return module.applyWarpCase(c, base);
}
