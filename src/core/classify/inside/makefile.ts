/**
 * `make [target]`, `make -C dir`, `make -f file`: a static parse of the Makefile (rules,
 * prerequisites, recipe lines, simple variables, includes with bounded depth, `.PHONY`,
 * `.DEFAULT_GOAL`, default goal = first target), then the recipe lines of every target that will
 * run (the goals and, recursively, their prerequisites) are judged with the shell judge in make's
 * folder. What cannot be told statically (a variable set under a conditional, an unsupported
 * function, an include that cannot be resolved) expands to an unresolved value the shell judge
 * treats as "could be anything", or is `unknown` with the reason.
 */
import { posix } from 'node:path';
import { absolutize, inspectPath } from '../../paths.js';
import { plain, unknownEffect, type Ctx } from '../shell/shellContext.js';
import type { ShWord } from '../shell/shellWords.js';
import { describeReadError, guarded, MAX_INSIDE_DEPTH, missingMeansFailure, noteVisit, prefixFrom, readForJudging, scoped } from './insideState.js';

/** What an expression expands to when Airlock cannot tell: an unset shell variable (could be anything). */
const UNRESOLVED = '${AIRLOCK_MAKE_UNRESOLVED}';

interface Rule {
  targets: string[];
  prereqs: string[];
  recipe: string[];
  pattern: boolean;
}

interface VarDef {
  value: string;
  /** `:=`/`::=`: expanded once at definition. */
  simple: boolean;
  /** Assigned under a conditional or from `!=`: Airlock does not know which value holds. */
  uncertain: boolean;
}

export interface Makefile {
  vars: Map<string, VarDef>;
  rules: Map<string, Rule[]>;
  patterns: Rule[];
  first?: string;
  phony: Set<string>;
  /** Shell commands make runs while reading the file (`$(shell …)`, `!=`). */
  parseTimeShell: string[];
  problems: string[];
  files: string[];
  /** Variable expansions left for this judgement (a Makefile can make expansion exponential). */
  budget: number;
}

const EXPANSION_BUDGET = 20000;

const MAX_RULES = 5000;

/** Parse Makefile text (and its includes, read through `include`). Never throws. */
export function parseMakefile(text: string, file: string, include: (path: string, optional: boolean, mf: Makefile) => void, mf?: Makefile): Makefile {
  const m: Makefile = mf ?? { vars: new Map(), rules: new Map(), patterns: [], phony: new Set(), parseTimeShell: [], problems: [], files: [], budget: EXPANSION_BUDGET };
  m.files.push(file);
  const raw = text.replace(/\r\n/g, '\n').split('\n');
  let current: Rule | undefined;
  let condDepth = 0;
  let define: { name: string; lines: string[] } | undefined;
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i]!;
    const isRecipe = line.startsWith('\t');
    while (line.endsWith('\\') && i + 1 < raw.length) line = line.slice(0, -1) + ' ' + raw[++i]!.replace(/^\t/, '');
    if (define) {
      if (/^\s*endef\b/.test(line)) {
        m.vars.set(define.name, { value: define.lines.join('\n'), simple: false, uncertain: condDepth > 0 });
        define = undefined;
      } else define.lines.push(line);
      continue;
    }
    if (isRecipe && current) {
      current.recipe.push(line.slice(1));
      continue;
    }
    const stripped = stripComment(line).trim();
    if (stripped === '') continue;
    const cond = /^(ifeq|ifneq|ifdef|ifndef|else|endif)\b/.exec(stripped);
    if (cond) {
      if (cond[1]!.startsWith('if')) condDepth++;
      else if (cond[1] === 'endif') condDepth = Math.max(0, condDepth - 1);
      // Both branches are kept: recipes under either count (stricter), variables become uncertain.
      continue;
    }
    const def = /^(?:override\s+|export\s+)?define\s+([^\s=:]+)/.exec(stripped);
    if (def) {
      define = { name: def[1]!, lines: [] };
      current = undefined;
      continue;
    }
    const inc = /^(-?include|sinclude)\s+(.*)$/.exec(stripped);
    if (inc) {
      current = undefined;
      const words = expand(inc[2]!, m, {}, 0).split(/\s+/).filter(Boolean);
      for (const w of words) include(w, inc[1] !== 'include', m);
      continue;
    }
    if (/^(export|unexport|vpath|undefine)(\s|$)/.test(stripped) && !stripped.includes('=')) continue;
    const asg = /^(?:override\s+|export\s+|private\s+)*([^:#=\s]+)\s*(:::=|::=|:=|\?=|\+=|!=|=)\s*(.*)$/.exec(stripped);
    if (asg) {
      current = undefined;
      setVar(m, asg[1]!, asg[2]!, asg[3]!, condDepth > 0);
      continue;
    }
    const colon = findRuleColon(stripped);
    if (colon < 0) {
      m.problems.push(`${file}:${i + 1}: a line make cannot read ("${stripped.slice(0, 60)}")`);
      current = undefined;
      continue;
    }
    const left = stripped.slice(0, colon);
    let right = stripped.slice(colon + 1);
    if (right.startsWith(':')) right = right.slice(1);
    let inlineRecipe: string | undefined;
    const semi = right.indexOf(';');
    if (semi >= 0) {
      inlineRecipe = right.slice(semi + 1).trim();
      right = right.slice(0, semi);
    }
    // Target-specific variable (`t: VAR = x`): not a rule of its own.
    if (/^\s*(?:override\s+|export\s+|private\s+)?[^:#=\s]+\s*(::?=|\?=|\+=|=)/.test(right)) {
      current = undefined;
      continue;
    }
    // Static pattern rule `targets: %.o: %.c`: the prerequisites are patterns.
    const staticPat = right.indexOf(':');
    if (staticPat >= 0) right = '';
    const targets = expand(left, m, {}, 0).split(/\s+/).filter(Boolean);
    const prereqs = expand(right.replace(/\|/g, ' '), m, {}, 0).split(/\s+/).filter(Boolean);
    if (targets.includes('.PHONY')) {
      for (const p of prereqs) m.phony.add(p);
      current = undefined;
      continue;
    }
    const rule: Rule = { targets, prereqs, recipe: inlineRecipe ? [inlineRecipe] : [], pattern: targets.some((t) => t.includes('%')) };
    current = rule;
    if (rule.pattern) m.patterns.push(rule);
    else {
      for (const t of targets) {
        if (t.startsWith('.') && !t.includes('/')) continue;
        if (m.first === undefined) m.first = t;
        const list = m.rules.get(t) ?? [];
        list.push(rule);
        m.rules.set(t, list);
      }
    }
    if (m.rules.size > MAX_RULES) {
      m.problems.push(`${file}: more than ${MAX_RULES} rules`);
      break;
    }
  }
  if (define) m.problems.push(`${file}: define ${define.name} without endef`);
  return m;
}

function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) if (line[i] === '#' && line[i - 1] !== '\\') return line.slice(0, i);
  return line;
}

