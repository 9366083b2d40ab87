/**
 * The file tools carried out: read_file, list_directory, write_file (compare-and-swap on the file's
 * sha256, atomic rename), edit_file, delete_file. Each returns the action the gate judges first.
 */
import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../digest';
import { lstatSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ToolFailure, type PrepareContext, type Prepared } from './prepared';

const MAX_READ = 4 * 1024 * 1024;
const MAX_ENTRIES = 5000;

export const FILE_TOOLS = ['read_file', 'list_directory', 'write_file', 'edit_file', 'delete_file'] as const;
export type FileToolName = (typeof FILE_TOOLS)[number];

function fsFailure(e: unknown, path: string): ToolFailure {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ToolFailure('not_found', `${path} does not exist`);
  if (code === 'EISDIR') return new ToolFailure('invalid_input', `${path} is a folder`);
  return new ToolFailure('io_error', `${path}: ${(e as Error).message}`);
}

function atomicWrite(path: string, content: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.airlock-${process.pid}-${randomUUID().slice(0, 8)}.tmp`);
  let mode: number | undefined;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  writeFileSync(tmp, content, mode !== undefined ? { mode } : {});
  try {
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* the temp file is gone already */
    }
    throw e;
  }
}

function currentHash(path: string): string | null {
  try {
    return sha256Hex(readFileSync(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export function checkExpected(path: string, expected: string | null | undefined): string | null {
  const cur = currentHash(path);
  if (expected === undefined) return cur;
  if (cur !== expected) {
    const msg = expected === null ? `${path} already exists (expectedSha256 was null: create only); nothing was written` : cur === null ? `${path} does not exist (expected sha256 ${expected}); nothing was written` : `${path} changed since it was read: its sha256 is ${cur}, not ${expected}; read it again and retry; nothing was written`;
    throw new ToolFailure('conflict', msg, { details: { currentSha256: cur } });
  }
  return cur;
}

export function prepareFileTool(name: FileToolName, a: Record<string, unknown>, ctx: PrepareContext): Prepared {
  switch (name) {
    case 'read_file': {
      const path = ctx.resolvePath(a.path as string);
      return {
        action: ctx.fileAction('read', path),
        run: async () => {
          let st: Stats;
          try {
            st = statSync(path);
          } catch (e) {
            throw fsFailure(e, path);
          }
          if (st.isDirectory()) throw new ToolFailure('invalid_input', `${path} is a folder (use list_directory)`);
          if (st.size > MAX_READ) throw new ToolFailure('io_error', `${path} is ${st.size} bytes; read_file reads at most ${MAX_READ}`);
          let buf: Buffer;
          try {
            buf = readFileSync(path);
          } catch (e) {
            throw fsFailure(e, path);
          }
          return { data: { path, content: buf.toString('utf8'), sha256: sha256Hex(buf), bytes: buf.length } };
        },
      };
    }
    case 'list_directory': {
      const path = ctx.resolvePath(a.path as string);
      return {
        action: ctx.fileAction('read', path),
        run: async () => {
          let names: string[];
          try {
            names = readdirSync(path).sort();
          } catch (e) {
            throw fsFailure(e, path);
          }
          const entries = names.slice(0, MAX_ENTRIES).map((n) => {
            let st: Stats | undefined;
            try {
              st = lstatSync(join(path, n));
            } catch {
              st = undefined;
            }
            const type = !st ? 'other' : st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
            return { name: n, type: type as 'file' | 'directory' | 'symlink' | 'other', size: st && st.isFile() ? st.size : 0 };
          });
          return { data: { path, entries, truncated: names.length > MAX_ENTRIES } };
        },
      };
    }
    case 'write_file': {
      const path = ctx.resolvePath(a.path as string);
      const content = a.content as string;
      const expected = a.expectedSha256 as string | null;
      let exists = false;
      try {
        exists = lstatSync(path).isFile();
      } catch {
        exists = false;
      }
      ctx.precheck(path, expected);
      return {
        action: ctx.fileAction(exists ? 'write' : 'create', path, { content }),
        run: async () => {
          try {
            checkExpected(path, expected);
            atomicWrite(path, content);
          } catch (e) {
            if (e instanceof ToolFailure) throw e;
            throw fsFailure(e, path);
          }
          return { data: { path, sha256: sha256Hex(content), bytes: Buffer.byteLength(content), created: expected === null } };
        },
      };
    }
    case 'edit_file': {
      const path = ctx.resolvePath(a.path as string);
      const oldString = a.oldString as string;
      const newString = a.newString as string;
      ctx.precheck(path, a.expectedSha256 as string | undefined);
      return {
        action: ctx.fileAction('edit', path, { oldString, newString }),
        run: async () => {
          let text: string;
          try {
            checkExpected(path, a.expectedSha256 as string | undefined);
            text = readFileSync(path, 'utf8');
          } catch (e) {
            if (e instanceof ToolFailure) throw e;
            throw fsFailure(e, path);
          }
          const count = text.split(oldString).length - 1;
          if (count === 0) throw new ToolFailure('not_found', `oldString does not occur in ${path}; nothing was changed`);
          if (count > 1 && a.replaceAll !== true) throw new ToolFailure('ambiguous', `oldString occurs ${count} times in ${path}; give more context or set replaceAll; nothing was changed`);
          const next = a.replaceAll === true ? text.split(oldString).join(newString) : text.replace(oldString, () => newString);
          try {
            atomicWrite(path, next);
          } catch (e) {
            throw fsFailure(e, path);
          }
          return { data: { path, sha256: sha256Hex(next), replacements: a.replaceAll === true ? count : 1 } };
        },
      };
    }
    case 'delete_file': {
      const path = ctx.resolvePath(a.path as string);
      ctx.precheck(path, a.expectedSha256 as string | undefined);
      return {
        action: ctx.fileAction('delete', path),
        run: async () => {
          let hash: string | null;
          try {
            if (lstatSync(path).isDirectory()) throw new ToolFailure('invalid_input', `${path} is a folder; delete_file deletes files only`);
            hash = checkExpected(path, a.expectedSha256 as string | undefined);
            if (hash === null) throw new ToolFailure('not_found', `${path} does not exist`);
            unlinkSync(path);
          } catch (e) {
            if (e instanceof ToolFailure) throw e;
            throw fsFailure(e, path);
          }
          return { data: { path, deleted: true, sha256: hash } };
        },
      };
    }
  }
}
