/**
 * Loading published (PyTorch .pth) or project-saved (safetensors) AASIST weights, with the
 * variant (AASIST or AASIST-L) recognized from the tensor names and shapes.
 */
import type { RawTensor, StateDict } from '../../engine/index.js';
import { readTensorFile, toStateDict } from '../../tensor-io/index.js';
import { AASIST_VARIANTS, type AasistVariant } from './config.js';
import { Aasist, type AasistOptions } from './model.js';

/** Key prefix added by torch.nn.DataParallel, stripped when every key carries it. */
const DATA_PARALLEL_PREFIX = 'module.';
/** Entries of a training checkpoint that may hold the state dict. */
const WRAPPER_KEYS = ['state_dict', 'model'];
/** Problems listed in a mismatch error before "… and N more". */
const MAX_LISTED_PROBLEMS = 4;

/** Tensor names and shapes only (what variant detection needs). */
type ShapeDict = ReadonlyMap<string, { shape: readonly number[] }>;

/** Reads a state dict from a .pth or safetensors file; errors name `path`. */
export function readAasistStateDict(path: string): StateDict {
  const file = readTensorFile(path);
  return file.format === 'pth' ? unwrap(file.object, path) : file.tensors;
}

/** A state dict at the top level, or under 'state_dict' / 'model' of a training checkpoint. */
function unwrap(obj: unknown, path: string): StateDict {
  if (obj instanceof Map) {
    for (const key of WRAPPER_KEYS) if (obj.get(key) instanceof Map) return toStateDict(obj.get(key), path);
  }
  return toStateDict(obj, path);
}

/** Removes a DataParallel 'module.' prefix when every key has it. */
function stripDataParallel<T>(dict: ReadonlyMap<string, T>): Map<string, T> {
  const keys = [...dict.keys()];
  if (keys.length === 0 || !keys.every((k) => k.startsWith(DATA_PARALLEL_PREFIX))) return new Map(dict);
  return new Map([...dict].map(([k, v]) => [k.slice(DATA_PARALLEL_PREFIX.length), v]));
}

/** Differences between a state dict and a model's: missing/unexpected keys and shape mismatches. */
function stateDictProblems(model: Aasist, dict: ShapeDict): string[] {
  const own = model.stateDict();
  const problems: string[] = [];
  for (const [name, t] of own) {
    const src = dict.get(name);
    if (src === undefined) problems.push(`missing '${name}'`);
    else if (src.shape.join(',') !== t.shape.join(','))
      problems.push(`'${name}' is [${src.shape.join(', ')}], expected [${t.shape.join(', ')}]`);
  }
  for (const name of dict.keys()) if (!own.has(name)) problems.push(`unexpected '${name}'`);
  return problems;
}

function listProblems(problems: string[]): string {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS).join('; ');
  return problems.length > MAX_LISTED_PROBLEMS ? `${shown}; … and ${problems.length - MAX_LISTED_PROBLEMS} more` : shown;
}

/**
 * The published variant whose every tensor name and shape `dict` matches, or null. `dict` may
 * carry a DataParallel 'module.' prefix.
 */
export function detectAasistVariant(dict: ShapeDict): AasistVariant | null {
  const clean = stripDataParallel(dict);
  for (const name of Object.keys(AASIST_VARIANTS) as AasistVariant[]) {
    const probe = new Aasist(AASIST_VARIANTS[name]);
    try {
      if (stateDictProblems(probe, clean).length === 0) return name;
    } finally {
      probe.dispose();
    }
  }
  return null;
}

/**
 * Builds AASIST or AASIST-L — whichever `path` holds — and loads the weights strictly. Accepts a
 * PyTorch .pth (a state dict, optionally under 'state_dict'/'model', optionally with DataParallel's
 * 'module.' prefix) or a safetensors file saved by the project (`saveModule`). The model is returned
 * in eval mode; call `.train()` to fine-tune.
 * @throws Error naming `path` when the file is unreadable, truncated or not an AASIST state dict
 *   (listing the differences from the closest variant).
 */
export function loadAasistWeights(path: string, options: AasistOptions = {}): Aasist {
  const dict = stripDataParallel<RawTensor>(readAasistStateDict(path));
  let closest: { name: string; problems: string[] } | null = null;
  for (const name of Object.keys(AASIST_VARIANTS) as AasistVariant[]) {
    const model = new Aasist(AASIST_VARIANTS[name], options);
    const problems = stateDictProblems(model, dict);
    if (problems.length === 0) {
      try {
        model.loadStateDict(dict, true);
      } catch (err) {
        model.dispose();
        throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
      }
      return model.eval();
    }
    model.dispose();
    if (closest === null || problems.length < closest.problems.length) closest = { name, problems };
  }
  const shared = closest ? dict.size - closest.problems.filter((p) => p.startsWith('unexpected')).length : 0;
  const examples = [...dict.keys()]
    .slice(0, 2)
    .map((k) => `'${k}'`)
    .join(', ');
  const detail =
    shared === 0 || closest === null
      ? ` (none of its ${dict.size} tensor names${examples ? `, e.g. ${examples},` : ''} is an AASIST one)`
      : ` (closest is ${closest.name}: ${listProblems(closest.problems)})`;
  throw new Error(`${path}: not an AASIST or AASIST-L state dict${detail}`);
}
