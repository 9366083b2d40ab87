/**
 * File tools: rm, rmdir, unlink, shred, dd, truncate, mv, cp, rsync (local), find, chmod, chown,
 * tee, touch, mkdir, ln, sed -i. Targets go through pathEffect (workspace / temp / outside,
 * secrets, security config, critical folders).
 */
import { posix } from 'node:path';
import { execUnknown, lit, pathEffect, plain, type Ctx } from './shellContext.js';
import type { ShWord } from './shellWords.js';
import { notePrecious } from './families/lineState.js';
import { positionals } from './families/common.js';

import type { ArgvRunner } from './shellTypes.js';

const TOUCH_VALUE = new Set(['-r', '-d', '-t', '--reference', '--date']);
const positional = (args: ShWord[]): ShWord[] => {
  const out: ShWord[] = [];
  let done = false;
  for (const a of args) {
    if (!done && a.text === '--') done = true;
    else if (done || !a.text.startsWith('-') || a.text === '-') out.push(a);
  }
  return out;
};
const shortHas = (args: ShWord[], letters: string, longs: string[]): boolean =>
  args.some((a) => longs.includes(a.text) || (/^-[a-zA-Z]+$/.test(a.text) && [...letters].some((l) => a.text.includes(l))));

/** Writes `dest`: overwrite when it exists as a file, else create. */
function writeTarget(ctx: Ctx, dest: ShWord, source: string, note = ''): void {
  const kind = dest.literal || (!dest.unknownVars.length && !dest.subst) ? ctx.env.fs.kind(abs(ctx, dest.text).replace(/(.)\/+$/, '$1')) : undefined;
  if (dest.unknownVars.length || dest.subst) pathEffect(ctx, 'overwrite', dest, source, note);
  else if (kind === 'file') pathEffect(ctx, 'overwrite', dest, source, note);
  else pathEffect(ctx, 'create', dest, source, note);
}
/** With no-clobber: a file already at `dest` is kept; a missing one is created. */
function createIfMissing(ctx: Ctx, dest: ShWord, source: string): void {
  const known = !dest.unknownVars.length && !dest.subst;
  if (known && ctx.env.fs.kind(abs(ctx, dest.text).replace(/(.)\/+$/, '$1')) === 'file') return;
  pathEffect(ctx, 'create', dest, source, known ? ' (no-clobber: only if missing)' : '');
}
function abs(ctx: Ctx, p: string): string {
  // Normalized (`./x`, `dir/.`, `a/../b`): the file-system port is asked about the path as the kernel resolves it.
  if (p.startsWith('/')) return posix.normalize(p);
  if (p === '~' || p.startsWith('~/')) return posix.normalize(ctx.env.home + p.slice(1));
  return posix.normalize(ctx.env.cwd.replace(/\/$/, '') + '/' + p);
}

/**
 * Operands of cp/mv/install: with `-t DIR`, or a last operand that is an existing folder (or one made
 * earlier in the line), every source lands inside it under its own name, over any file there (T43).
 */
function copyOperands(args: ShWord[], ctx: Ctx, install = false): { dest?: ShWord; srcs: ShWord[]; intoDir: boolean } {
  const tIdx = args.findIndex((a) => a.text === '-t' || a.text.startsWith('--target-directory'));
  const tAttached = tIdx >= 0 && args[tIdx]!.text.includes('=') ? { ...args[tIdx]!, text: args[tIdx]!.text.split('=').slice(1).join('=') } : undefined;
  const tVal = tIdx >= 0 ? tAttached ?? args[tIdx + 1] : undefined;
  // install's -m/-o/-g take a value; so does -S (suffix) for cp, mv and install.
  const valued = args.filter((a, i) => i > 0 && (install ? /^-[a-zA-Z]*[mogS]$/ : /^-[a-zA-Z]*S$/).test(args[i - 1]!.text));
  const p = positional(args).filter((x) => x !== tVal && !valued.includes(x));
  if (tVal) return { dest: tVal, srcs: p, intoDir: true };
  if (p.length < 2) return { srcs: [], intoDir: false };
  const dest = p[p.length - 1]!;
  const noTarget = shortHas(args, 'T', ['--no-target-directory']);
  const isDir = !noTarget && !dest.unknownVars.length && !dest.subst && ctx.env.fs.kind(abs(ctx, dest.text).replace(/(.)\/+$/, '$1')) === 'dir';
  // A trailing slash names a folder: the copy lands inside it (or the command fails).
  const slash = !noTarget && dest.literal && /.\/$/.test(dest.text);
  return { dest, srcs: p.slice(0, -1), intoDir: isDir || slash || (p.length > 2 && !noTarget) };
}
function inside(dir: ShWord, src: ShWord): ShWord {
  const base = src.text.replace(/\/+$/, '').split('/').pop() ?? src.text;
  return { ...dir, text: `${dir.text.replace(/\/+$/, '')}/${base}`, unknownVars: [...dir.unknownVars, ...src.unknownVars], subst: dir.subst || src.subst, glob: dir.glob || src.glob };
}
/** The destination now holds data that existed before the line: a later overwrite of it loses that data. */
function keep(ctx: Ctx, d: ShWord): void {
  if (ctx.line && !d.unknownVars.length && !d.subst && !d.glob) notePrecious(ctx.env, ctx.line, d.text);
}

