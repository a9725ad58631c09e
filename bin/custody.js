#!/usr/bin/env node
// Thin entry: everything lives in the library; this only binds it to the process. The CLI comes
// from its bundle with the build's V8 code cache (src/cli/bundle.ts). An audit of a large store is
// first run again in a node with huge pages for its tables (src/cli/relaunch.ts).
import { hugePageEnvironment, processFacts, relaunch } from '../dist/cli/relaunch.js';

const argv = process.argv.slice(2);
const env = hugePageEnvironment(processFacts(argv, process.env, process.cwd()));
const relaunched = env && (await relaunch(env, { execPath: process.execPath, execArgv: process.execArgv, script: process.argv[1] ?? '', argv }, process.stderr));
if (relaunched?.signal) process.kill(process.pid, relaunched.signal);
else if (relaunched) process.exitCode = relaunched.exitCode;
else {
  const { loadBundledCli } = await import('../dist/cli/bundle.js');
  const { exitCode } = await loadBundledCli().run(argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() });
  process.exitCode = exitCode;
}
