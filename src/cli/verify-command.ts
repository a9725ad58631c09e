import path from 'node:path';
import { Command } from 'commander';
import { ExitCode } from '../util/exit-codes.js';
import type { Io } from './io.js';

/** `custody verify <report> <signature> <public key>`: proves which report came from which audit. */
export function verifyCommand(io: Io, setExit: (code: ExitCode) => void): Command {
  return new Command('verify')
    .description('check the detached signature of a JSON report (exit 0 valid, 1 invalid, 2 unusable input)')
    .argument('<report>', 'the JSON report')
    .argument('<signature>', 'its signature file (<report>.sig)')
    .argument('<public-key>', 'the Ed25519 public key (PEM)')
    .action(async (report: string, signature: string, publicKey: string) => {
      // Loaded here, not at start-up: signing code (and its zod schema) is this command's alone.
      const { readKey, verifyReport } = await import('../sign/sign.js');
      const resolve = (file: string) => path.resolve(io.cwd, file);
      const [reportBytes, signatureBytes, keyBytes] = await Promise.all([
        readKey(resolve(report), report),
        readKey(resolve(signature), signature),
        readKey(resolve(publicKey), publicKey),
      ]);
      const result = verifyReport(reportBytes, signatureBytes.toString('utf8'), keyBytes, publicKey);
      if (!result.ok) {
        io.stderr.write(`custody: signature NOT valid: ${result.reason}\n`);
        setExit(ExitCode.Violations);
        return;
      }
      io.stdout.write(
        `signature valid: key ${result.keyId}\n  report sha256 ${result.reportSha256}\n  policy ${result.policyDigest}\n  fingerprints ${result.fingerprintDigests.join(', ') || '(none)'}\n  custody ${result.toolVersion}\n`,
      );
      setExit(ExitCode.Ok);
    });
}
