/**
 * The state of one shell analysis and the helpers that turn targets into effects.
 */
import { posix } from 'node:path';
import type { Effect, Reversibility } from '../../effects.js';
import { absolutize, globSecretName, inspectPath, isWithin, secretReason, type Environment, type PathInfo } from '../../paths.js';
import { listedSecret, type Listed } from './listing.js';
import type { ShWord } from './shellWords.js';
import type { LineState } from './families/lineState.js';

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
  /** Looking inside what will run: files read, cycle stack, provenance (src/core/classify/inside). */
  inside?: InsideState;
  /** Links, moved files and folders made by earlier commands of the same line (families/lineState.ts). */
  line?: LineState;
  /**
   * Where the command being analysed really runs. `env.cwd` always mirrors it when it is known;
   * undefined = a `cd` went somewhere Airlock cannot tell (cwdWhy says why).
   */
  cwd: string | undefined;
  cwdWhy?: string;
  /** `$OLDPWD` for `cd -` (undefined = unknown). */
  oldCwd?: string | undefined;
  /** pushd/popd stack (top last). */
  dirStack: Array<string | undefined>;
  /** Absolute paths this command line itself created (temp scratch it may delete again). */
  created: string[];
  /** Absolute paths this command line wrote or downloaded, with how (running them runs unread code). */
  written: Map<string, string>;
  /** Aliases and `hash -p` entries defined by the script: name → replacement text. */
  aliases: Map<string, string>;
  /** Functions whose bodies are being analysed (a call to one of them from inside is recursion). */
  funcStack: string[];
  /** > 0 while analysing a pipeline stage or a background command (runs alongside others). */
  concurrent: number;
  /** Names the command line (or a script it runs) assigned, in any scope: a value the agent may have chosen. */
  assigned?: Set<string>;
  /** Functions whose body changes directory: where a call leaves the caller (undefined = unknown). */
  funcCwd: Map<string, string | undefined>;
}

/** Where an unknown working directory points (never a real folder). */
export const UNKNOWN_CWD = '/?unknown-working-directory';

export function newCtx(env: Environment): Ctx {
  return { env, effects: [], commands: [], reasons: [], vars: new Map(), funcs: new Set(), depth: 0, cwd: env.cwd, oldCwd: undefined, dirStack: [], created: [], written: new Map(), aliases: new Map(), funcStack: [], concurrent: 0, funcCwd: new Map() };
}

/** Change the working directory for the rest of the analysis (undefined = unknown, with why). */
export function setCwd(ctx: Ctx, dir: string | undefined, why?: string): void {
  ctx.oldCwd = ctx.cwd;
  ctx.cwd = dir;
  if (dir === undefined) ctx.cwdWhy = why ?? 'a directory change Airlock cannot resolve';
  else delete ctx.cwdWhy;
  ctx.env = { ...ctx.env, cwd: dir ?? UNKNOWN_CWD };
  ctx.vars.set('PWD', dir);
  ctx.vars.set('OLDPWD', ctx.oldCwd);
}

/** Run `fn` in a subshell: directory changes inside do not leak out. */
export function inSubshell<T>(ctx: Ctx, fn: () => T): T {
  const saved = { cwd: ctx.cwd, cwdWhy: ctx.cwdWhy, oldCwd: ctx.oldCwd, env: ctx.env, stack: [...ctx.dirStack], pwd: ctx.vars.get('PWD'), hadPwd: ctx.vars.has('PWD'), oldpwd: ctx.vars.get('OLDPWD'), hadOld: ctx.vars.has('OLDPWD') };
  try {
    return fn();
  } finally {
    ctx.cwd = saved.cwd;
    if (saved.cwdWhy === undefined) delete ctx.cwdWhy;
    else ctx.cwdWhy = saved.cwdWhy;
    ctx.oldCwd = saved.oldCwd;
    ctx.env = saved.env;
    ctx.dirStack = saved.stack;
    if (saved.hadPwd) ctx.vars.set('PWD', saved.pwd);
    else ctx.vars.delete('PWD');
    if (saved.hadOld) ctx.vars.set('OLDPWD', saved.oldpwd);
    else ctx.vars.delete('OLDPWD');
  }
}

/** Absolute path of a literal word from where the command runs (undefined when that is unknown). */
export function resolveFrom(ctx: Ctx, p: string): string | undefined {
  if (!p.startsWith('/') && !(p === '~' || p.startsWith('~/')) && ctx.cwd === undefined) return undefined;
  return absolutize(p, { cwd: ctx.cwd ?? UNKNOWN_CWD, home: ctx.env.home });
}

/** Was `abs` (or a folder above it) created or written by this command line? */
export function writtenHere(ctx: Ctx, abs: string): string | undefined {
  for (const [p, how] of ctx.written) if (isWithin(abs, p)) return how;
  return undefined;
}

