/** run_shell carried out: /bin/sh -c with a timeout, output capped, the process group killed on timeout. */
import { spawn } from 'node:child_process';
import { ToolFailure } from './prepared';

const MAX_OUTPUT = 1024 * 1024;

/** Run a command under /bin/sh with a timeout; the whole process group is killed on timeout. */
export function runShell(command: string, cwd: string, timeoutMs: number): Promise<{ data: { exitCode: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean; truncated: boolean; durationMs: number }; exitCode: number }> {
  return new Promise((resolveRun, reject) => {
    const t0 = Date.now();
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn('/bin/sh', ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject(new ToolFailure('io_error', `cannot start /bin/sh: ${(e as Error).message}`));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let truncated = false;
    let timedOut = false;
    child.stdout!.on('data', (c: Buffer) => {
      if (outLen < MAX_OUTPUT) out.push(c.subarray(0, MAX_OUTPUT - outLen));
      else truncated = true;
      outLen += c.length;
    });
    child.stderr!.on('data', (c: Buffer) => {
      if (errLen < MAX_OUTPUT) err.push(c.subarray(0, MAX_OUTPUT - errLen));
      else truncated = true;
      errLen += c.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new ToolFailure('io_error', `cannot run the command: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const data = { exitCode: code, signal: signal ?? null, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut, truncated: truncated || outLen > MAX_OUTPUT || errLen > MAX_OUTPUT, durationMs: Date.now() - t0 };
      if (timedOut) reject(new ToolFailure('timeout', `the command was killed after ${timeoutMs} ms`, { acted: true, details: data }));
      else resolveRun({ data, exitCode: code ?? 128 });
    });
  });
}