const FIND_WITH_ARG = new Set(['-name', '-iname', '-path', '-ipath', '-wholename', '-iwholename', '-regex', '-iregex', '-lname', '-ilname', '-type', '-xtype', '-user', '-group', '-uid', '-gid', '-perm', '-size', '-mtime', '-atime', '-ctime', '-mmin', '-amin', '-cmin', '-newer', '-anewer', '-cnewer', '-maxdepth', '-mindepth', '-samefile', '-inum', '-links', '-printf', '-fstype', '-used', '-context', '-regextype', '-D', '-files0-from']);

export const FILE_TOOLS: Record<string, (args: ShWord[], ctx: Ctx, run: ArgvRunner) => void> = {
  rm(args, ctx) {
    const targets = positional(args);
    if (targets.length === 0) {
      plain(ctx, 'rm', 'read', 'read', 'rm without operands does nothing');
      return;
    }
    const rec = shortHas(args, 'rR', ['--recursive']);
    for (const t of targets) pathEffect(ctx, 'delete', t, 'rm', rec ? ' recursively' : '');
  },
  rmdir(args, ctx) {
    // rmdir refuses non-empty folders: recreating an empty folder undoes it.
    for (const t of positional(args)) {
      const before = ctx.effects.length;
      pathEffect(ctx, 'delete', t, 'rmdir', ' (empty folder only)');
      const e = ctx.effects[before];
      if (e && e.reversibility === 'irreversible' && !e.outsideWorkspace) e.reversibility = 'reversible';
    }
  },
  unlink(args, ctx) {
    for (const t of positional(args)) pathEffect(ctx, 'delete', t, 'unlink');
  },
  shred(args, ctx) {
    for (const t of positional(args)) pathEffect(ctx, 'overwrite', t, 'shred', ' with random data');
  },
  srm(args, ctx) {
    for (const t of positional(args)) pathEffect(ctx, 'delete', t, 'srm', ' (secure delete)');
  },
  truncate(args, ctx) {
    const withArg = new Set(['-s', '--size', '-r', '--reference']);
    const targets = args.filter((a, i) => !a.text.startsWith('-') && !withArg.has(args[i - 1]?.text ?? ''));
    for (const t of targets) pathEffect(ctx, 'overwrite', t, 'truncate', ' (truncates)');
  },
  dd(args, ctx) {
    for (const a of args) {
      if (a.text.startsWith('of=')) pathEffect(ctx, 'overwrite', { ...a, text: a.text.slice(3) }, 'dd');
      if (a.text.startsWith('if=')) pathEffect(ctx, 'read', { ...a, text: a.text.slice(3) }, 'dd');
    }
  },
  mv(args, ctx) {
    const { dest, srcs, intoDir } = copyOperands(args, ctx);
    if (!dest) return;
    for (const s of srcs) pathEffect(ctx, 'write', s, 'mv', ' (moves it away)');
    const noClobber = shortHas(args, 'n', ['--no-clobber']);
    for (const d of intoDir ? srcs.map((s) => inside(dest, s)) : [dest]) {
      // -n keeps a file already there, but still creates the ones that are missing (`mv -n x .cursor/mcp.json`).
      if (noClobber) {
        createIfMissing(ctx, d, 'mv');
        continue;
      }
      writeTarget(ctx, d, 'mv');
      keep(ctx, d);
    }
  },
  cp(args, ctx) {
    const { dest, srcs, intoDir } = copyOperands(args, ctx);
    if (!dest) return;
    for (const s of srcs) pathEffect(ctx, 'read', s, 'cp');
    const noClobber = shortHas(args, 'n', ['--no-clobber']);
    for (const d of intoDir ? srcs.map((s) => inside(dest, s)) : [dest]) {
      if (noClobber) {
        createIfMissing(ctx, d, 'cp');
        continue;
      }
      writeTarget(ctx, d, 'cp');
      keep(ctx, d);
    }
  },
  install(args, ctx) {
    if (shortHas(args, 'd', ['--directory'])) {
      for (const t of positional(args)) pathEffect(ctx, 'create', t, 'install');
      return;
    }
    const { dest, srcs, intoDir } = copyOperands(args, ctx, true);
    if (!dest) return;
    for (const d of intoDir ? srcs.map((s) => inside(dest, s)) : [dest]) writeTarget(ctx, d, 'install');
  },
  ln(args, ctx) {
    const p = positional(args);
    if (p.length >= 2) {
      if (shortHas(args, 'f', ['--force'])) writeTarget(ctx, p[p.length - 1]!, 'ln');
      else pathEffect(ctx, 'create', p[p.length - 1]!, 'ln', ' (link)');
    }
  },
  tee(args, ctx) {
    const append = shortHas(args, 'a', ['--append']);
    for (const t of positional(args)) {
      if (/^\/dev\/(null|stdout|stderr)$/.test(t.text)) continue;
      if (append) pathEffect(ctx, 'write', t, 'tee');
      else writeTarget(ctx, t, 'tee');
    }
  },
  touch(args, ctx) {
    // -r REF / -d DATE / -t STAMP take a value: the reference file is read, not created.
    for (const t of positionals(args, TOUCH_VALUE)) pathEffect(ctx, 'create', t, 'touch');
  },
  mkdir(args, ctx) {
    for (const t of positional(args)) pathEffect(ctx, 'create', t, 'mkdir');
  },
  chmod(args, ctx) {
    // The mode may itself begin with '-' (`chmod -x hook.sh`): only chmod's own options are options.
    const ref = args.some((a) => a.text.startsWith('--reference'));
    const p = args.filter((a) => !/^(-[Rvcf]+|--(recursive|verbose|changes|silent|quiet|preserve-root|no-preserve-root|reference=.*))$/.test(a.text));
    for (const t of ref ? p : p.slice(1)) pathEffect(ctx, 'permissions', t, 'chmod', shortHas(args, 'R', ['--recursive']) ? ' recursively' : '');
  },
  chown(args, ctx) {
    const p = positional(args);
    for (const t of p.slice(1)) pathEffect(ctx, 'permissions', t, 'chown', shortHas(args, 'R', ['--recursive']) ? ' recursively' : '');
  },
  sed(args, ctx) {
    const inPlace = args.some((a) => /^-[a-zA-Z]*i/.test(a.text) || a.text.startsWith('--in-place'));
    const p = positional(args);
    const hasScriptFlag = args.some((a) => a.text === '-e' || a.text === '-f' || a.text.startsWith('--expression'));
    const files = hasScriptFlag ? p.filter((x) => !args.some((a, i) => (a.text === '-e' || a.text === '-f') && args[i + 1] === x)) : p.slice(1);
    const script = hasScriptFlag ? args.filter((a, i) => args[i - 1]?.text === '-e').map((a) => a.text).join('\n') : p[0]?.text ?? '';
    if (/(^|[;{}\n]\s*|^\d+\s*|\/\s*)e(\s|$|;)/.test(script) || /(^|[;\n{]\s*)s(.)(?:\\.|(?!\2).)*\2(?:\\.|(?!\2).)*\2[gIiMmpw0-9]*e/.test(script)) execUnknown(ctx, 'sed', 'sed script uses the e command (runs shell commands)');
    const w = /\bw\s+(\S+)/.exec(script);
    if (w) pathEffect(ctx, 'create', lit(w[1]!), 'sed', ' (w command)');
    for (const f of files) pathEffect(ctx, inPlace ? 'write' : 'read', f, 'sed', inPlace ? ' (in-place edit)' : '');
  },
  find(args, ctx, run) {
    const roots: ShWord[] = [];
    let i = 0;
    while (i < args.length && !args[i]!.text.startsWith('-') && !/^[(!]$/.test(args[i]!.text)) roots.push(args[i++]!);
    if (roots.length === 0) roots.push(lit('.'));
    let acted = false;
    for (; i < args.length; i++) {
      const a = args[i]!.text;
      if (FIND_WITH_ARG.has(a)) {
        i++;
        continue;
      }
      if (a === '-delete') {
        acted = true;
        for (const r of roots) pathEffect(ctx, 'delete', r, 'find -delete', ' (matching files below it)');
      } else if (a === '-exec' || a === '-execdir' || a === '-ok' || a === '-okdir') {
        const end = args.findIndex((x, j) => j > i && (x.text === ';' || x.text === '+'));
        const cmd = args.slice(i + 1, end < 0 ? args.length : end);
        i = end < 0 ? args.length : end;
        if (cmd.length === 0) continue;
        acted = true;
        for (const r of roots) run(cmd.map((w) => (w.text.includes('{}') ? { ...w, text: w.text.split('{}').join(r.text), glob: false, unknownVars: [...r.unknownVars] } : w)));
      } else if (a === '-fprint' || a === '-fprintf' || a === '-fls' || a === '-fprint0') {
        acted = true;
        if (args[i + 1]) pathEffect(ctx, 'overwrite', args[i + 1]!, 'find');
        i++;
      }
    }
    if (!acted) for (const r of roots) pathEffect(ctx, 'read', r, 'find');
  },
};