export function lookupVar(ctx: Ctx, name: string): string | undefined {
  if (ctx.vars.has(name)) return ctx.vars.get(name);
  if (name === 'PWD') return ctx.cwd;
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
 * Whose is a temp path? Only what this command line created, a per-run scratch folder the gate
 * supplied, or a path that does not exist yet is scratch; anything else already under /tmp is
 * someone's data (and "everything in /tmp" always is).
 */
function scratchOwner(ctx: Ctx, info: PathInfo, contents: boolean): string | undefined {
  if (ctx.env.scratchDirs?.some((d) => isWithin(info.abs, absolutize(d, ctx.env)))) return "this run's scratch folder";
  if (ctx.created.some((c) => isWithin(info.abs, c))) return 'created by this command line';
  if (!contents && !info.exists) return 'does not exist yet';
  return undefined;
}

/**
 * The effect of doing `op` to the path a word names. Unknown variables and command substitutions
 * make the target unknown; a glob counts as the folder it is in.
 */
export function pathEffect(ctx: Ctx, op: PathOp, word: ShWord | string, source: string, note = ''): void {
  const w: ShWord = typeof word === 'string' ? { text: word, literal: true, unknownVars: [], subst: false, glob: false } : word;
  const destructive = op === 'delete' || op === 'overwrite';
  if (op !== 'delete' && op !== 'permissions' && !w.unknownVars.length && !w.subst && NULL_SINK.test(w.text)) return;
  const lostCwd = ctx.cwd === undefined && !w.text.startsWith('/') && !(w.text === '~' || w.text.startsWith('~/'));
  if (w.unknownVars.length > 0 || w.subst || lostCwd) {
    const why = lostCwd
      ? `the working directory, which Airlock cannot tell after ${ctx.cwdWhy ?? 'a directory change'}`
      : w.unknownVars.length ? `unset or unknown variable ${w.unknownVars.map((v) => '$' + v).join(', ')}` : 'command substitution';
    if (op === 'read') {
      // The folder is unknown but the name is written out (`$(git rev-parse --show-toplevel)/.env`).
      const tail = w.knownFrom !== undefined ? w.text.slice(w.knownFrom) : '';
      const named = tail.includes('/') ? secretOfName(tail.split('/').pop() ?? '') : undefined;
      add(ctx, { kind: 'read', reversibility: 'read', detail: `reads ${w.text} (path depends on ${why})${named ? ` (secrets: ${named.why})` : ''}`, target: w.text, source, ...(named ? { secrets: true } : {}) });
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
  // Paths a lister printed (`cat $(find . -name '.env*')`, `… | xargs cat`): a read of every file it lists.
  if (op === 'read' && w.listed) {
    listedRead(ctx, w, w.listed, source, note);
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
  // A glob in the last segment that can match a secret file (`cat .e*`) reads it.
  const globSecret = contents && op === 'read' && !info.secrets ? globSecretName(w.text.split('/').pop() ?? '') : undefined;
  if (globSecret) {
    flags.secrets = true;
    info.secrets = `a glob that can match ${globSecret}`;
  }
  // The same glob against the folder as it is (`cat .*`, `cat * .*` where .env exists; a wildcard folder then `.env`).
  if (contents && op === 'read' && !flags.secrets) {
    const segs = w.text.split('/');
    const last = segs.pop() ?? '';
    const wild = /[*?[]/.test(last);
    const found = wild && !segs.some((x) => /[*?[]/.test(x)) ? listedSecret({ root: segs.join('/') || (w.text.startsWith('/') ? '/' : '.'), names: [last], recursive: false, dots: false, by: 'glob' }, ctx.env, ctx.cwd) : !wild ? secretOfName(last) : undefined;
    if (found && found !== 'unknown') {
      flags.secrets = true;
      info.secrets = `the glob matches ${found.path.replace(/^.*\//, '')} (${found.why})`;
    }
  }
  let temp = tempish(info, ctx.env, contents);
  let tempNote = '';
  if (temp && destructive) {
    const owner = scratchOwner(ctx, info, contents);
    if (owner) tempNote = ` (temp scratch: ${owner})`;
    else {
      temp = false;
      tempNote = ' (existing data in a temp folder, not created by this command line)';
    }
  }
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
  if ((op === 'create' || op === 'overwrite') && !contents) {
    if (op === 'create' && !info.exists && !ctx.created.includes(info.abs)) ctx.created.push(info.abs);
    if (!ctx.written.has(info.abs)) ctx.written.set(info.abs, `${source}${note}`);
  }
  add(ctx, { kind: op, reversibility: rev, detail: `${VERB[op]} ${shown}${note}${where({ ...info, inTemp: temp })}${tempNote}`, target: info.abs, source, ...flags });
}

/** A literal last segment after a wildcard folder (`*` then `/.env`) that names a secret file. */
function secretOfName(name: string): { path: string; why: string } | undefined {
  const why = name ? secretReason(`/${name}`) : undefined;
  return why ? { path: name, why } : undefined;
}

/** A read of the files a lister printed: a secret among them (or a pattern naming one) is a secret read. */
function listedRead(ctx: Ctx, w: ShWord, l: Listed, source: string, note: string): void {
  const found = listedSecret(l, ctx.env, ctx.cwd);
  const what = `${l.root.replace(/\/+$/, '') || '/'}${l.recursive ? ' (at any depth)' : ''}${l.names ? ` named ${l.names.join(' or ')}` : ''}`;
  const by = w.resolvedBy?.length ? ` (listed by ${w.resolvedBy.join(', ')})` : ` (listed by ${l.by})`;
  if (found && found !== 'unknown') {
    add(ctx, { kind: 'read', reversibility: 'read', detail: `reads the files under ${what}${by}${note}, among them ${found.path} (secrets: ${found.why})`, target: found.path, source, secrets: true });
    return;
  }
  add(ctx, { kind: 'read', reversibility: 'read', detail: `reads the files under ${what}${by}${note}`, target: l.root, source });
}

/** Outputs that keep nothing: writing to them is no effect. */
export const NULL_SINK = /^\/dev\/(null|zero|stdout|stderr|tty|fd\/\d+)$/;

/**
 * The project's own code runs in the current directory (tests, tasks, builds). Inside the workspace
 * that is the project; anywhere else it is code nobody has read here.
 */
export function projectExec(ctx: Ctx, source: string, detail: string): void {
  const inside = ctx.cwd !== undefined && inspectPath(ctx.cwd, ctx.env).insideWorkspace;
  if (inside) add(ctx, { kind: 'exec', reversibility: 'recoverable', detail: `${detail} (in ${ctx.cwd})`, source, target: ctx.cwd! });
  else
    add(ctx, {
      kind: 'exec',
      reversibility: 'recoverable',
      exec: true,
      outsideWorkspace: true,
      detail: `${detail} in ${ctx.cwd ?? `a directory Airlock cannot tell (after ${ctx.cwdWhy ?? 'a directory change'})`}: outside the workspace, code nobody has read here`,
      source,
      ...(ctx.cwd ? { target: ctx.cwd } : {}),
    });
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
  const text = `could not analyze: ${detail}`;
  add(ctx, { kind: 'unknown', reversibility: 'unknown', detail: text, source });
  if (!ctx.reasons.includes(text)) ctx.reasons.push(text);
}

export function plain(ctx: Ctx, source: string, kind: Effect['kind'], rev: Reversibility, detail: string, extra: Partial<Effect> = {}): void {
  add(ctx, { kind, reversibility: rev, detail, source, ...extra });
}

export function lit(text: string): ShWord {
  return { text, literal: true, unknownVars: [], subst: false, glob: false };
}

// ---- looking inside what will run: the state one analysis keeps (src/core/classify/inside) ----

/** One file looked inside, for `airlock policy explain`: what ran it and what it runs. */
export interface Visit {
  depth: number;
  /** `npm script "test"`, `make target "clean"`, `script`, `python script`… */
  what: string;
  path: string;
  sha256: string;
  /** Programs found in it (canonical names, in order). */
  runs: string[];
  /** The worst reversibility of its own effects. */
  reversibility: Effect['reversibility'];
  note?: string;
}

export type ScriptRun = (src: string, ctx: Ctx, source: string) => void;
export type ArgvRun = (argv: ShWord[]) => void;

export interface InsideState {
  /** Files read, by canonical path → content hash (or `error:<why>`). */
  files: Map<string, string>;
  /** Keys of what is being judged now (file path, `pkg#script`, `Makefile#target`): cycle detection. */
  stack: string[];
  visits: Visit[];
  /** The shell runner of this analysis (set by classifyShell). */
  run: ScriptRun;
  /** Byte limit for the script being parsed now (scripts read from files may be larger than a command line). */
  maxBytes?: number;
  /** Paths produced by this very command line, with how ("downloaded by this command from URL"). */
  produced: Map<string, string>;
  /** Folders whose whole content this command fetched (git clone, archive of a download). */
  fetchedDirs: Map<string, string>;
  /** Runs a command's argv through the dispatcher (set by the dispatcher for the command being judged). */
  argv?: ArgvRun;
  /** Programs (names) or workspace files (`./path`) that asked only because nothing is known of them. */
  trustable: Set<string>;
  /** Runs a script or executable by path: reads it and judges what is in it (lookInside.runLocalInside). */
  runLocal: LocalRun;
}

export type LocalRun = (path: string, args: ShWord[], ctx: Ctx, verb: string, interp?: string) => void;
