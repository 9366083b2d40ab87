/**
 * An in-memory file system for core tests: PathFacts with real symlink resolution (loops detected),
 * and the readFile port with the same errors as the node adapter (missing, too large, binary, not a
 * regular file, loop). Content hashes are real SHA-256.
 */
import { posix } from 'node:path';
import { sha256 } from '../../src/core/hash';
import type { FileRead, PathFacts } from '../../src/core/paths';

/** path → file text, `{ dir: true }`, `{ link: '/target' }`, `{ device: true }` or `{ size }` (a big file, content not held). */
export type MemEntry = string | { dir: true } | { link: string } | { device: true } | { size: number; fill?: string };

export function memFs(entries: Record<string, MemEntry>): PathFacts & { readFile: NonNullable<PathFacts['readFile']>; reads: string[] } {
  const dirs = new Set<string>();
  for (const p of Object.keys(entries)) for (let d = posix.dirname(p); d !== '/' && !dirs.has(d); d = posix.dirname(d)) dirs.add(d);
  dirs.add('/');
  const resolve = (p: string): string | 'loop' | undefined => {
    let cur = posix.normalize(p);
    for (let hops = 0; hops < 40; hops++) {
      const parts = cur.split('/').filter(Boolean);
      let changed = false;
      for (let i = 1; i <= parts.length; i++) {
        const prefix = '/' + parts.slice(0, i).join('/');
        const e = entries[prefix];
        if (e && typeof e === 'object' && 'link' in e) {
          const target = e.link.startsWith('/') ? e.link : posix.join(posix.dirname(prefix), e.link);
          cur = posix.join(target, ...parts.slice(i));
          changed = true;
          break;
        }
      }
      if (!changed) return entries[cur] !== undefined || dirs.has(cur) ? cur : undefined;
    }
    return 'loop';
  };
  const reads: string[] = [];
  return {
    reads,
    realpath: (p) => {
      const r = resolve(p);
      return r === 'loop' ? undefined : r;
    },
    kind: (p) => {
      const r = resolve(p);
      if (r === 'loop') return 'other';
      if (r === undefined) return undefined;
      const e = entries[r];
      if (e === undefined || (typeof e === 'object' && 'dir' in e)) return 'dir';
      if (typeof e === 'object' && 'device' in e) return 'other';
      return 'file';
    },
    readFile: (p, max): FileRead => {
      reads.push(p);
      const r = resolve(p);
      if (r === 'loop') return { ok: false, path: p, error: 'loop', detail: 'too many levels of symbolic links' };
      if (r === undefined) return { ok: false, path: p, error: 'missing', detail: 'does not exist' };
      const e = entries[r];
      if (e === undefined || (typeof e === 'object' && ('dir' in e || 'device' in e))) return { ok: false, path: p, error: 'not-regular', detail: e === undefined || 'dir' in e ? 'a directory' : 'a device' };
      if (typeof e === 'object' && 'size' in e) {
        if (e.size > max) return { ok: false, path: p, error: 'too-large', detail: `${e.size} bytes, more than ${max}` };
        const text = (e.fill ?? 'x').repeat(e.size);
        return { ok: true, path: p, text, sha256: sha256(text), size: e.size };
      }
      const text = e as string;
      if (text.length > max) return { ok: false, path: p, error: 'too-large', detail: `${text.length} bytes, more than ${max}` };
      if (text.slice(0, 8000).includes('\0')) return { ok: false, path: p, error: 'binary', detail: 'contains NUL bytes', sha256: sha256(text) };
      return { ok: true, path: p, text, sha256: sha256(text), size: text.length };
    },
  };
}