/** Index of the rule's colon (outside `$(…)`, not part of `:=`), or -1. */
function findRuleColon(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '$' && (s[i + 1] === '(' || s[i + 1] === '{')) {
      depth++;
      i++;
    } else if ((c === ')' || c === '}') && depth > 0) depth--;
    else if (c === ':' && depth === 0 && s[i + 1] !== '=') return i;
  }
  return -1;
}

function setVar(m: Makefile, name: string, op: string, value: string, uncertain: boolean): void {
  const prev = m.vars.get(name);
  if (op === '?=') {
    if (prev) return;
    m.vars.set(name, { value, simple: false, uncertain });
  } else if (op === '+=') {
    m.vars.set(name, { value: prev ? `${prev.simple ? prev.value : prev.value} ${value}` : value, simple: prev?.simple ?? false, uncertain: uncertain || (prev?.uncertain ?? false) });
  } else if (op === '!=') {
    m.parseTimeShell.push(value);
    m.vars.set(name, { value: UNRESOLVED, simple: true, uncertain: true });
  } else if (op === ':=' || op === '::=' || op === ':::=') {
    m.vars.set(name, { value: expand(value, m, {}, 0), simple: true, uncertain: uncertain || (prev !== undefined && prev.value !== value && uncertain) });
  } else m.vars.set(name, { value, simple: false, uncertain: uncertain || (prev?.uncertain ?? false) });
  if (uncertain && prev && !prev.uncertain) m.vars.get(name)!.uncertain = true;
}

const BUILTIN_VARS: Record<string, string> = { MAKE: 'make', CC: 'cc', CXX: 'g++', CPP: 'cc -E', RM: 'rm -f', AR: 'ar', AS: 'as', LD: 'ld', SHELL: '/bin/sh', MAKEFLAGS: '', MAKECMDGOALS: '', CFLAGS: '', CXXFLAGS: '', LDFLAGS: '', CPPFLAGS: '', LDLIBS: '', INSTALL: 'install', MKDIR_P: 'mkdir -p', FC: 'f77', YACC: 'yacc', LEX: 'lex' };

type Auto = Record<string, string>;

/** Expand make references in `s`. Unknown values become UNRESOLVED; `$(shell …)` is recorded for judging. */
export function expand(s: string, m: Makefile, auto: Auto, depth: number, env?: Readonly<Record<string, string | undefined>>): string {
  if (depth > 20 || s.length > 65536) return UNRESOLVED;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const n = s[i + 1];
    if (n === undefined) break;
    if (n === '$') {
      out += '$';
      i++;
      continue;
    }
    if (n !== '(' && n !== '{') {
      out += ref(n, m, auto, depth, env);
      i++;
      continue;
    }
    const close = n === '(' ? ')' : '}';
    let d = 1;
    let j = i + 2;
    for (; j < s.length && d > 0; j++) {
      if (s[j] === n) d++;
      else if (s[j] === close) d--;
    }
    if (d !== 0) return out + UNRESOLVED;
    const inner = s.slice(i + 2, j - 1);
    out += reference(inner, m, auto, depth, env);
    i = j - 1;
  }
  return out;
}

