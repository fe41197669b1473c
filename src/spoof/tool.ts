/**
 * Running the synthesizers and signal-processing programs a spoof set is made with: stdin in,
 * stdout out, and errors that name the program, what it was doing and the Debian packages to
 * install when it is missing.
 */
import { spawn } from 'node:child_process';

/** Options of {@link runTool}. */
export interface ToolOptions {
  /** What the call is about, for the error (e.g. `voice 'kal16'`). */
  what: string;
  /** Debian packages that provide the program. */
  packages: readonly string[];
  /** Bytes (or text) written to the program's stdin. */
  input?: Uint8Array | string;
}

/** Largest stderr kept for an error message (bytes). */
const STDERR_KEEP_BYTES = 4096;

/**
 * Runs `program args` and resolves with its stdout. Rejects when the program is missing (naming
 * the packages), exits non-zero or is killed (with the first line of its stderr).
 */
export function runTool(program: string, args: readonly string[], o: ToolOptions): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = Buffer.alloc(0);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < STDERR_KEEP_BYTES) err = Buffer.concat([err, b]);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new Error(`spoof: '${program}' is not installed (apt-get install ${o.packages.join(' ')}, or run scripts/setup)`)
          : new Error(`spoof: ${program} could not start for ${o.what}: ${e.message}`),
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolvePromise(Buffer.concat(out));
      const first = err.toString('utf8').trim().split('\n')[0] || (signal ? `killed by ${signal}` : `exit code ${code}`);
      reject(new Error(`spoof: ${program} failed for ${o.what}: ${first}`));
    });
    // A program that exits without reading its input closes the pipe: that is its exit's business.
    child.stdin.on('error', () => {});
    child.stdin.end(o.input ?? '');
  });
}
