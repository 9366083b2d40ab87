/**
 * Where a command really runs: `cd`, `pushd`/`popd`, `cd -`, and the per-program directory options
 * (`git -C`, `make -C`, `tar -C`, `npm --prefix`, `env -C`, `--cwd`, `--chdir`, …). Every relative
 * target is resolved from the directory the command will be in; a directory Airlock cannot resolve
 * (variable, glob, substitution, `~user`, CDPATH) makes every later relative target "could be
 * anywhere" until an absolute `cd` brings it back. Subshell scoping is in classifyShell.ts.
 */
import { canonicalize } from '../../paths.js';
import { plain, resolveFrom, setCwd, type Ctx } from './shellContext.js';
import type { ShWord } from './shellWords.js';

export const CD_BUILTINS = new Set(['cd', 'chdir', 'pushd', 'popd']);

/** Resolve a directory word from the current directory; undefined + why when it cannot be told. */
export function resolveDir(ctx: Ctx, w: ShWord): { dir?: string; why?: string } {
  const show = w.text;
  if (w.unknownVars.length) return { why: `\`cd ${show}\` (depends on $${w.unknownVars[0]})` };
  if (w.subst) return { why: `\`cd ${show}\` (depends on command output)` };
  if (w.glob) return { why: `\`cd ${show}\` (a glob: whichever folder matches first)` };
  if (/^~[^/]/.test(w.text)) return { why: `\`cd ${show}\` (another user's home)` };
  const cdpath = ctx.vars.has('CDPATH') ? ctx.vars.get('CDPATH') : ctx.env.vars.CDPATH;
  if (cdpath && !/^(\/|~|\.\.?(\/|$))/.test(w.text)) return { why: `\`cd ${show}\` (CDPATH may send it elsewhere)` };
  const abs = resolveFrom(ctx, w.text);
  if (abs === undefined) return { why: ctx.cwdWhy ?? `\`cd ${show}\`` };
  return { dir: canonicalize(abs, { ...ctx.env, cwd: abs }) };
}

function cdTo(ctx: Ctx, w: ShWord): void {
  const r = resolveDir(ctx, w);
  setCwd(ctx, r.dir, r.why);
}

/** cd / chdir / pushd / popd: change ctx's directory; they only read. */
export function runCd(name: string, args: ShWord[], ctx: Ctx): void {
  const ops = args.filter((a) => !/^-[LPe@]+$/.test(a.text) && a.text !== '--');
  const homeVar = ctx.vars.has('HOME') ? ctx.vars.get('HOME') : ctx.env.vars.HOME ?? ctx.env.home;
  const home: ShWord = homeVar === undefined ? { text: '$HOME', literal: false, unknownVars: ['HOME'], subst: false, glob: false } : { text: homeVar, literal: true, unknownVars: [], subst: false, glob: false };
  if (name === 'cd' || name === 'chdir') {
    const t = ops[0];
    if (!t) cdTo(ctx, home);
    else if (t.text === '-') {
      if (ctx.oldCwd === undefined && ctx.vars.has('OLDPWD')) setCwd(ctx, undefined, '`cd -` (previous directory unknown)');
      else if (ctx.oldCwd === undefined) setCwd(ctx, undefined, '`cd -` (the previous directory of the calling shell)');
      else setCwd(ctx, ctx.oldCwd);
    } else cdTo(ctx, t);
    plain(ctx, name, 'read', 'read', `${name} ${ctx.cwd ?? '(unknown directory)'}`);
    return;
  }
  if (name === 'pushd') {
    const t = ops[0];
    const here = ctx.cwd;
    if (!t) {
      const top = ctx.dirStack.pop();
      ctx.dirStack.push(here);
      if (top === undefined && ctx.dirStack.length <= 1) setCwd(ctx, undefined, '`pushd` with an empty stack');
      else setCwd(ctx, top, '`pushd` to an unknown directory');
    } else if (/^[+-]\d+$/.test(t.text)) {
      ctx.dirStack.push(here);
      setCwd(ctx, undefined, `\`pushd ${t.text}\` (rotates the directory stack)`);
    } else {
      ctx.dirStack.push(here);
      cdTo(ctx, t);
    }
    plain(ctx, name, 'read', 'read', `pushd ${ctx.cwd ?? '(unknown directory)'}`);
    return;
  }
  // popd
  const t = ops[0];
  if (t && /^[+-]\d+$/.test(t.text)) {
    ctx.dirStack = [];
    plain(ctx, name, 'read', 'read', `popd ${t.text}`);
    return;
  }
  if (ctx.dirStack.length === 0) {
    // The calling shell's stack is unknown: popd either fails (stays) or goes somewhere unknown.
    setCwd(ctx, undefined, '`popd` (the directory stack of the calling shell)');
  } else setCwd(ctx, ctx.dirStack.pop(), '`popd` to an unknown directory');
  plain(ctx, name, 'read', 'read', `popd ${ctx.cwd ?? '(unknown directory)'}`);
}

