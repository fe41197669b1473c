/**
 * The exporter of each registered SER model (src/models/registry.ts), by registry name. A later
 * exporter (e.g. AASIST on raw waveforms: conv/BN/SELU/max-pool from ../onnx/layers, graph
 * pooling with `topkRows`, `reduceMax` for its `amax`) adds an entry here and a `waveform` input
 * kind to the sidecar layout.
 */
import type { ExportedGraph, FeatureNormalizer, ModelSnapshot } from './common.js';
import { exportAlexNet, exportFcnGap } from './image.js';
import { exportCnnLstm, exportTrustSerCnn } from './sequence.js';
import { exportGatedLinear, exportLinear, exportMlp } from './vector.js';

export interface ExportOptions {
  /** The run's feature normalizer, folded into the graph (null: features go in as given). */
  normalizer: FeatureNormalizer | null;
  /** Segment models: hop between segments in frames (default: the segment length). */
  segmentHop?: number;
  /** Multitask models: also output the gender/race heads' posteriors (default true). */
  heads?: boolean;
}

type Exporter = (s: ModelSnapshot, o: ExportOptions) => ExportedGraph;

const segmentHop = (s: ModelSnapshot, o: ExportOptions): number => {
  const shape = s.config.inputShape as number[];
  return o.segmentHop ?? shape[shape.length - 1];
};

const EXPORTERS: Record<string, Exporter> = {
  mlp: (s, o) => exportMlp(s, o.normalizer),
  'linear-svm': (s, o) => exportLinear(s, o.normalizer),
  logreg: (s, o) => exportLinear(s, o.normalizer),
  'gated-logreg': (s, o) => exportGatedLinear(s, o.normalizer),
  'trust-ser-cnn': (s, o) => exportTrustSerCnn(s, o.normalizer),
  'cnn-lstm': (s, o) => exportCnnLstm(s, o.normalizer),
  'cnn-lstm-att': (s, o) => exportCnnLstm(s, o.normalizer),
  'cnn-lstm-att-multitask': (s, o) => exportCnnLstm(s, o.normalizer, { heads: o.heads }),
  alexnet: (s, o) => exportAlexNet(s, o.normalizer, segmentHop(s, o)),
  'fcn-gap': (s, o) => exportFcnGap(s, o.normalizer, segmentHop(s, o)),
};

/** Model names with an ONNX exporter. */
export function exportableModels(): string[] {
  return Object.keys(EXPORTERS);
}

/** Builds the ONNX graph of a trained model; unknown names are errors listing the exportable ones. */
export function exportModelGraph(s: ModelSnapshot, o: ExportOptions): ExportedGraph {
  const e = Object.hasOwn(EXPORTERS, s.name) ? EXPORTERS[s.name] : undefined;
  if (e === undefined) throw new Error(`no ONNX exporter for model '${s.name}'; exportable: ${exportableModels().join(', ')}`);
  const hop = o.segmentHop;
  if (hop !== undefined && (!Number.isInteger(hop) || hop < 1))
    throw new Error(`segment hop must be a positive integer (frames), got ${hop}`);
  return e(s, o);
}
