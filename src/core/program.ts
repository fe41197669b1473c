/**
 * Running an external program with bytes on stdin and collecting its stdout: the one place the
 * project spawns the programs it drives (sox, the speech synthesizers, SPTK). Failures come back
 * as a {@link ProgramError} saying which kind, so each caller words its own message.
 */
import { spawn } from 'node:child_process';

/** Stderr kept for the failure detail (bytes; only its first line is used). */
const STDERR_KEEP_BYTES = 4096;

/** Why a program run failed: not found on PATH, could not start, or exited non-zero / was killed. */
export class ProgramError extends Error {
  override name = 'ProgramError';
  constructor(
    readonly kind: 'missing' | 'start' | 'failed',
    /** The start error's message, or the first line of stderr (else the exit code or signal). */
    readonly detail: string,
    /** Exit code and signal of a `failed` run. */
    readonly exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null },
  ) {
    super(detail);
  }
}

/** Runs `program args` with `input` on stdin; resolves with its stdout, rejects with a {@link ProgramError}. */
export function runProgram(program: string, args: readonly string[], input: Uint8Array | string = ''): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = Buffer.alloc(0);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < STDERR_KEEP_BYTES) err = Buffer.concat([err, b]);
    });
    child.on('error', (e: NodeJS.ErrnoException) => reject(new ProgramError(e.code === 'ENOENT' ? 'missing' : 'start', e.message)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out));
      reject(new ProgramError('failed', err.toString('utf8').trim().split('\n')[0], { code, signal }));
    });
    // A program may exit before reading all its input; its exit status then tells what happened.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