interface DirOpt {
  /** Options whose value is the directory the program works in. */
  opts: string[];
  /** Only before the first positional word (git's global options). */
  beforeVerb?: boolean;
  /** Several uses accumulate (`git -C a -C b` = a/b). */
  cumulative?: boolean;
}

/** Per-program directory options. `--cwd`, `--chdir` and `--working-directory` apply to every program. */
export const DIR_OPTIONS: Record<string, DirOpt> = {
  git: { opts: ['-C'], beforeVerb: true, cumulative: true },
  make: { opts: ['-C', '--directory'], cumulative: true },
  gmake: { opts: ['-C', '--directory'], cumulative: true },
  tar: { opts: ['-C', '--directory'] },
  bsdtar: { opts: ['-C', '--directory'] },
  npm: { opts: ['--prefix', '-C'] },
  pnpm: { opts: ['-C', '--dir'] },
  yarn: { opts: ['--cwd'] },
  bun: { opts: ['--cwd'] },
  go: { opts: ['-C'], beforeVerb: true },
  cargo: { opts: ['-C'], beforeVerb: true },
  uv: { opts: ['--directory'] },
  poetry: { opts: ['-C', '--directory'] },
  ninja: { opts: ['-C'] },
  meson: { opts: ['-C'] },
  just: { opts: ['-d', '--working-directory'] },
  task: { opts: ['-d', '--dir'] },
  gradle: { opts: ['-p', '--project-dir'] },
  gradlew: { opts: ['-p', '--project-dir'] },
  terraform: { opts: ['-chdir'], beforeVerb: true },
  tofu: { opts: ['-chdir'], beforeVerb: true },
  unzip: { opts: ['-d'] },
  deno: { opts: ['--cwd'] },
  env: { opts: ['-C', '--chdir'], beforeVerb: true },
  sudo: { opts: ['-D', '--chdir'], beforeVerb: true },
  run0: { opts: ['-D', '--chdir'], beforeVerb: true },
};
const EVERY_PROGRAM = ['--cwd', '--chdir', '--working-directory'];
/** Programs that accept the directory glued to a short option (`make -Csub`). */
const ATTACHED = new Set(['make', 'gmake', 'ninja', 'pnpm']);

/**
 * Take the directory options out of `args` (so the tool tables see the verb) and return the
 * directory the program will work in, resolved from the current one.
 */
export function takeDirOptions(name: string, args: ShWord[], ctx: Ctx, withArg: string[] = []): { args: ShWord[]; dirs: ShWord[] } {
  const spec = DIR_OPTIONS[name];
  const opts = spec ? [...spec.opts, ...EVERY_PROGRAM] : EVERY_PROGRAM;
  const out: ShWord[] = [];
  const dirs: ShWord[] = [];
  let seenVerb = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const t = a.text;
    if (t === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (!t.startsWith('-') && !/^[A-Za-z_]\w*=/.test(t)) seenVerb = true;
    const beforeOk = !(spec?.beforeVerb && seenVerb) || EVERY_PROGRAM.some((o) => t === o || t.startsWith(o + '='));
    const attached = (o: string): boolean => o.length === 2 && ATTACHED.has(name) && t.startsWith(o) && t.length > 2 && !t.startsWith('--');
    const opt = beforeOk ? opts.find((o) => t === o || t.startsWith(o + '=') || attached(o)) : undefined;
    if (opt) {
      if (t === opt) {
        if (args[i + 1] === undefined) {
          out.push(a);
          continue;
        }
        dirs.push(args[++i]!);
      } else dirs.push({ ...a, text: t.startsWith(opt + '=') ? t.slice(opt.length + 1) : t.slice(opt.length) });
      continue;
    }
    out.push(a);
    // The value of another option is not the verb (`sudo -u root -D /etc cmd`).
    if (withArg.includes(t) && !seenVerb && args[i + 1] !== undefined) out.push(args[++i]!);
  }
  if (dirs.length > 1 && !spec?.cumulative) return { args: out, dirs: [dirs[dirs.length - 1]!] };
  return { args: out, dirs };
}

/** Run `fn` with the working directory the directory options name (restored afterwards). */
export function inDirs(ctx: Ctx, dirs: ShWord[], fn: () => void): void {
  if (dirs.length === 0) {
    fn();
    return;
  }
  const saved = { cwd: ctx.cwd, why: ctx.cwdWhy, old: ctx.oldCwd, env: ctx.env, pwd: ctx.vars.get('PWD'), hadPwd: ctx.vars.has('PWD'), oldpwd: ctx.vars.get('OLDPWD'), hadOld: ctx.vars.has('OLDPWD') };
  try {
    for (const d of dirs) cdTo(ctx, d);
    fn();
  } finally {
    ctx.cwd = saved.cwd;
    if (saved.why === undefined) delete ctx.cwdWhy;
    else ctx.cwdWhy = saved.why;
    ctx.oldCwd = saved.old;
    ctx.env = saved.env;
    if (saved.hadPwd) ctx.vars.set('PWD', saved.pwd);
    else ctx.vars.delete('PWD');
    if (saved.hadOld) ctx.vars.set('OLDPWD', saved.oldpwd);
    else ctx.vars.delete('OLDPWD');
  }
}
