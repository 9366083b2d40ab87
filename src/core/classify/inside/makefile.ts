/**
 * `make [target]`, `make -C dir`, `make -f file`: a static parse of the Makefile (rules,
 * prerequisites, recipe lines, simple variables, includes with bounded depth, `.PHONY`,
 * `.DEFAULT_GOAL`, default goal = first target), then the recipe lines of every target that will
 * run (the goals and, recursively, their prerequisites) are judged with the shell judge in make's
 * folder. What cannot be told statically (a variable set under a conditional, an unsupported
 * function, an include that cannot be resolved) expands to an unresolved value the shell judge
 * treats as "could be anything", or is `unknown` with the reason.
 *
 * The model and expansion are in makefileExpand.ts, the parser in makefileParse.ts.
 */
import { posix } from 'node:path';
import { absolutize, inspectPath } from '../../paths.js';
import { plain, unknownEffect, type Ctx } from '../shell/shellContext.js';
import type { ShWord } from '../shell/shellWords.js';
import { describeReadError, guarded, MAX_INSIDE_DEPTH, missingMeansFailure, noteVisit, prefixFrom, readForJudging, scoped } from './insideState.js';
import { EXPANSION_BUDGET, expand, patsubst, UNRESOLVED, type Auto, type Makefile } from './makefileExpand.js';
import { parseMakefile } from './makefileParse.js';

/** Cache of parsed Makefiles by the content hashes of every file they read. */
const PARSED = new Map<string, Makefile>();

const WITH_VALUE = new Set(['-C', '--directory', '-f', '--file', '--makefile', '-I', '--include-dir', '-o', '--old-file', '--assume-old', '-W', '--what-if', '--new-file', '--assume-new', '-O', '--output-sync', '--eval', '-E']);

/** Judge `make` with `args`. */
export function runMake(name: string, args: ShWord[], ctx: Ctx): void {
  const s = ctx.inside!;
  let dir = ctx.env.cwd;
  let file: string | undefined;
  const goals: string[] = [];
  const overrides: Array<[string, string]> = [];
  let dry = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const a = w.text;
    if (a === '--') continue;
    if (a.startsWith('-') && a.length > 1) {
      const [opt, val] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : /^-[CfIoWOE]./.test(a) ? [a.slice(0, 2), a.slice(2)] : [a, undefined];
      const v = val ?? (WITH_VALUE.has(opt) ? args[++i]?.text : undefined);
      if ((opt === '-C' || opt === '--directory') && v !== undefined) dir = absolutize(v, { cwd: dir, home: ctx.env.home });
      else if ((opt === '-f' || opt === '--file' || opt === '--makefile') && v !== undefined) file = v;
      else if (/^(-n|--just-print|--dry-run|--recon|-q|--question)$/.test(opt) || /^-[a-zA-Z]*n[a-zA-Z]*$/.test(a) && !a.startsWith('--')) dry = true;
      else if ((opt === '-j' || opt === '--jobs' || opt === '-l' || opt === '--load-average') && /^\d+(\.\d+)?$/.test(args[i + 1]?.text ?? '')) i++;
      else if (opt === '--eval') {
        unknownEffect(ctx, name, `${name} --eval: evaluates Makefile text given on the command line`);
        return;
      }
      continue;
    }
    const asg = /^([A-Za-z_][\w.-]*)\s*:?=(.*)$/s.exec(a);
    if (asg) {
      if (!w.literal || w.unknownVars.length || w.subst) overrides.push([asg[1]!, UNRESOLVED]);
      else overrides.push([asg[1]!, asg[2]!]);
      continue;
    }
    if (!w.literal || w.unknownVars.length || w.subst) {
      unknownEffect(ctx, name, `${name}: the target ${a} depends on variables or command output`);
      return;
    }
    goals.push(a);
  }
  if (dry) {
    plain(ctx, name, 'read', 'read', `${name} dry run: prints the recipes without running them`);
    return;
  }
  if (file !== undefined && (file === '-' || /^\/dev\/(stdin|fd\/\d+)$|^\/proc\//.test(file))) {
    unknownEffect(ctx, name, `${name} -f ${file}: reads its Makefile from standard input or another command`);
    return;
  }
  const candidates = file !== undefined ? [absolutize(file, { cwd: dir, home: ctx.env.home })] : ['GNUmakefile', 'makefile', 'Makefile'].map((f) => posix.join(dir, f));
  const path = candidates.find((p) => ctx.env.fs.kind(p) !== undefined) ?? candidates[candidates.length - 1]!;
  const mf = loadMakefile(ctx, path, dir, name);
  if (!mf) return;
  for (const [k, v] of overrides) mf.vars.set(k, { value: v, simple: true, uncertain: v === UNRESOLVED });
  if (mf.problems.length) {
    unknownEffect(ctx, name, `${name}: ${mf.problems.slice(0, 3).join('; ')}`);
    return;
  }
  const from = ctx.effects.length;
  const cmdFrom = ctx.commands.length;
  for (const cmd of mf.parseTimeShell) scoped(ctx, { cwd: dir, freshScope: true }, () => s.run(cmd, ctx, `${name} $(shell) in ${posix.basename(path)}`));
  const dg = mf.vars.get('.DEFAULT_GOAL');
  const wanted = goals.length ? goals : dg && !dg.uncertain ? [expand(dg.value, mf, {}, 0).trim()] : mf.first ? [mf.first] : [];
  if (wanted.length === 0) {
    plain(ctx, name, 'read', 'read', `${name}: ${path} has no target (make stops, nothing runs)`);
    return;
  }
  const seen = new Set<string>();
  for (const g of wanted) runTarget(ctx, name, mf, path, dir, g, seen, 0);
  if (mf.budget <= 0) unknownEffect(ctx, name, `${name}: ${path}: variables expand to more than Airlock follows (self-referential or exponential definitions)`);
  noteVisit(ctx, from, cmdFrom, { what: `Makefile targets ${wanted.join(' ')}`, path, sha256: s.files.get(path) ?? '' });
}

