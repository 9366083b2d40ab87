/** Builders for test environments: a fake file system described as a table. */
import { makeEnvironment, type Environment, type PathFacts } from '../../src/core/paths';

export const HOME = '/home/user';
export const WS = '/home/user/project';

/** PathFacts from a table: path -> 'file' | 'dir' | link target ('->/abs'). */
export function tableFs(entries: Record<string, string>): PathFacts {
  const resolveLinks = (p: string): string | undefined => {
    let cur = p;
    for (let i = 0; i < 10; i++) {
      const hit = Object.keys(entries)
        .filter((k) => cur === k || cur.startsWith(`${k}/`))
        .sort((a, b) => b.length - a.length)[0];
      if (!hit) return undefined;
      const v = entries[hit]!;
      if (v.startsWith('->')) {
        cur = v.slice(2) + cur.slice(hit.length);
        continue;
      }
      return cur === hit ? cur : Object.prototype.hasOwnProperty.call(entries, cur) ? cur : undefined;
    }
    return undefined;
  };
  return {
    realpath: (p) => resolveLinks(p),
    kind: (p) => {
      const r = resolveLinks(p);
      if (r === undefined) return undefined;
      const v = entries[r];
      return v === 'dir' ? 'dir' : v === 'file' ? 'file' : 'other';
    },
    // The entries below a folder of the table (links count as entries of their folder).
    list: (p) => {
      const r = resolveLinks(p);
      if (r === undefined || entries[r] !== 'dir') return undefined;
      const names = new Set<string>();
      for (const k of Object.keys(entries)) if (k.startsWith(`${r}/`)) names.add(k.slice(r.length + 1).split('/')[0]!);
      return [...names];
    },
    // The table knows which files exist, not what is in them: a missing file is missing (the command
    // that runs it fails), an existing one cannot be looked inside (unknown, fail closed).
    readFile: (p) => {
      const r = resolveLinks(p);
      if (r === undefined) return { ok: false, path: p, error: 'missing', detail: 'does not exist' };
      return entries[r] === 'file' ? { ok: false, path: r, error: 'unreadable', detail: 'the test table has no content for it' } : { ok: false, path: r, error: 'not-regular', detail: 'not a regular file' };
    },
  };
}

export function testEnv(fsEntries: Record<string, string> = {}, overrides: Partial<Environment> = {}): Environment {
  return makeEnvironment({
    cwd: WS,
    workspaceRoots: [WS],
    home: HOME,
    vars: { HOME, TMPDIR: '/tmp' },
    fs: tableFs({ [WS]: 'dir', [HOME]: 'dir', ...fsEntries }),
    ...overrides,
  });
}
