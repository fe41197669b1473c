/** `trustser export RUN_DIR --out model.onnx [--fold K]`: a trained fold as ONNX + sidecar. */
import type { Command } from 'commander';
import { exportRun } from '../runtime/index.js';
import { intFlag } from '../core/index.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description("export a trained run's fold as an ONNX model plus its sidecar (model.onnx.json), checked against the engine")
    .argument('<run-dir>', 'run directory written by `trustser train`')
    .requiredOption('--out <file>', 'ONNX file to write (the sidecar goes to <file>.json)')
    .option('--fold <k>', 'fold to export (default: the lowest-numbered trained fold)', intFlag(0))
    .option('--no-heads', 'multitask models: export only the emotion head')
    .option('--json', 'print the sidecar as JSON')
    .action(async (dir: string, o: { out: string; fold?: number; heads: boolean; json?: boolean }) => {
      const r = await exportRun(dir, o.out, { fold: o.fold, heads: o.heads });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(r.sidecar)}\n`);
        return;
      }
      const s = r.sidecar;
      process.stdout.write(
        `${[
          `${s.model.name} (fold ${s.fold}${s.foldName ? `, ${s.foldName}` : ''}) → ${r.modelPath} (${(r.bytes / 1024).toFixed(1)} KiB)`,
          `sidecar: ${r.sidecarPath}`,
          `input: ${s.input.kind} [${s.input.features.join(', ')}] from '${s.features.set}' at ${s.sampleRateHz} Hz; outputs: ${s.outputs.join(', ')}`,
          `classes: ${s.classes.join(', ')}`,
          `checked against the engine on ${s.verification.probes} probe signals: max |Δp| = ${s.verification.maxAbsDiff.toExponential(2)}`,
        ].join('\n')}\n`,
      );
    });
}
