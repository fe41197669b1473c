/** `trustser export-spoof --model aasist|aasist-l|FILE|SPOOF_RUN_DIR --out spoof.onnx`: the countermeasure as ONNX + sidecar. */
import type { Command } from 'commander';
import { exportSpoofModel } from '../runtime/index.js';
import { calibrationFor, describeCalibration } from '../spoof/index.js';

export function registerExportSpoof(program: Command): void {
  program
    .command('export-spoof')
    .description(
      'export the AASIST spoofing countermeasure as an ONNX model (input wave [batch, 64600] at 16 kHz, output logits [batch, 2] = [spoof, bona fide]) plus its sidecar, checked against the engine',
    )
    .requiredOption(
      '--model <spec>',
      'aasist, aasist-l, a .pth/.safetensors file, or a `spoof train` run folder without emotion conditioning',
    )
    .requiredOption('--out <file>', 'ONNX file to write (the sidecar goes to <file>.json)')
    .option(
      '--calibration <file>',
      `a \`spoof calibrate\` file: the sidecar carries it, so \`serve\` and the web app report P(spoof) and judge at its threshold (default: the run's calibration.json when --model is a \`spoof train\` run with a dev fold)`,
    )
    .option('--json', 'print the sidecar as JSON')
    .action(async (o: { model: string; out: string; calibration?: string; json?: boolean }) => {
      const calibration = calibrationFor(o.model, o.calibration);
      const r = await exportSpoofModel(o.model, o.out, { calibration });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(r.sidecar)}\n`);
        return;
      }
      const s = r.sidecar;
      process.stdout.write(
        `${[
          `${s.model.name} (${s.model.params.toLocaleString('en-US')} parameters, from ${s.model.source}) → ${r.modelPath} (${(r.bytes / 1024).toFixed(1)} KiB)`,
          `sidecar: ${r.sidecarPath}`,
          `input: ${s.input.name} [batch, ${s.input.samples}] at ${s.sampleRateHz} Hz; output: ${s.outputs[0]} [batch, 2] = [${s.classes.join(', ')}], score = ${s.classes[s.scoreIndex]} logit`,
          `checked against the engine on ${s.verification.probes} probe signals: max |Δlogit| = ${s.verification.maxAbsDiff.toExponential(2)}`,
          s.calibration
            ? `calibration: ${describeCalibration(s.calibration)}`
            : 'uncalibrated (verdict: the larger logit; see `spoof calibrate`)',
        ].join('\n')}\n`,
      );
    });
}
