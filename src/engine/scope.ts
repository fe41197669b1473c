/**
 * Deterministic tensor lifetime: {@link tidy} scopes (as in tfjs) dispose every tensor created
 * inside them except those returned or {@link keep}-marked. Finalizers in the addon remain a
 * safety net, but native memory is invisible to V8's heuristics, so loops should use scopes.
 *
 * Long loops should also give the event loop a turn now and then (e.g. `await settle()` once
 * per batch): Node 20 runs the finalizers of collected tensor handles (≈1–3 KB each, even when
 * disposed) from the event loop, so a loop that never yields accumulates them (measured in
 * test/torch/engine-memory.test.ts).
 */

/** Anything the scope system can dispose. */
export interface Disposable {
  dispose(): void;
  /** True once marked with {@link keep}: no scope disposes it. */
  kept: boolean;
}

const scopes: Set<Disposable>[] = [];

/** Registers a newly created tensor with the innermost open scope (no-op outside scopes). */
export function track<T extends Disposable>(t: T): T {
  const s = scopes[scopes.length - 1];
  if (s !== undefined && !t.kept) s.add(t);
  return t;
}

/** Marks a tensor as long-lived (parameters, buffers, cached constants): no scope will dispose it. */
export function keep<T extends Disposable>(t: T): T {
  t.kept = true;
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, out: Set<Disposable>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isDisposable(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, out, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, out, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, seen);
  }
}

function isDisposable(v: object): v is Disposable {
  return typeof (v as Disposable).dispose === 'function' && 'kept' in v;
}

/**
 * Runs `fn` in a new scope. Tensors created inside are disposed when it returns, except those
 * reachable from its result (arrays, Maps and plain objects are searched), which move to the
 * enclosing scope. `fn` must be synchronous. On a throw, everything created inside is disposed.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    for (const t of scope) t.dispose();
    throw e;
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) throw new Error('tidy: the function must be synchronous (it returned a Promise)');
  const survivors = new Set<Disposable>();
  collect(result, survivors, new Set());
  for (const t of scope) {
    if (survivors.has(t)) track(t);
    else t.dispose();
  }
  return result;
}

/** Disposes every tensor found in `value` (a tensor, array, Map or plain object of them). */
export function dispose(value: unknown): void {
  const found = new Set<Disposable>();
  collect(value, found, new Set());
  for (const t of found) t.dispose();
}

/** Number of open scopes (for tests and diagnostics). */
export function scopeDepth(): number {
  return scopes.length;
}

/** Resolves on the next event-loop turn, letting Node run pending native finalizers. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
