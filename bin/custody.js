#!/usr/bin/env node
// Thin entry: everything lives in the library; this only binds it to the process. The CLI comes
// from its bundle with the build's V8 code cache (src/cli/bundle.ts). An audit of a large store is
// first run again in a node with huge pages for its tables (src/cli/relaunch.ts).
import { endLike, hugePageEnvironment, processFacts, relaunch, watchParent } from '../dist/cli/relaunch.js';

const argv = process.argv.slice(2);
// A relaunched custody never relaunches again; it ends if the custody that started it is gone.
const env = watchParent(process.env) ? undefined : hugePageEnvironment(processFacts(argv, process.env, process.cwd(), process.execArgv));
const relaunched = env && (await relaunch(env, { execPath: process.execPath, execArgv: process.execArgv, script: process.argv[1] ?? '', argv }, process.stderr));
const ended = relaunched && endLike(relaunched);
if (ended && 'signal' in ended) process.kill(process.pid, ended.signal);
else if (ended) process.exitCode = ended.exitCode;
else {
  const { loadBundledCli } = await import('../dist/cli/bundle.js');
  const { exitCode } = await loadBundledCli().run(argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() });
  process.exitCode = exitCode;
}