function loadMakefile(ctx: Ctx, path: string, dir: string, name: string): Makefile | undefined {
  const r = readForJudging(ctx, path);
  if (!r.ok) {
    if (r.error === 'missing' && missingMeansFailure(ctx, path)) plain(ctx, name, 'read', 'read', `${name}: no Makefile in ${dir} (make stops, nothing runs)`);
    else unknownEffect(ctx, name, `${name}: ${describeReadError(r)}${r.error === 'missing' ? (inspectPath(path, ctx.env).insideWorkspace ? ' now (an earlier command may create it)' : ' now (outside the workspace, anything may create it before make runs)') : ''}`);
    return undefined;
  }
  const cached = PARSED.get(r.sha256 + '\0' + dir);
  // A cached parse is valid only while every included file still has the same content.
  if (cached && cached.files.slice(1).every((f) => {
    const inc = readForJudging(ctx, f);
    return inc.ok && cachedHashes.get(f + '\0' + r.sha256) === inc.sha256;
  })) return cloneVars(cached);
  const stack: string[] = [path];
  let failed: string | undefined;
  const include = (p: string, optional: boolean, m: Makefile): void => {
    if (failed) return;
    if (p.includes(UNRESOLVED)) {
      failed = `include of ${p.replace(UNRESOLVED, '<unresolved>')} cannot be resolved`;
      return;
    }
    const abs = absolutize(p, { cwd: dir, home: ctx.env.home });
    if (stack.includes(abs)) {
      failed = `${abs} includes itself (${[...stack, abs].map((x) => posix.basename(x)).join(' → ')})`;
      return;
    }
    if (stack.length > MAX_INSIDE_DEPTH) {
      failed = `includes nested deeper than ${MAX_INSIDE_DEPTH}`;
      return;
    }
    const inc = readForJudging(ctx, abs);
    if (!inc.ok) {
      if (optional && inc.error === 'missing') return;
      failed = `include ${p}: ${describeReadError(inc)}`;
      return;
    }
    cachedHashes.set(abs + '\0' + r.sha256, inc.sha256);
    stack.push(abs);
    parseMakefile(inc.text, abs, include, m);
    stack.pop();
  };
  const mf = parseMakefile(r.text, path, include);
  if (failed) {
    unknownEffect(ctx, name, `${name}: ${path}: ${failed}`);
    return undefined;
  }
  if (PARSED.size > 256) PARSED.clear();
  PARSED.set(r.sha256 + '\0' + dir, mf);
  return cloneVars(mf);
}
const cachedHashes = new Map<string, string>();

