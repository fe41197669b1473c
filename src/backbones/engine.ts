/**
 * The engine backbones as differentiable functions of the waveform, by name: what the waveform
 * attacks run through (the networks are the ones the feature sets use, shared and frozen).
 */
import type { Tensor } from '../engine/index.js';
import { ENGINE_BACKBONE_NAMES } from './engine-names.js';
import { engineApc, engineTera } from './s3prl/index.js';
import type { BackboneWeights } from './sources.js';
import { WAV2VEC2_ARCHS } from './wav2vec2/config.js';
import { engineWav2Vec2 } from './wav2vec2/source.js';
import { engineWhisper, type WhisperWeights } from './whisper/index.js';

/** A backbone network on the engine. */
export interface EngineBackbone {
  /** Every layer's hidden states [1, T, D] of a waveform [1, S] (at the backbone's rate, in [-1, 1]); gradients flow to it. */
  hiddenStates(wave: Tensor): Tensor[];
}

/**
 * The engine network of backbone `name` on the weights (and options, e.g. Whisper's `pad`) `o` names.
 * @throws Error for a name that is not an engine backbone, missing weights or a bad checkpoint.
 */
export function engineBackbone(name: string, o: BackboneWeights): EngineBackbone {
  if ((WAV2VEC2_ARCHS as readonly string[]).includes(name)) {
    const net = engineWav2Vec2(name, o);
    return { hiddenStates: (wave) => net.hiddenStates(wave) };
  }
  if (name === 'whisper') {
    const net = engineWhisper(o);
    const pad = (o as WhisperWeights).pad ?? 'none';
    return { hiddenStates: (wave) => net.waveformHiddenStates(wave, pad) };
  }
  if (name === 'apc' || name === 'tera') {
    const net = name === 'apc' ? engineApc(o) : engineTera(o);
    return { hiddenStates: (wave) => net.hiddenStates(wave) };
  }
  throw new Error(`'${name}' is not an engine backbone (known: ${ENGINE_BACKBONE_NAMES.join(', ')})`);
}
