/**
 * The closed pickle machine that reads `data.pkl` of PyTorch checkpoints: only the opcodes that
 * protocol-2 state dicts use and a fixed allow-list of globals (`OrderedDict`, tensor rebuild
 * functions, storage types, argparse's attribute-only `Namespace`). Nothing is ever executed:
 * any other class or function becomes an inert {@link PyOpaque} marker, and so does whatever a
 * pickle builds from it (calls, instances, their state), so an entry a loader does not need — a
 * training checkpoint's scheduler or a numpy scalar in its history — does not stop it reading the
 * weights, while a file that *is* such an object (the top level) is rejected, and nothing a
 * malicious checkpoint names ever runs. Unknown opcodes are rejected. (Written here: no
 * maintained JS unpickler offers an allow-list this strict.)
 */
import { allocData, isRawTensor, numel, type DType, type HalfEncoding, type RawTensor, type TypedData } from './raw.js';

/** A class or function named by a pickle GLOBAL (only allow-listed ones are created). */
class PyGlobal {
  constructor(readonly ref: string) {}
}

/** A global outside the allow-list, or anything built from one: never called, its contents dropped. */
class PyOpaque {
  constructor(readonly ref: string) {}
}

/** A storage loaded from `data/<key>`, as typed values (a `placeholder` has none: tensors on it come out empty). */
export class PyStorage {
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly values: TypedData,
    readonly placeholder = false,
  ) {}
}

const STORAGE_DTYPES: Record<string, DType> = {
  'torch FloatStorage': 'float32',
  'torch DoubleStorage': 'float64',
  'torch LongStorage': 'int64',
  'torch IntStorage': 'int32',
  'torch BoolStorage': 'bool',
};
/** Half-precision storages, widened to float32 when read. */
const HALF_STORAGES: Record<string, HalfEncoding> = {
  'torch HalfStorage': 'float16',
  'torch BFloat16Storage': 'bfloat16',
};
const ORDERED_DICT = 'collections OrderedDict';
const REBUILD_TENSOR = 'torch._utils _rebuild_tensor_v2';
const REBUILD_PARAMETER = 'torch._utils _rebuild_parameter';
/**
 * Plain-data classes (attributes only, no behaviour) created by NEWOBJ: their attributes,
 * set by BUILD, are read as a dict (fairseq checkpoints keep their settings in an argparse
 * Namespace).
 */
const PLAIN_DATA_CLASSES = new Set(['argparse Namespace']);
const ALLOWED_GLOBALS = new Set([
  ORDERED_DICT,
  REBUILD_TENSOR,
  REBUILD_PARAMETER,
  ...Object.keys(STORAGE_DTYPES),
  ...Object.keys(HALF_STORAGES),
  ...PLAIN_DATA_CLASSES,
]);

/** An instance of a {@link PLAIN_DATA_CLASSES} class: its attributes by name. */
class PlainObject extends Map<unknown, unknown> {}
const ONLY = '(only state dicts of tensors are read)';

/** Opcodes understood by the machine (values are the pickle opcode bytes). */
export const OP = {
  MARK: 0x28,
  STOP: 0x2e,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  NONE: 0x4e,
  BINPERSID: 0x51,
  REDUCE: 0x52,
  NEWOBJ: 0x81,
  BINUNICODE: 0x58,
  EMPTY_LIST: 0x5d,
  APPEND: 0x61,
  BUILD: 0x62,
  GLOBAL: 0x63,
  APPENDS: 0x65,
  BINFLOAT: 0x47,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  SETITEM: 0x73,
  TUPLE: 0x74,
  SETITEMS: 0x75,
  EMPTY_DICT: 0x7d,
  EMPTY_TUPLE: 0x29,
  PROTO: 0x80,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  SHORT_BINUNICODE: 0x8c,
  MEMOIZE: 0x94,
  FRAME: 0x95,
} as const;

/** Names of all standard pickle opcodes, for error messages. */
const OPCODE_NAMES: Record<number, string> = (() => {
  const names: Record<number, string> = {};
  const low =
    '(MARK .STOP 0POP 1POP_MARK 2DUP FFLOAT IINT JBININT KBININT1 LLONG MBININT2 NNONE PPERSID QBINPERSID RREDUCE SSTRING TBINSTRING USHORT_BINSTRING VUNICODE XBINUNICODE aAPPEND bBUILD cGLOBAL dDICT }EMPTY_DICT eAPPENDS gGET hBINGET iINST jLONG_BINGET lLIST ]EMPTY_LIST oOBJ pPUT qBINPUT rLONG_BINPUT sSETITEM tTUPLE )EMPTY_TUPLE uSETITEMS GBINFLOAT BBINBYTES CSHORT_BINBYTES';
  for (const w of low.split(' ')) names[w.charCodeAt(0)] = w.slice(1);
  const high =
    'PROTO NEWOBJ EXT1 EXT2 EXT4 TUPLE1 TUPLE2 TUPLE3 NEWTRUE NEWFALSE LONG1 LONG4 SHORT_BINUNICODE BINUNICODE8 BINBYTES8 EMPTY_SET ADDITEMS FROZENSET NEWOBJ_EX STACK_GLOBAL MEMOIZE FRAME BYTEARRAY8 NEXT_BUFFER READONLY_BUFFER';
  high.split(' ').forEach((name, i) => (names[0x80 + i] = name));
  return names;
})();

