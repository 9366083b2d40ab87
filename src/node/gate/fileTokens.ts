/**
 * What a file holds, as a token for a cache key (its content's sha256, or why it cannot be read),
 * without reading it every time. The gate asks for its policy files' tokens on every request
 * (GatePolicies.current) to see an edit before the next decision.
 *
 * The file's identity (device, inode, size, modification and change times in nanoseconds: one stat)
 * is kept with its token, and the token is reused while the identity is the same. A write gives
 * the file a new change time, a replacement (rename over it) a new inode; setting the modification
 * time back still moves the change time. What an identity cannot show is a second write within the
 * same timestamp tick of the file system (a few ms on Linux; up to 2 s on some file systems): so a
 * token read while the file's times were within RACY_NS of the clock (or ahead of it) is never
 * trusted, and such a file is read again on every request until a read finds it older than that.
 * The stat comes before the read: a write between the two changes the identity, and the next call
 * reads again.
 *
 * A missing file is ENOENT (what reading it says, without the cost of the exception); a path stat
 * cannot reach, or that is no regular file, is read as it always was, for its reason.
 */
import { readFileSync, statSync, type BigIntStats } from 'node:fs';
import { sha256 } from '../../core/hash';

/** Timestamps this close to the clock (or ahead of it) may be shared by a later write: 2 s. */
export const RACY_NS = 2_000_000_000n;

interface Known {
  identity: string;
  token: string;
  /** Read when the file's times were already older than RACY_NS: a later write changes the identity. */
  trusted: boolean;
}

export class FileTokens {
  private readonly files = new Map<string, Known>();
  /** Files read (for tests and profiles: how often the identity was not enough). */
  reads = 0;

  /** `nowNs`: the clock, in nanoseconds since the epoch (a test may move it). */
  constructor(private readonly nowNs: () => bigint = () => BigInt(Date.now()) * 1_000_000n) {}

  /** The file's content sha256 as of now, or the error code reading it gives ('ENOENT' when missing). */
  token(f: string): string {
    const now = this.nowNs();
    let st: BigIntStats | undefined;
    try {
      st = statSync(f, { bigint: true, throwIfNoEntry: false });
    } catch {
      // Not reachable (a parent that is no folder, no permission): read it, for its reason.
      this.files.delete(f);
      return this.read(f);
    }
    if (!st) {
      this.files.delete(f);
      return 'ENOENT';
    }
    if (!st.isFile()) {
      this.files.delete(f);
      return this.read(f);
    }
    const identity = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    const known = this.files.get(f);
    if (known?.trusted && known.identity === identity) return known.token;
    const token = this.read(f);
    this.files.set(f, { identity, token, trusted: st.mtimeNs < now - RACY_NS && st.ctimeNs < now - RACY_NS });
    return token;
  }

  private read(f: string): string {
    this.reads++;
    try {
      return sha256(readFileSync(f, 'utf8'));
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? 'unreadable';
    }
  }
}