/** The cached parse is shared; command-line overrides must not leak into it. */
function cloneVars(m: Makefile): Makefile {
  return { ...m, vars: new Map(m.vars), parseTimeShell: [...m.parseTimeShell], problems: [...m.problems], budget: EXPANSION_BUDGET };
}

function runTarget(ctx: Ctx, name: string, mf: Makefile, path: string, dir: string, target: string, seen: Set<string>, depth: number): void {
  if (seen.has(target)) return;
  seen.add(target);
  if (seen.size > 500 || depth > 50) {
    unknownEffect(ctx, name, `${name}: more than 500 targets or 50 levels of prerequisites`);
    return;
  }
  const rules = mf.rules.get(target);
  let recipe: string[] = [];
  let prereqs: string[] = [];
  let stem = '';
  if (rules && rules.length) {
    for (const r of rules) {
      prereqs.push(...r.prereqs);
      if (r.recipe.length) recipe = r.recipe;
    }
  }
  if (recipe.length === 0 && !mf.phony.has(target)) {
    // An implicit (pattern) rule may build it.
    for (const p of mf.patterns) {
      const t = p.targets.find((x) => patsubst(x, '%', target) !== target || x === target);
      if (!t) continue;
      const pi = t.indexOf('%');
      stem = target.slice(pi, target.length - (t.length - pi - 1));
      const pre = p.prereqs.map((x) => x.replace('%', stem));
      if (pre.some((x) => ctx.env.fs.kind(posix.join(dir, x)) === undefined && !mf.rules.has(x))) continue;
      prereqs.push(...pre);
      recipe = p.recipe;
      break;
    }
  }
  if (!rules && recipe.length === 0) {
    const exists = ctx.env.fs.kind(absolutize(target, { cwd: dir, home: ctx.env.home })) !== undefined;
    if (!exists && depth === 0) plain(ctx, name, 'read', 'read', `${name} ${target}: no rule for it in ${path} (make stops, nothing runs)`);
    return;
  }
  prereqs = [...new Set(prereqs)];
  for (const p of prereqs) runTarget(ctx, name, mf, path, dir, p, seen, depth + 1);
  if (recipe.length === 0) return;
  const label = `make target "${target}"`;
  guarded(
    ctx,
    `make:${path}#${target}`,
    (why) => unknownEffect(ctx, name, `${label} in ${path}: ${why}`),
    () => {
      const from = ctx.effects.length;
      const auto: Auto = { '@': target, '<': prereqs[0] ?? '', '^': prereqs.join(' '), '+': prereqs.join(' '), '?': prereqs.join(' '), '*': stem, '%': '', '|': '' };
      for (const line of recipe) {
        const shells = mf.parseTimeShell.length;
        const text = expand(line, mf, auto, 0, ctx.env.vars).replace(/^[\s@+-]+/, '');
        // `$(shell …)` in a recipe runs when make expands the line, before the line itself.
        for (const cmd of mf.parseTimeShell.slice(shells)) scoped(ctx, { cwd: dir, freshScope: true }, () => ctx.inside!.run(cmd, ctx, `${label} $(shell)`));
        if (text.trim() === '') continue;
        if (text.length > 16 * 1024 || text.includes(UNRESOLVED) && mf.budget <= 0) {
          unknownEffect(ctx, name, `${label} in ${path}: a recipe line expands to ${text.length > 16 * 1024 ? 'more than 16 KiB' : 'values Airlock cannot follow'}`);
          continue;
        }
        scoped(ctx, { cwd: dir, freshScope: true }, () => ctx.inside!.run(text, ctx, label));
      }
      prefixFrom(ctx, from, `in ${label}`);
    },
  );
}
