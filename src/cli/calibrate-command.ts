import path from 'node:path';
import { Command, Option } from 'commander';
import { UsageError } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';
import type { Io } from './io.js';
import { collect } from './options.js';

/** `custody calibrate <labels.csv>`: precision and recall per distance band, to choose a threshold. */
export function calibrateCommand(io: Io, setExit: (code: ExitCode) => void): Command {
  return new Command('calibrate')
    .description('measure perceptual matching on a labelled set: precision/recall per distance band')
    .argument('<labels.csv>', 'CSV with columns query (path relative to the CSV), reference (expected id; empty for a negative), class (optional)')
    .requiredOption('-f, --fingerprints <file>', 'fingerprint file with perceptual hashes (repeatable)', collect)
    .option('--threshold <bits>', 'distance threshold to evaluate (default: the audit threshold)')
    .addOption(new Option('--format <name>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (labels: string, flags: { fingerprints: string[]; threshold?: string; format: 'text' | 'json' }) => {
      const threshold = flags.threshold === undefined ? undefined : Number(flags.threshold);
      if (threshold !== undefined && (!Number.isInteger(threshold) || threshold < 0 || threshold > 256))
        throw new UsageError(`--threshold takes a whole number of bits (0-256), not "${flags.threshold}"`);
      // The matching code is loaded by the command that runs it, not at start-up.
      const [{ runCalibration }, { formatCalibrationJson, formatCalibrationText }] = await Promise.all([
        import('../calibrate/calibrate.js'),
        import('../calibrate/format.js'),
      ]);
      const result = await runCalibration(
        path.resolve(io.cwd, labels),
        flags.fingerprints.map((f) => path.resolve(io.cwd, f)),
        threshold === undefined ? {} : { threshold },
      );
      io.stdout.write(flags.format === 'json' ? formatCalibrationJson(result) : formatCalibrationText(result));
      setExit(ExitCode.Ok);
    });
}
