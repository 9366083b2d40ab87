/** A fingerprint of a folder (every entry's content hash, mode and mtime): "the person's .git is unchanged". */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `dir` (recursively) -> sha256 of content + mode: the .git fingerprint. */
export function fingerprint(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const st = lstatSync(p);
      if (e.isDirectory()) {
        out.set(`${relative(dir, p)}/`, (st.mode & 0o7777).toString(8));
        walk(p);
      } else if (e.isSymbolicLink()) out.set(relative(dir, p), `link:${readlinkSync(p)}`);
      else out.set(relative(dir, p), `${createHash('sha256').update(readFileSync(p)).digest('hex')}:${(st.mode & 0o7777).toString(8)}:${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

