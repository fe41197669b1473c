/**
 * The `trustser` command line. Each command lives in its own module; this file wires them into
 * commander and turns any thrown error into its lines on stderr (every cause) and a non-zero exit code.
 */
import { Command, CommanderError } from 'commander';
import { registerDemo } from './demo.js';
import { registerInfo } from './info.js';
import { registerFeatures } from './features.js';
import { registerTrain } from './train.js';
import { registerEvaluate } from './evaluate.js';
import { registerPredict } from './predict.js';
import { registerAudit } from './audit.js';
import { registerCalibrate } from './calibrate.js';
import { registerReport } from './report.js';
import { registerAnalyze } from './analyze.js';
import { registerSpoof } from './spoof.js';
import { registerExport } from './export.js';
import { registerExportSpoof } from './export-spoof.js';
import { registerServe } from './serve.js';
import { registerWorker } from './worker.js';
import { registerPretrain } from './pretrain.js';
import { packageVersion } from '../core/index.js';

/** Builds the command tree (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('trustser')
    .description('Trustworthy speech emotion recognition: train, audit and ship SER models')
    .version(packageVersion(), '-V, --version')
    .configureOutput({ outputError: (str, write) => write(`trustser: ${str.replace(/^error: /, '')}`) })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerInfo(program);
  registerFeatures(program);
  registerPretrain(program);
  registerTrain(program);
  registerEvaluate(program);
  registerPredict(program);
  registerCalibrate(program);
  registerAudit(program);
  registerReport(program);
  registerSpoof(program);
  registerAnalyze(program);
  registerExport(program);
  registerExportSpoof(program);
  registerServe(program);
  registerWorker(program);
  return program;
}

/**
 * Every line of an error: its message, the errors it aggregates and its chain of causes, so a
 * failure that has several reasons (a config with four bad fields, a batch with three bad files)
 * shows all of them.
 */
export function errorLines(e: unknown): string[] {
  if (!(e instanceof Error)) return [String(e)];
  const lines = e.message.split('\n');
  if (e instanceof AggregateError) for (const inner of e.errors) lines.push(...errorLines(inner).map((l) => `  ${l}`));
  if (e.cause !== undefined) {
    const [first, ...rest] = errorLines(e.cause);
    lines.push(`  caused by: ${first}`, ...rest.map((l) => `  ${l}`));
  }
  return lines;
}

/** Runs the CLI with `argv` (as process.argv); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    const [first, ...rest] = errorLines(e);
    process.stderr.write(`trustser: ${first}\n${rest.map((l) => `${/^\s/.test(l) ? '' : '  '}${l}\n`).join('')}`);
    if (process.env.TRUSTSER_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