export type Fail = (msg: string) => never;

/** Loads the storage named by a persistent id; supplied by the archive reader. */
/** Loads storage `key` of `count` elements as `dtype`; `half` names the 16-bit encoding of a storage widened to float32. */
export type StorageLoader = (key: string, dtype: DType, count: number, half?: HalfEncoding) => PyStorage;

/**
 * Runs the restricted pickle machine over `pkl` and returns the unpickled object.
 * Dicts become `Map`s, lists arrays, tuples frozen arrays, tensors {@link RawTensor}s.
 */
export function unpickle(pkl: Uint8Array, fail: Fail, loadStorage: StorageLoader): unknown {
  return unpickleAt(pkl, 0, fail, loadStorage).value;
}

/** {@link unpickle} of the pickle starting at byte `start` of `pkl`; also returns where it ends (after its STOP). */
export function unpickleAt(pkl: Uint8Array, start: number, fail: Fail, loadStorage: StorageLoader): { value: unknown; end: number } {
  const view = new DataView(pkl.buffer, pkl.byteOffset, pkl.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = start;
  let opPos = start;
  let op = 0;
  const where = (): string => `${OPCODE_NAMES[op] ?? `0x${op.toString(16)}`} at offset ${opPos}`;
  const take = (n: number): number => {
    if (pos + n > pkl.byteLength) fail(`truncated pickle: ${where()} needs ${n} more bytes`);
    const at = pos;
    pos += n;
    return at;
  };
  const text = (n: number): string => {
    const at = take(n);
    try {
      return utf8.decode(pkl.subarray(at, at + n));
    } catch {
      return fail(`invalid UTF-8 string in pickle (${where()})`);
    }
  };
  const line = (): string => {
    const end = pkl.indexOf(0x0a, pos);
    if (end < 0) fail(`truncated pickle: ${where()} has no line end`);
    return text(end - pos + 1).slice(0, -1);
  };
  const floor = (): number => marks.at(-1) ?? 0;
  const pop = (): unknown => {
    if (stack.length <= floor()) fail(`malformed pickle: stack underflow (${where()})`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length <= floor()) fail(`malformed pickle: stack underflow (${where()})`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail(`malformed pickle: ${where()} without MARK`);
    return stack.splice(m as number);
  };
  const get = (i: number): unknown => {
    if (!memo.has(i)) fail(`malformed pickle: memo entry ${i} is not defined (${where()})`);
    return memo.get(i);
  };
  // Items added to an opaque object (a dict or list subclass outside the allow-list) are dropped.
  const dictTop = (): Map<unknown, unknown> => {
    const d = top();
    if (d instanceof PyOpaque) return new Map();
    if (!(d instanceof Map)) fail(`malformed pickle: ${where()} on a non-dict`);
    return d as Map<unknown, unknown>;
  };
  const listTop = (): unknown[] => {
    const l = top();
    if (l instanceof PyOpaque) return [];
    if (!Array.isArray(l) || Object.isFrozen(l)) fail(`malformed pickle: ${where()} on a non-list`);
    return l as unknown[];
  };
  const int = (v: bigint): number | bigint =>
    v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;

  for (;;) {
    opPos = pos;
    op = pkl[take(1)];
    switch (op) {
      case OP.PROTO:
        take(1);
        break;
      case OP.FRAME:
        take(8);
        break;
      case OP.MARK:
        marks.push(stack.length);
        break;
      case OP.STOP:
        return { value: pop(), end: pos };
      case OP.EMPTY_DICT:
        stack.push(new Map());
        break;
      case OP.EMPTY_LIST:
        stack.push([]);
        break;
      case OP.EMPTY_TUPLE:
        stack.push(Object.freeze([]));
        break;
      case OP.TUPLE:
        stack.push(Object.freeze(popMark()));
        break;
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        const items: unknown[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        stack.push(Object.freeze(items));
        break;
      }
      case OP.BINPUT:
        memo.set(pkl[take(1)], top());
        break;
      case OP.LONG_BINPUT:
        memo.set(view.getUint32(take(4), true), top());
        break;
      case OP.MEMOIZE:
        memo.set(memo.size, top());
        break;
      case OP.BINGET:
        stack.push(get(pkl[take(1)]));
        break;
      case OP.LONG_BINGET:
        stack.push(get(view.getUint32(take(4), true)));
        break;
      case OP.BINUNICODE:
        stack.push(text(view.getUint32(take(4), true)));
        break;
      case OP.SHORT_BINUNICODE:
        stack.push(text(pkl[take(1)]));
        break;
      case OP.BININT:
        stack.push(view.getInt32(take(4), true));
        break;
      case OP.BININT1:
        stack.push(pkl[take(1)]);
        break;
      case OP.BININT2:
        stack.push(view.getUint16(take(2), true));
        break;
      case OP.LONG1: {
        const n = pkl[take(1)];
        const at = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(pkl[at + i]);
        if (n > 0 && pkl[at + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(int(v));
        break;
      }
      case OP.BINFLOAT:
        stack.push(view.getFloat64(take(8), false));
        break;
      case OP.NONE:
        stack.push(null);
        break;
      case OP.NEWTRUE:
        stack.push(true);
        break;
      case OP.NEWFALSE:
        stack.push(false);
        break;
      case OP.GLOBAL: {
        const ref = `${line()} ${line()}`;
        stack.push(ALLOWED_GLOBALS.has(ref) ? new PyGlobal(ref) : new PyOpaque(ref));
        break;
      }
      case OP.REDUCE: {
        const args = pop();
        const fn = pop();
        stack.push(fn instanceof PyOpaque ? fn : call(fn, args, fail, where));
        break;
      }
      case OP.NEWOBJ: {
        const args = pop();
        const cls = pop();
        if (cls instanceof PyOpaque) {
          stack.push(cls);
          break;
        }
        if (!(cls instanceof PyGlobal) || !PLAIN_DATA_CLASSES.has(cls.ref) || !Array.isArray(args) || args.length > 0)
          fail(`unsupported pickle NEWOBJ of ${cls instanceof PyGlobal ? `'${cls.ref}'` : describe(cls)} at offset ${opPos} ${ONLY}`);
        stack.push(new PlainObject());
        break;
      }
      case OP.BUILD: {
        const state = pop();
        const obj = top();
        if (obj instanceof PyOpaque) break;
        if (!(obj instanceof Map)) fail(`unsupported pickle BUILD on a non-dict object at offset ${opPos} ${ONLY}`);
        // A plain object's state is its attribute dict; an OrderedDict's (the `_metadata` of a state dict) is ignored.
        if (obj instanceof PlainObject) {
          if (!(state instanceof Map)) fail(`malformed pickle: BUILD state of a plain object is not a dict at offset ${opPos}`);
          for (const [k, v] of state) obj.set(k, v);
        }
        break;
      }
      case OP.SETITEM: {
        const v = pop();
        const k = pop();
        dictTop().set(k, v);
        break;
      }
      case OP.SETITEMS: {
        const items = popMark();
        if (items.length % 2 !== 0) fail(`malformed pickle: odd number of items for ${where()}`);
        const d = dictTop();
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case OP.APPEND: {
        const v = pop();
        listTop().push(v);
        break;
      }
      case OP.APPENDS: {
        const items = popMark();
        listTop().push(...items);
        break;
      }
      case OP.BINPERSID:
        stack.push(persistentLoad(pop(), fail, loadStorage));
        break;
      default: {
        const ch = op >= 0x20 && op < 0x7f ? ` '${String.fromCharCode(op)}'` : '';
        const name = OPCODE_NAMES[op] ? ` (${OPCODE_NAMES[op]})` : '';
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}${ch}${name} at offset ${opPos} ${ONLY}`);
      }
    }
  }
}

/** REDUCE: applies an allow-listed global to its argument tuple. */
function call(fn: unknown, args: unknown, fail: Fail, where: () => string): unknown {
  if (!(fn instanceof PyGlobal)) return fail(`malformed pickle: ${where()} calls a non-callable`);
  if (!Array.isArray(args)) return fail(`malformed pickle: ${where()} arguments are not a tuple`);
  switch (fn.ref) {
    case ORDERED_DICT: {
      if (args.length === 0) return new Map();
      const pairs = args[0];
      if (args.length === 1 && Array.isArray(pairs) && pairs.every((p) => Array.isArray(p) && p.length === 2)) {
        return new Map(pairs as [unknown, unknown][]);
      }
      return fail(`unsupported OrderedDict arguments (${where()})`);
    }
    case REBUILD_TENSOR:
      return rebuildTensor(args, fail);
    case REBUILD_PARAMETER:
      if (!isRawTensor(args[0])) return fail(`_rebuild_parameter expects a tensor (${where()})`);
      return args[0];
    default:
      return fail(`unsupported call of pickle global '${fn.ref}' ${ONLY}`);
  }
}

/**
 * BINPERSID: resolves `('storage', StorageType, key, location, numel)` (the legacy format adds a
 * sixth entry, the view of another storage, which state dicts leave None).
 */
function persistentLoad(pid: unknown, fail: Fail, loadStorage: StorageLoader): PyStorage {
  if (!Array.isArray(pid) || (pid.length !== 5 && pid.length !== 6) || pid[0] !== 'storage') {
    return fail(`unsupported persistent id ${describe(pid)} ${ONLY}`);
  }
  if (pid.length === 6 && pid[5] !== null) return fail(`unsupported storage view ${describe(pid[5])} (legacy storage slices are not read)`);
  const [, type, key, , count] = pid as unknown[];
  const half = type instanceof PyGlobal ? HALF_STORAGES[type.ref] : undefined;
  const dtype = half ? 'float32' : type instanceof PyGlobal ? STORAGE_DTYPES[type.ref] : undefined;
  if (dtype === undefined) return fail(`unsupported storage type ${type instanceof PyGlobal ? `'${type.ref}'` : describe(type)}`);
  if (typeof key !== 'string' || typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    return fail(`malformed storage persistent id ${describe(pid)}`);
  }
  return loadStorage(key, dtype, count, half);
}

const isIntTuple = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0);

/**
 * `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)`:
 * gathers the strided view into a fresh C-contiguous array after bounds-checking it.
 */
function rebuildTensor(args: readonly unknown[], fail: Fail): RawTensor {
  const [storage, offset, size, stride] = args;
  if (args.length < 4 || !(storage instanceof PyStorage)) return fail('malformed _rebuild_tensor_v2 call: no storage');
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    return fail(`malformed _rebuild_tensor_v2 storage offset ${describe(offset)}`);
  if (!isIntTuple(size) || !isIntTuple(stride) || size.length !== stride.length) {
    return fail(`malformed _rebuild_tensor_v2 size ${describe(size)} / stride ${describe(stride)}`);
  }
  const n = numel(size);
  if (storage.placeholder) return { dtype: storage.dtype, shape: [...size], data: allocData(storage.dtype, 0) };
  const available = storage.values.length;
  const last = n === 0 ? offset - 1 : offset + size.reduce((acc, s, d) => acc + (s - 1) * stride[d], 0);
  if (last >= available || (n === 0 && offset > available)) {
    return fail(
      `storage '${storage.key}' has ${available} elements, too few for a tensor of size [${size}] stride [${stride}] at offset ${offset}`,
    );
  }
  const shape = [...size];
  let contiguous = true;
  for (let d = size.length - 1, expect = 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expect) contiguous = false;
    expect *= size[d];
  }
  if (contiguous || n === 0) return { dtype: storage.dtype, shape, data: storage.values.slice(offset, offset + n) };
  const out = allocData(storage.dtype, n);
  const src = storage.values as unknown as ArrayLike<number | bigint>;
  const dst = out as unknown as { [i: number]: number | bigint };
  const idx = new Array<number>(size.length).fill(0);
  for (let i = 0, p = offset; i < n; i++) {
    dst[i] = src[p];
    for (let d = size.length - 1; d >= 0; d--) {
      p += stride[d];
      if (++idx[d] < size[d]) break;
      p -= stride[d] * size[d];
      idx[d] = 0;
    }
  }
  return { dtype: storage.dtype, shape, data: out };
}

export function describe(v: unknown): string {
  if (v instanceof PyGlobal) return `<global ${v.ref}>`;
  if (v instanceof PyOpaque) return `<unsupported '${v.ref}' object>`;
  if (v instanceof PyStorage) return `<storage ${v.key}>`;
  if (Array.isArray(v)) return `(${v.map(describe).join(', ')})`;
  if (v instanceof Map) return `a dict with ${v.size} entries`;
  if (isRawTensor(v)) return `a ${v.dtype} tensor [${v.shape}]`;
  return typeof v === 'string' ? `'${v}'` : String(v);
}

/** Rejects results that still contain internal objects (a bare class or storage). */
export function checkResult(value: unknown, fail: Fail, seen = new Set<unknown>()): void {
  // The file itself is an object the reader does not know (a pickled callable, a model class…).
  if (seen.size === 0 && value instanceof PyOpaque) fail(`unsupported pickle global '${value.ref}' ${ONLY}`);
  if (typeof value !== 'object' || value === null || seen.has(value) || value instanceof PyOpaque) return;
  seen.add(value);
  if (value instanceof PyGlobal || value instanceof PyStorage) fail(`unsupported object ${describe(value)} in the checkpoint ${ONLY}`);
  if (Array.isArray(value)) for (const v of value) checkResult(v, fail, seen);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      checkResult(k, fail, seen);
      checkResult(v, fail, seen);
    }
  }
}
