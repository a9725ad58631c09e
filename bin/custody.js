#!/usr/bin/env node
// Thin entry: everything lives in the library; this only binds it to the process. The CLI comes
// from its bundle with the build's V8 code cache (src/cli/bundle.ts).
import { loadBundledCli } from '../dist/cli/bundle.js';

const { exitCode } = await loadBundledCli().run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = exitCode;
