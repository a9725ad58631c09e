// @ts-check
/**
 * Per-process measurement for the benchmark: wall time, CPU time (user + sys) and peak RSS of one
 * spawned command and its children. GNU time (`/usr/bin/time -f '%e %U %S %M'`) is used when present
 * because it reads the kernel's rusage for the whole process tree; otherwise the child's
 * /proc/<pid>/stat and /proc/<pid>/status (VmHWM) are polled, which sees only the direct child.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';

/**
 * @typedef {object} Measurement
 * @property {number} wall seconds
 * @property {number} cpu user + sys seconds
 * @property {number} rssMiB peak resident set, MiB
 * @property {number} code exit code
 * @property {string} stdout
 * @property {string} stderr
 * @property {number} load1 one-minute load average when the command ended
 * @property {'gnu-time' | 'proc-poll'} method
 */

/** Which method {@link measure} will use on this machine. */
export const measureMethod = () => (existsSync(GNU_TIME) ? 'gnu-time' : 'proc-poll');

/**
 * Runs `command args` to completion and measures it. Output is collected (benchmarked tools print
 * little, or are given an --output file).
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<Measurement>}
 */
export async function measure(command, args, options = {}) {
  if (measureMethod() === 'gnu-time') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-bench-'));
    const out = path.join(dir, 'time.txt');
    try {
      const run = await collect(GNU_TIME, ['-f', '%e %U %S %M', '-o', out, command, ...args], options);
      const [wall = NaN, user = NaN, sys = NaN, kib = NaN] = (await readFile(out, 'utf8')).trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
      return { ...run, wall, cpu: user + sys, rssMiB: kib / 1024, method: 'gnu-time' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return pollProc(command, args, options);
}

/**
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} options
 * @param {(pid: number) => void} [onSpawn]
 */
function collect(command, args, options, onSpawn) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) onSpawn?.(child.pid);
    /** @type {Buffer[]} */ const out = [];
    /** @type {Buffer[]} */ const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), load1: os.loadavg()[0] ?? 0 }),
    );
  });
}

/**
 * Fallback without GNU time: samples the child every 50 ms; CPU is the last sample (so up to 50 ms
 * short), RSS the kernel's high-water mark at that sample.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} options
 * @returns {Promise<Measurement>}
 */
async function pollProc(command, args, options) {
  const tick = 100; // USER_HZ: clock ticks per second in /proc/<pid>/stat on every Linux port node supports
  let cpu = 0;
  let rssKiB = 0;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const start = process.hrtime.bigint();
  const run = await collect(command, args, options, (pid) => {
    timer = setInterval(async () => {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpu = (Number(fields[11]) + Number(fields[12])) / tick;
        const hwm = /VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
        if (hwm) rssKiB = Math.max(rssKiB, Number(hwm[1]));
      } catch {
        // The process ended between samples: the previous sample stands.
      }
    }, 50);
  });
  clearInterval(timer);
  return { ...run, wall: Number(process.hrtime.bigint() - start) / 1e9, cpu, rssMiB: rssKiB / 1024, method: 'proc-poll' };
}

/**
 * Sums sequential steps that together make one contender (e.g. fingerprint then audit): wall and
 * CPU add up, peak RSS is the largest of the steps.
 * @param {readonly Measurement[]} steps
 * @returns {Measurement}
 */
export function sequence(steps) {
  const last = steps.at(-1);
  if (!last) throw new RangeError('sequence needs at least one step');
  return {
    ...last,
    wall: steps.reduce((s, m) => s + m.wall, 0),
    cpu: steps.reduce((s, m) => s + m.cpu, 0),
    rssMiB: Math.max(...steps.map((m) => m.rssMiB)),
    code: steps.find((m) => m.code !== 0 && m.code !== 1)?.code ?? last.code,
    stdout: steps.map((m) => m.stdout).join(''),
    stderr: steps.map((m) => m.stderr).join(''),
  };
}

/**
 * The median run by wall time (the upper middle one for an even count).
 * @param {readonly Measurement[]} runs
 * @returns {Measurement}
 */
export function medianRun(runs) {
  const sorted = [...runs].sort((a, b) => a.wall - b.wall);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (!middle) throw new RangeError('medianRun needs at least one run');
  return middle;
}
