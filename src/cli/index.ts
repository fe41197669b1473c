/**
 * The `trustser` command line. Each command lives in its own module; this file wires them into
 * commander and turns any thrown error into one line on stderr and a non-zero exit code.
 */
import { Command, CommanderError } from 'commander';
import { registerDemo } from './demo.js';
import { registerInfo } from './info.js';
import { registerFeatures } from './features.js';
import { registerTrain } from './train.js';
import { registerAudit } from './audit.js';
import { registerSpoof } from './spoof.js';
import { registerExport } from './export.js';
import { registerExportSpoof } from './export-spoof.js';
import { registerServe } from './serve.js';
import { packageVersion } from '../util/paths.js';

/** Builds the command tree (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('trustser')
    .description('Trustworthy speech emotion recognition: train, audit and ship SER models')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  registerDemo(program);
  registerInfo(program);
  registerFeatures(program);
  registerTrain(program);
  registerAudit(program);
  registerSpoof(program);
  registerExport(program);
  registerExportSpoof(program);
  registerServe(program);
  return program;
}

/** Runs the CLI with `argv` (as process.argv); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`trustser: ${msg.split('\n')[0]}\n`);
    if (process.env.TRUSTSER_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
