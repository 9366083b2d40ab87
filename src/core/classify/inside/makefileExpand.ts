/**
 * The Makefile model (rules, variables, what make runs while reading) and make's expansion of
 * `$(VAR)`, `${VAR}`, `$@`-style automatic variables and the functions Airlock follows. What cannot
 * be told statically expands to UNRESOLVED, which the shell judge treats as "could be anything";
 * `$(shell …)` is recorded so the command it runs is judged too. Used by the parser
 * (makefileParse.ts) and by the recipe judge (makefile.ts).
 */
import { posix } from 'node:path';

/** What an expression expands to when Airlock cannot tell: an unset shell variable (could be anything). */
export const UNRESOLVED = '${AIRLOCK_MAKE_UNRESOLVED}';

export interface Rule {
  targets: string[];
  prereqs: string[];
  recipe: string[];
  pattern: boolean;
}

export interface VarDef {
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

/** Variable expansions one judgement may spend (a Makefile can make expansion exponential). */
export const EXPANSION_BUDGET = 20000;

const BUILTIN_VARS: Record<string, string> = { MAKE: 'make', CC: 'cc', CXX: 'g++', CPP: 'cc -E', RM: 'rm -f', AR: 'ar', AS: 'as', LD: 'ld', SHELL: '/bin/sh', MAKEFLAGS: '', MAKECMDGOALS: '', CFLAGS: '', CXXFLAGS: '', LDFLAGS: '', CPPFLAGS: '', LDLIBS: '', INSTALL: 'install', MKDIR_P: 'mkdir -p', FC: 'f77', YACC: 'yacc', LEX: 'lex' };

export type Auto = Record<string, string>;

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

export function patsubst(pat: string, rep: string, word: string): string {
  const p = pat.indexOf('%');
  if (p < 0) return word === pat ? rep : word;
  const pre = pat.slice(0, p);
  const suf = pat.slice(p + 1);
  if (!word.startsWith(pre) || !word.endsWith(suf) || word.length < pre.length + suf.length) return word;
  const stem = word.slice(pre.length, word.length - suf.length);
  return rep.includes('%') ? rep.replace('%', stem) : rep;
}
