/**
 * Parsing a Makefile statically: rules, prerequisites, recipe lines, variable assignments (under a
 * conditional = uncertain), `define` blocks, includes (read through the caller, bounded), `.PHONY`
 * and the first target. Never throws: what it cannot follow is recorded in `problems`.
 */
import { EXPANSION_BUDGET, expand, UNRESOLVED, type Makefile, type Rule } from './makefileExpand.js';

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
