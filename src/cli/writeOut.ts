/**
 * Write a short answer straight to a descriptor: process.stdout on a pipe (how agents run hooks and
 * scripts run `airlock check`) would load node:net and the streams for one line. A descriptor that
 * refuses (non-blocking and full: EAGAIN) gets the rest through process.stdout/stderr, which waits
 * for it.
 */
import { writeSync } from 'node:fs';

// Shared by every bundle of the process (cli.js and check.js each have their own copy of this module).
const SPILLED = Symbol.for('airlock.writeOut.spilled');
type Flagged = { [SPILLED]?: boolean };

export function writeOut(fd: 1 | 2, text: string): void {
  let buf = Buffer.from(text, 'utf8');
  try {
    while (buf.length > 0) buf = buf.subarray(writeSync(fd, buf));
  } catch {
    (globalThis as Flagged)[SPILLED] = true;
    (fd === 1 ? process.stdout : process.stderr).write(buf);
  }
}

/**
 * End a short-lived process (the hook, `airlock check`) once its answer is out: Node's own teardown
 * after the event loop drains (freeing the heap, the platform) costs ~3 ms that nobody waits for.
 * Only on Linux, where process.stdout/stderr writes to pipes, files and terminals are synchronous,
 * and only when everything written through writeOut went out at once: an answer handed to a stream
 * (EAGAIN) is left to drain, the normal way. 'exit' listeners still run (the code cache is written).
 */
export function exitWhenWritten(code: number): void {
  process.exitCode = code;
  if (process.platform === 'linux' && !(globalThis as Flagged)[SPILLED]) process.exit(code);
}
