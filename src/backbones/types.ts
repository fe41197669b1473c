/**
 * The backbone contract: a frozen, pretrained speech model that maps a 16 kHz waveform to hidden
 * states, and the minimal slice of ONNX Runtime it runs on (the Node and the web runtime both
 * fit it, so one implementation serves `onnxruntime-node` and `onnxruntime-web`).
 */

/** A tensor as ONNX Runtime hands it out. */
export interface OrtTensorLike {
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** An ONNX Runtime inference session. */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release?(): Promise<void>;
}

/** The parts of an ONNX Runtime module (`onnxruntime-node` or `onnxruntime-web`) a backbone uses. */
export interface OrtLike {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensorLike;
}

/** Facts about a backbone. */
export interface BackboneInfo {
  name: string;
  /** Sample rate (Hz) of the waveform it takes. */
  sampleRateHz: number;
  /** Hidden-state frames per second of audio (Hz). */
  frameRateHz: number;
  /** Width D of the last hidden state (the model's output). */
  dims: number;
  /** Width of every hidden-state output, first layer first; the last is `dims`. */
  layerDims: number[];
  /** Parameters of the model files (initializer elements). */
  parameters: number;
  /** Shortest input (samples) that gives one frame; shorter inputs are zero-padded to it. */
  minSamples: number;
  /** Multiply-accumulates per second of audio, where known (for a transformer, at a stated input length). */
  macsPerSecond?: number;
}

/** Hidden states of one utterance: one `frames × layerDims[l]` matrix per layer, row-major, the output last. */
export interface HiddenStates {
  frames: number;
  layerDims: number[];
  layers: Float32Array[];
}

/** A loaded, frozen backbone. */
export interface Backbone {
  readonly info: BackboneInfo;
  /** Hidden states of a mono waveform at `info.sampleRateHz` in [-1, 1]. */
  hiddenStates(x: Float32Array): Promise<HiddenStates>;
  dispose(): Promise<void>;
}
