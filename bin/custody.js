#!/usr/bin/env node
// Thin entry: everything lives in the library; this only binds it to the process.
import { run } from '../dist/bin/run.js';

const { exitCode } = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = exitCode;
