/**
 * The state of one shell analysis and the helpers that turn targets into effects.
 */
import { posix } from 'node:path';
import type { Effect, Reversibility } from '../../effects.js';
import { inspectPath, type Environment, type PathInfo } from '../../paths.js';
import type { ShWord } from './shellWords.js';

export const MAX_COMMANDS = 200;
export const MAX_DEPTH = 20;

export interface Ctx {
  env: Environment;
  effects: Effect[];
  commands: string[];
  reasons: string[];
  /** Assignments made by the script itself (undefined = assigned something unknown). */
  vars: Map<string, string | undefined>;
  funcs: Set<string>;
  depth: number;
  /** Host when the commands run on another machine (ssh host cmd). */
  remote?: string;
}

export function lookupVar(ctx: Ctx, name: string): string | undefined {
  if (ctx.vars.has(name)) return ctx.vars.get(name);
  if (name === 'PWD') return ctx.env.cwd;
  if (name === 'HOME') return ctx.env.vars.HOME ?? ctx.env.home;
  return ctx.env.vars[name];
}

export function add(ctx: Ctx, e: Effect): void {
  if (ctx.remote) {
    e.network = true;
    e.outsideWorkspace = true;
    if (e.snapshotable) delete e.snapshotable;
    if (e.kind !== 'read' && e.reversibility !== 'read') e.reversibility = e.reversibility === 'unknown' ? 'unknown' : 'irreversible';
    e.detail = `on ${ctx.remote}: ${e.detail}`;
  }
  ctx.effects.push(e);
}

export function where(info: PathInfo): string {
  const notes: string[] = [];
  if (info.critical) notes.push(info.critical);
  if (info.securityConfig) notes.push(`security config: ${info.securityConfig}`);
  if (info.secrets) notes.push(`secrets: ${info.secrets}`);
  if (!info.insideWorkspace) notes.push(info.inTemp ? 'temp folder' : 'outside the workspace');
  return notes.length ? ` (${notes.join('; ')})` : '';
}

export type PathOp = 'read' | 'create' | 'write' | 'overwrite' | 'delete' | 'permissions';

const VERB: Record<PathOp, string> = {
  read: 'reads',
  create: 'creates',
  write: 'writes to',
  overwrite: 'overwrites',
  delete: 'deletes',
  permissions: 'changes permissions of',
};

/** Is the target a temp folder itself or something inside one (a glob in /tmp counts as its contents). */
function tempish(info: PathInfo, env: Environment, contents: boolean): boolean {
  if (info.inTemp) return true;
  if (!contents || info.insideWorkspace) return false;
  return env.tempDirs.some((t) => info.abs === posix.normalize(t));
}

/**
 * The effect of doing `op` to the path a word names. Unknown variables and command substitutions
 * make the target unknown; a glob counts as the folder it is in.
 */
export function pathEffect(ctx: Ctx, op: PathOp, word: ShWord | string, source: string, note = ''): void {
  const w: ShWord = typeof word === 'string' ? { text: word, literal: true, unknownVars: [], subst: false, glob: false } : word;
  const destructive = op === 'delete' || op === 'overwrite';
  if (w.unknownVars.length > 0 || w.subst) {
    const why = w.unknownVars.length ? `unset or unknown variable ${w.unknownVars.map((v) => '$' + v).join(', ')}` : 'command substitution';
    if (op === 'read') {
      add(ctx, { kind: 'read', reversibility: 'read', detail: `reads ${w.text} (path depends on ${why})`, target: w.text, source });
      return;
    }
    add(ctx, {
      kind: op,
      reversibility: destructive ? 'irreversible' : 'recoverable',
      detail: `${VERB[op]} ${w.text}${note}: target depends on ${why} and could expand anywhere`,
      target: w.text,
      source,
      outsideWorkspace: true,
    });
    return;
  }
  let text = w.text;
  let contents = false;
  if (w.glob) {
    const segs = text.split('/');
    const i = segs.findIndex((s) => /[*?[]/.test(s));
    text = segs.slice(0, i).join('/') || (text.startsWith('/') ? '/' : '.');
    contents = true;
  }
  if (text === '') return;
  const info = inspectPath(text, ctx.env);
  const flags: Partial<Effect> = {};
  if (info.securityConfig && op !== 'read') flags.securityConfig = true;
  if (info.secrets) flags.secrets = true;
  const temp = tempish(info, ctx.env, contents);
  if (!info.insideWorkspace && !temp) flags.outsideWorkspace = true;
  let rev: Reversibility;
  switch (op) {
    case 'read':
      rev = 'read';
      break;
    case 'create':
    case 'write':
      rev = info.insideWorkspace || temp ? 'reversible' : 'recoverable';
      if (info.insideWorkspace) flags.snapshotable = true;
      break;
    case 'permissions':
      rev = 'recoverable';
      if (info.insideWorkspace) flags.snapshotable = true;
      break;
    default:
      rev = temp ? 'recoverable' : 'irreversible';
      if (info.insideWorkspace) flags.snapshotable = true;
  }
  const shown = contents ? `${w.text} (everything in ${info.abs})` : info.abs;
  add(ctx, { kind: op, reversibility: rev, detail: `${VERB[op]} ${shown}${note}${where({ ...info, inTemp: temp })}`, target: info.abs, source, ...flags });
}

export function execUnknown(ctx: Ctx, source: string, detail: string, rev: Reversibility = 'irreversible'): void {
  add(ctx, { kind: 'exec', reversibility: rev, exec: true, detail, source });
}

export function network(ctx: Ctx, source: string, rev: Reversibility, detail: string, target?: string): void {
  const e: Effect = { kind: rev === 'read' ? 'read' : 'network', reversibility: rev, network: true, detail, source };
  if (target !== undefined) e.target = target;
  add(ctx, e);
}

export function unknownEffect(ctx: Ctx, source: string, detail: string): void {
  add(ctx, { kind: 'unknown', reversibility: 'unknown', detail: `could not analyze: ${detail}`, source });
}

export function plain(ctx: Ctx, source: string, kind: Effect['kind'], rev: Reversibility, detail: string, extra: Partial<Effect> = {}): void {
  add(ctx, { kind, reversibility: rev, detail, source, ...extra });
}

export function lit(text: string): ShWord {
  return { text, literal: true, unknownVars: [], subst: false, glob: false };
}
