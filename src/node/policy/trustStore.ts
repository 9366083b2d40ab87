/**
 * The person's learned per-workspace trust, on disk: `<airlockHome>/trust/<workspace key>.json`
 * (0600, written atomically). Never the team's policy file: a workspace policy cannot grant trust,
 * and the Airlock home is security configuration to the judge, so an agent cannot write it unasked.
 *
 * A program entry is bound to the absolute path the name resolves to on PATH when it was trusted
 * (a different binary of the same name is not trusted); a workspace file entry is bound to its path
 * and content hash (an edited script is not trusted).
 */
import { randomHex } from '../digest';
import { accessSync, chmodSync, constants, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import { sha256 } from '../../core/hash';
import type { TrustHit, TrustLookup } from '../../core/paths';
import { TrustFile, type TrustAddResult, type TrustClass, type TrustEntry, type TrustStore } from '../../core/trust';
import { readFileForJudging } from '../environment';

export function trustFilePath(home: string, workspace: string): string {
  return join(home, 'trust', `${sha256(resolve(workspace)).slice(0, 24)}.json`);
}

/** Where `name` resolves on PATH (canonical), or undefined. */
export function resolveProgram(name: string, pathVar = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) return undefined;
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, constants.X_OK);
      return realpathSync.native(p);
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export class FileTrustStore implements TrustStore {
  readonly workspace: string;
  private filePath: string | undefined;

  constructor(private readonly home: string, workspace: string, private readonly pathVar = process.env.PATH ?? '') {
    this.workspace = resolve(workspace);
  }

  /** The trust file (named by a hash of the workspace path: worked out when first needed, so a judgement that consults no trust hashes nothing). */
  private get file(): string {
    return (this.filePath ??= trustFilePath(this.home, this.workspace));
  }

  /** The entries; a missing file is empty, a damaged one is reported and counts as empty (trust fails closed). */
  read(): { entries: TrustEntry[]; error?: string } {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [] };
      return { entries: [], error: `cannot read ${this.file}: ${(e as Error).message}` };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return { entries: [], error: `${this.file} is not JSON (${(e as Error).message}): no program is trusted until it is fixed or removed` };
    }
    const p = TrustFile.safeParse(raw);
    if (!p.success) return { entries: [], error: `${this.file} is not a valid trust file: no program is trusted until it is fixed or removed` };
    if (p.data.workspace !== this.workspace) return { entries: [], error: `${this.file} belongs to workspace ${p.data.workspace}, not ${this.workspace}` };
    return { entries: p.data.entries };
  }

  list(): TrustEntry[] {
    return this.read().entries;
  }

  add(program: string, opts: { class?: TrustClass; by: string }): TrustAddResult {
    const cls = opts.class ?? 'recoverable';
    const cur = this.read();
    if (cur.error) return { ok: false, error: cur.error };
    let entry: TrustEntry;
    const id = randomHex(6);
    const addedAt = new Date().toISOString();
    if (program.includes('/')) {
      const abs = isAbsolute(program) ? program : resolve(this.workspace, program);
      let real: string;
      try {
        real = realpathSync.native(abs);
      } catch {
        return { ok: false, error: `${program}: no such file` };
      }
      const rel = relative(this.workspace, real);
      if (rel.startsWith('..') || isAbsolute(rel)) return { ok: false, error: `${program} is outside the workspace ${this.workspace}: only workspace files can be trusted by path` };
      const r = readFileForJudging(real, 256 * 1024 * 1024);
      const hash = r.ok ? r.sha256 : r.sha256;
      if (!hash) return { ok: false, error: `${program}: ${r.ok ? '' : r.detail}` };
      entry = { id, kind: 'file', program: `./${rel}`, path: real, sha256: hash, class: cls, addedAt, by: opts.by };
    } else {
      const path = resolveProgram(program, this.pathVar);
      if (!path) return { ok: false, error: `${program} is not found on PATH: Airlock trusts a program by the file it runs` };
      entry = { id, kind: 'program', program, path, class: cls, addedAt, by: opts.by };
    }
    const entries = cur.entries.filter((e) => !(e.kind === entry.kind && e.program === entry.program));
    entries.push(entry);
    this.write(entries);
    return { ok: true, entry };
  }

  revoke(id: string): boolean {
    const cur = this.read();
    if (cur.error) return false;
    const entries = cur.entries.filter((e) => e.id !== id);
    if (entries.length === cur.entries.length) return false;
    this.write(entries);
    return true;
  }

  private write(entries: TrustEntry[]): void {
    mkdirSync(join(this.home, 'trust'), { recursive: true, mode: 0o700 });
    const body: TrustFile = { version: 1, workspace: this.workspace, entries };
    const tmp = `${this.file}.${process.pid}.${randomHex(4)}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }

  /** The judge's view: read once per judgement, lazily; program paths resolved on PATH now. */
  lookup(): TrustLookup {
    let entries: TrustEntry[] | undefined;
    const all = (): TrustEntry[] => (entries ??= this.read().entries);
    const hit = (e: TrustEntry): TrustHit => ({ id: e.id, program: e.program, class: e.class, by: e.by });
    return {
      program: (name) => {
        const e = all().find((x) => x.kind === 'program' && x.program === name);
        if (!e) return undefined;
        return resolveProgram(name, this.pathVar) === e.path ? hit(e) : undefined;
      },
      file: (abs, hash) => {
        const e = all().find((x) => x.kind === 'file' && x.path === abs && x.sha256 === hash);
        return e ? hit(e) : undefined;
      },
    };
  }
}

/** The trust lookup for the first workspace root (undefined without a workspace). */
export function trustLookupFor(home: string, workspaceRoots: string[]): TrustLookup | undefined {
  const ws = workspaceRoots[0];
  return ws ? new FileTrustStore(home, ws).lookup() : undefined;
}