function ref(name: string, m: Makefile, auto: Auto, depth: number, env?: Readonly<Record<string, string | undefined>>): string {
  if (name in auto) return auto[name]!;
  if (--m.budget <= 0) {
    if (m.budget === 0) m.problems.push('variables expand to more than the expansion budget (self-referential or exponential definitions)');
    return UNRESOLVED;
  }
  if (/^[@<^+*?%|][DF]$/.test(name) && name[0]! in auto) {
    const v = auto[name[0]!]!;
    return v.split(/\s+/).map((w) => (name[1] === 'D' ? posix.dirname(w) : posix.basename(w))).join(' ');
  }
  const v = m.vars.get(name);
  if (v) {
    if (v.uncertain) return UNRESOLVED;
    return v.simple ? v.value : expand(v.value, m, auto, depth + 1, env);
  }
  if (name in BUILTIN_VARS) return BUILTIN_VARS[name]!;
  const e = env?.[name];
  return e ?? '';
}

function reference(inner: string, m: Makefile, auto: Auto, depth: number, env?: Readonly<Record<string, string | undefined>>): string {
  const sp = /^([a-z-]+)[\s]+([\s\S]*)$/.exec(inner);
  if (sp && FUNCS.has(sp[1]!)) {
    const fn = sp[1]!;
    const arg = sp[2]!;
    if (fn === 'shell') {
      m.parseTimeShell.push(expand(arg, m, auto, depth + 1, env));
      return UNRESOLVED;
    }
    const args = splitArgs(arg).map((a) => expand(a, m, auto, depth + 1, env));
    switch (fn) {
      case 'wildcard':
        return args[0]!.trim();
      case 'subst':
        return (args[2] ?? '').split(args[0]!).join(args[1] ?? '');
      case 'patsubst':
        return (args[2] ?? '').split(/\s+/).filter(Boolean).map((w) => patsubst(args[0]!.trim(), (args[1] ?? '').trim(), w)).join(' ');
      case 'strip':
        return args[0]!.trim().replace(/\s+/g, ' ');
      case 'addprefix':
        return (args[1] ?? '').split(/\s+/).filter(Boolean).map((w) => args[0]!.trim() + w).join(' ');
      case 'addsuffix':
        return (args[1] ?? '').split(/\s+/).filter(Boolean).map((w) => w + args[0]!.trim()).join(' ');
      case 'notdir':
        return args[0]!.split(/\s+/).filter(Boolean).map((w) => posix.basename(w)).join(' ');
      case 'dir':
        return args[0]!.split(/\s+/).filter(Boolean).map((w) => posix.dirname(w) + '/').join(' ');
      case 'basename':
        return args[0]!.split(/\s+/).filter(Boolean).map((w) => w.replace(/\.[^./]*$/, '')).join(' ');
      case 'sort':
        return [...new Set(args[0]!.split(/\s+/).filter(Boolean))].sort().join(' ');
      case 'firstword':
        return args[0]!.trim().split(/\s+/)[0] ?? '';
      case 'abspath':
      case 'realpath':
        return args[0]!.trim();
      case 'info':
      case 'warning':
        return '';
      case 'error':
        return UNRESOLVED;
      default:
        return UNRESOLVED;
    }
  }
  // Substitution reference $(VAR:a=b).
  const subref = /^([^:]+):([^=]*)=(.*)$/.exec(inner);
  if (subref) {
    const v = ref(subref[1]!, m, auto, depth + 1, env);
    if (v === UNRESOLVED) return v;
    const from = subref[2]!.includes('%') ? subref[2]! : `%${subref[2]}`;
    const to = subref[3]!.includes('%') ? subref[3]! : `%${subref[3]}`;
    return v.split(/\s+/).filter(Boolean).map((w) => patsubst(from, to, w)).join(' ');
  }
  const name = expand(inner, m, auto, depth + 1, env);
  if (name.includes(UNRESOLVED) || /\s/.test(name)) return UNRESOLVED;
  return ref(name, m, auto, depth + 1, env);
}

const FUNCS = new Set(['shell', 'wildcard', 'subst', 'patsubst', 'strip', 'addprefix', 'addsuffix', 'notdir', 'dir', 'basename', 'sort', 'firstword', 'abspath', 'realpath', 'info', 'warning', 'error', 'call', 'foreach', 'eval', 'filter', 'filter-out', 'findstring', 'if', 'or', 'and', 'origin', 'value', 'word', 'words', 'wordlist', 'lastword', 'suffix', 'join', 'file', 'flavor', 'guile', 'let', 'intcmp']);

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let d = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(' || c === '{') d++;
    else if (c === ')' || c === '}') d--;
    if (c === ',' && d === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function patsubst(pat: string, rep: string, word: string): string {
  const p = pat.indexOf('%');
  if (p < 0) return word === pat ? rep : word;
  const pre = pat.slice(0, p);
  const suf = pat.slice(p + 1);
  if (!word.startsWith(pre) || !word.endsWith(suf) || word.length < pre.length + suf.length) return word;
  const stem = word.slice(pre.length, word.length - suf.length);
  return rep.includes('%') ? rep.replace('%', stem) : rep;
}

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
