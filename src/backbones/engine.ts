/**
 * The engine backbones as differentiable functions of the waveform, by name: shared and frozen
 * (what the waveform attacks run through: the networks the feature sets use), or a network of
 * its own with trainable parameters (what fine-tuning trains), and the file a fine-tuned
 * network is saved to.
 */
import { saveSafetensors, stack, toRaw, type nn, type Tensor } from '../engine/index.js';
import type { StateDict } from '../tensor-io/index.js';
import { TUNED_BACKBONE_KEY } from './checkpoint-files.js';
import { ENGINE_BACKBONE_NAMES, uniformLayers } from './engine-names.js';
import { engineApc, engineTera, newApc, newTera } from './s3prl/index.js';
import type { BackboneWeights } from './sources.js';
import { WAV2VEC2_ARCHS } from './wav2vec2/config.js';
import type { Wav2Vec2 } from './wav2vec2/model.js';
import { engineWav2Vec2, newWav2Vec2 } from './wav2vec2/source.js';
import { engineWhisper, newWhisper, type WhisperPad, type WhisperWeights } from './whisper/index.js';
import type { WhisperEncoder } from './whisper/model.js';

/** A backbone network on the engine. */
export interface EngineBackbone {
  /** Every layer's hidden states [1, T, D] of a waveform [1, S] (at the backbone's rate, in [-1, 1]); gradients flow to it. */
  hiddenStates(wave: Tensor): Tensor[];
}

/** A backbone network of its own whose parameters train. */
export interface TrainableBackbone extends EngineBackbone {
  readonly name: string;
  /** The network (its parameters, train/eval mode, state dict). */
  readonly module: nn.Module;
  /**
   * Parameters of its learned front end — wav2vec 2.0 / HuBERT / WavLM's convolutional feature
   * encoder, Whisper's two convolutions; none for APC and TERA, whose front end is a filterbank —
   * which fine-tuning usually keeps frozen.
   */
  readonly frontEnd: Tensor[];
}

type Network =
  | { kind: 'wav2vec2'; net: Wav2Vec2 }
  | { kind: 'whisper'; net: WhisperEncoder; pad: WhisperPad }
  | { kind: 's3prl'; net: nn.Module & EngineBackbone };

function network(name: string, o: BackboneWeights, own: boolean): Network {
  if ((WAV2VEC2_ARCHS as readonly string[]).includes(name))
    return { kind: 'wav2vec2', net: own ? newWav2Vec2(name, o) : engineWav2Vec2(name, o) };
  if (name === 'whisper') return { kind: 'whisper', net: own ? newWhisper(o) : engineWhisper(o), pad: (o as WhisperWeights).pad ?? 'none' };
  if (name === 'apc') return { kind: 's3prl', net: own ? newApc(o) : engineApc(o) };
  if (name === 'tera') return { kind: 's3prl', net: own ? newTera(o) : engineTera(o) };
  throw new Error(`'${name}' is not an engine backbone (known: ${ENGINE_BACKBONE_NAMES.join(', ')})`);
}

function hiddenStatesOf(n: Network): (wave: Tensor) => Tensor[] {
  if (n.kind === 'whisper') {
    const { net, pad } = n;
    return (wave) => net.waveformHiddenStates(wave, pad);
  }
  return (wave) => n.net.hiddenStates(wave);
}

/**
 * What a backbone feature set is made of, from every layer's hidden states [1, T, D]: layer
 * `layer` (negative counts from the output) as [1, T, D], or (`'all'`) the layers as wide as the
 * output stacked as planes [1, L, T, D], the feature set's planes.
 */
export function setLayers(h: readonly Tensor[], layer: number | 'all'): Tensor {
  if (layer !== 'all') return h[layer < 0 ? h.length + layer : layer];
  return stack(
    uniformLayers(h.map((t) => t.shape[2])).map((l) => h[l]),
    1,
  );
}

/**
 * The shared, frozen engine network of backbone `name` on the weights (and options, e.g.
 * Whisper's `pad`; a fold's `tuned` network) `o` names.
 * @throws Error for a name that is not an engine backbone, missing weights or a bad checkpoint.
 */
export function engineBackbone(name: string, o: BackboneWeights): EngineBackbone {
  return { hiddenStates: hiddenStatesOf(network(name, o, false)) };
}

/**
 * A network of its own of backbone `name` on the weights `o` names (`o.tuned` loaded over
 * them), every parameter trainable, in eval mode: what fine-tuning trains. The caller disposes
 * `module`.
 * @throws Error as {@link engineBackbone}.
 */
export function trainableBackbone(name: string, o: BackboneWeights): TrainableBackbone {
  const n = network(name, o, true);
  const frontEnd =
    n.kind === 'wav2vec2'
      ? n.net.extractor.parameters()
      : n.kind === 'whisper'
        ? [...n.net.conv1.parameters(), ...n.net.conv2.parameters()]
        : [];
  return { name, module: n.net, frontEnd, hiddenStates: hiddenStatesOf(n) };
}

/**
 * Writes the parameters and buffers of a fine-tuned `backbone` to `path` (safetensors,
 * atomically): the file a fold's feature set loads as `tuned` over the checkpoint it started from.
 */
export async function saveTunedBackbone(path: string, backbone: TrainableBackbone): Promise<void> {
  const dict: StateDict = new Map();
  for (const [k, t] of backbone.module.stateDict()) dict.set(k, toRaw(t));
  await saveSafetensors(path, dict, { [TUNED_BACKBONE_KEY]: backbone.name });
}
