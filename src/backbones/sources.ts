/**
 * Where backbones come from. The feature code that runs a backbone is the same in Node and in
 * the browser, but only the host knows how to reach the model bytes and which ONNX Runtime to
 * use, so each host provides a {@link BackboneSource} per backbone name (the Node face provides
 * them on import; the web app provides its own). This registry is the one piece of shared
 * state between them.
 */
import type { Backbone } from './types.js';

/** Options naming a backbone's weights: a file or folder, or null for the installed default. */
export interface BackboneWeights {
  weights: string | null;
  /**
   * A run fold's fine-tuned network (a file `saveTunedBackbone` wrote), loaded over `weights`;
   * absent or null for the checkpoint as it is.
   */
  tuned?: string | null;
}

/** How a host identifies and loads one pretrained model (a backbone, a voice-activity detector). */
export interface ModelSource<T> {
  /**
   * A stable identity of the weights `o` names (e.g. a SHA-256 of the model files): part of
   * every feature cache key and of exported models' settings, so other weights never match.
   */
  identity(o: BackboneWeights): string;
  /** The model on the weights `o` names; hosts cache it. */
  load(o: BackboneWeights): Promise<T>;
}

/** The source of a backbone. */
export type BackboneSource = ModelSource<Backbone>;

const sources = new Map<string, ModelSource<unknown>>();

/** Makes model `name` available (replacing an earlier source). */
export function provideModel<T>(name: string, source: ModelSource<T>): void {
  sources.set(name, source);
}

/**
 * The source of model `name`; the caller names the type it has (each name has one).
 * @throws Error saying that no host has provided it (e.g. a browser page that did not load its models).
 */
export function modelSource<T>(name: string): ModelSource<T> {
  const s = sources.get(name);
  if (!s)
    throw new Error(
      `model '${name}' is not available here (in Node it is provided by the trustser package; a web page must provide its model files first)`,
    );
  return s as ModelSource<T>;
}

/** The source of backbone `name` (see {@link modelSource}). */
export function backboneSource(name: string): BackboneSource {
  return modelSource<Backbone>(name);
}
