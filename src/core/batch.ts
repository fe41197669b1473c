/**
 * Batches of files where one bad file must not sink the rest: each failure is kept with its
 * reason, the others complete, and the command reports every failure and exits non-zero.
 */

/** A file that could not be processed, and why (the reason names the file). */
export interface FileFailure {
  path: string;
  reason: string;
}

/** The message of `e`, naming `path` once. */
export function failureReason(path: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.includes(path) ? msg : `${path}: ${msg}`;
}

/**
 * Thrown after a batch command has written what it could: lists every failed file. The CLI
 * prints its lines and exits with status 1.
 */
export class FailedFilesError extends Error {
  constructor(
    readonly what: string,
    readonly failures: readonly FileFailure[],
    readonly total: number,
  ) {
    super(`${failures.length} of ${total} file(s) failed ${what}:\n${failures.map((f) => `  ${f.reason}`).join('\n')}`);
    this.name = 'FailedFilesError';
  }
}

/** Throws {@link FailedFilesError} when `failures` is not empty. */
export function throwIfFailed(what: string, failures: readonly FileFailure[], total: number): void {
  if (failures.length > 0) throw new FailedFilesError(what, failures, total);
}

/**
 * Runs `batch` over `items`; when it throws, runs `one` on each item separately so the failing
 * items are isolated (their errors collected) and the others still get results. Results are in
 * item order; `pathOf` names an item in failures.
 */
export async function settleBatch<I, R>(
  items: readonly I[],
  batch: (xs: readonly I[]) => Promise<R[]> | R[],
  pathOf: (x: I) => string,
): Promise<{ results: { item: I; result: R }[]; failed: FileFailure[] }> {
  try {
    const rs = await batch(items);
    return { results: items.map((item, i) => ({ item, result: rs[i] })), failed: [] };
  } catch (batchError) {
    if (items.length === 1)
      return { results: [], failed: [{ path: pathOf(items[0]), reason: failureReason(pathOf(items[0]), batchError) }] };
    const results: { item: I; result: R }[] = [];
    const failed: FileFailure[] = [];
    for (const item of items) {
      try {
        const [r] = await batch([item]);
        results.push({ item, result: r });
      } catch (e) {
        failed.push({ path: pathOf(item), reason: failureReason(pathOf(item), e) });
      }
    }
    return { results, failed };
  }
}
