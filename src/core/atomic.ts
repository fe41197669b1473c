/**
 * Atomic file replacement: data goes to a uniquely named temporary file in the target's
 * directory, is flushed to disk, and is then renamed over the target. Readers see either
 * the old file or the complete new one, never a partial write.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, type Dirent, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * This host's tag in temporary names (8 hex digits of its name's hash): run folders and caches may
 * be shared by several hosts, and a process id says whether a write is alive only on its own host.
 */
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
/** Names written by {@link tempPathFor}: `.NAME.HOST.PID.RANDOM.tmp`. */
const TEMP_NAME = /^\..+\.([0-9a-f]{8})\.(\d+)\.[0-9a-f]{12}\.tmp$/;
/** Names of writers before the host tag (`.NAME.PID.RANDOM.tmp`), taken as this host's. */
const UNTAGGED_TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/** Temporary sibling path: `.${basename}.${host}.${pid}.${random}.tmp` in the target's directory. */
export function tempPathFor(path: string): string {
  const rand = randomBytes(6).toString('hex');
  return join(dirname(path), `.${basename(path)}.${HOST_TAG}.${process.pid}.${rand}.tmp`);
}

/** The process id of a temporary file this host wrote, or null (not a temporary name, or another host's). */
function localTempPid(name: string): number | null {
  const tagged = TEMP_NAME.exec(name);
  if (tagged) return tagged[1] === HOST_TAG ? Number(tagged[2]) : null;
  const untagged = UNTAGGED_TEMP_NAME.exec(name);
  return untagged ? Number(untagged[1]) : null;
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/**
 * Writes `data` (bytes, or a string encoded as UTF-8) to `path` atomically.
 *
 * The temporary file is created exclusively (`wx`) next to the target, fully written,
 * fsynced and renamed over `path`; afterwards the directory is fsynced (best effort) so
 * the rename itself is durable. On any failure the temporary file is removed and the
 * original error is rethrown; an existing target is left untouched.
 *
 * @param path - destination file; its directory must exist.
 * @param data - file contents.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = toBytes(data);
  const tmp = tempPathFor(path);
  let created = false;
  try {
    const handle = await open(tmp, 'wx');
    created = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    created = false;
  } catch (err) {
    if (created) await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dirname(path));
}

/**
 * Synchronous variant of {@link writeFileAtomic} with the same guarantees.
 *
 * @param path - destination file; its directory must exist.
 * @param data - file contents.
 */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const bytes = toBytes(data);
  const tmp = tempPathFor(path);
  let created = false;
  try {
    const fd = openSync(tmp, 'wx');
    created = true;
    try {
      let off = 0;
      while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    created = false;
  } catch (err) {
    if (created) {
      try {
        unlinkSync(tmp);
      } catch {
        // the temporary file is already gone; the original error matters
      }
    }
    throw err;
  }
  syncDirectorySync(dirname(path));
}

/** Fsyncs a directory so a completed rename survives a crash; unsupported platforms are ignored. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // directories cannot be opened/fsynced on every platform (e.g. Windows)
  }
}

function syncDirectorySync(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // directories cannot be opened/fsynced on every platform (e.g. Windows)
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files of atomic writes that a killed process of this host left in `dir`
 * (and, unless `recursive` is false, its sub-folders): `.NAME.HOST.PID.RANDOM.tmp` whose process
 * no longer runs. Writes of live processes, and of other hosts, are left alone. Returns the
 * removed paths.
 */
export function removeStaleTemps(dir: string, o: { recursive?: boolean } = {}): string[] {
  const removed: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: o.recursive ?? true });
  } catch {
    return removed;
  }
  for (const e of entries) {
    const pid = e.isFile() ? localTempPid(e.name) : null;
    if (pid === null || isAlive(pid)) continue;
    const path = join(e.parentPath, e.name);
    try {
      unlinkSync(path);
      removed.push(path);
    } catch {
      // already gone
    }
  }
  return removed;
}
