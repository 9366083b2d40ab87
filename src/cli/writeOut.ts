/**
 * Write a short answer straight to a descriptor: process.stdout on a pipe (how agents run hooks and
 * scripts run `airlock check`) would load node:net and the streams for one line. A descriptor that
 * refuses (non-blocking and full: EAGAIN) gets the rest through process.stdout/stderr, which waits
 * for it.
 */
import { writeSync } from 'node:fs';

export function writeOut(fd: 1 | 2, text: string): void {
  let buf = Buffer.from(text, 'utf8');
  try {
    while (buf.length > 0) buf = buf.subarray(writeSync(fd, buf));
  } catch {
    (fd === 1 ? process.stdout : process.stderr).write(buf);
  }
}
