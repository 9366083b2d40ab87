/**
 * Shell classifier: parse the command line with a real shell parser, find every command in every
 * segment (lists, pipes, subshells, substitutions, here-docs, functions, nested `sh -c` strings),
 * and derive effects from what each program does, not from its name matching a pattern.
 *
 * Architecture Invariant: never throws; anything that cannot be analysed (parse error, input over
 * the size/complexity bounds, an internal error) becomes `unknown` with the reason.
 */
import { summarize, unknownClassification, type Classification } from '../../effects.js';
import type { Environment } from '../../paths.js';
import { add, execUnknown, inSubshell, lit, lookupVar, MAX_COMMANDS, MAX_DEPTH, newCtx, NULL_SINK, pathEffect, resolveFrom, unknownEffect, type Ctx } from './shellContext.js';
import { runArgv } from './shellDispatch.js';
import type { Stdin } from './shellTypes.js';
import { parseScript, ShellLimitError, type ParsedScript, type Stmt } from './shellSyntax.js';
import { expandFields, expandWord, GLOB_VALUE, heredocText, type ShWord, type SubstResolver } from './shellWords.js';
import { expandBraces } from './shellResolve.js';
import { newInside } from '../inside/insideState.js';
import { runLocalInside } from '../inside/lookInside.js';
import { withInside } from '../inside/insideResult.js';
import { lineEnvironment, newLineState } from './families/lineState.js';
import { describeSubst, pipeOutput, substOutput } from './pipeInput.js';
import { lineEffects } from './families/index.js';
import { nameUnknown, unknownSource } from './families/unresolvedReads.js';

export const MAX_BYTES = 16 * 1024;

const EVAL_EXPANSION = /\$\{[^}]*@[PEAK]\}|\$\[[^\]]*['"`]|\$\(\([^)]*['"`]|\(\([^)]*['"`][^)]*\)\)|(^|[;&|({\s])let\s[^;&|\n]*['"`]/;

export function classifyShell(command: string, env: Environment): Classification {
  const line = newLineState();
  const ctx: Ctx = newCtx(lineEnvironment(env, line));
  ctx.line = line;
  ctx.inside = newInside(runScript, runLocalInside);
  try {
    if (command.length > MAX_BYTES) return unknownClassification(`command longer than ${MAX_BYTES} bytes`);
    if (command.includes('\0')) return unknownClassification('command contains a NUL byte');
    runScript(command, ctx, 'shell');
    // Expansions that evaluate text as code at run time: `${x@P}` (prompt expansion runs `$(…)` in
    // the value) and quoted strings or substitutions inside arithmetic (`$[ x='a[$(cmd)]', x ]`:
    // array subscripts are evaluated recursively). Their code is not in the parse tree (T24).
    if (EVAL_EXPANSION.test(command)) unknownEffect(ctx, 'expansion', 'an expansion evaluates text as code at run time (${var@P}, or a quoted string inside arithmetic)');
    lineEffects(ctx);
    return withInside(summarize(ctx.effects, ctx.reasons, ctx.commands), ctx);
  } catch (e) {
    const reason = e instanceof ShellLimitError ? e.message : e instanceof Error ? e.message : String(e);
    return withInside(unknownClassification(reason, ctx.commands), ctx);
  }
}

/**
 * Parsed scripts read from files (package scripts, script files, Makefile recipes are re-judged on
 * every call): cached by their text and nesting depth. The tree is not mutated by the analysis.
 */
const PARSE_CACHE = new Map<string, Map<number, ParsedScript>>();
const PARSE_CACHE_MIN = 256;

/** Parse and run a (nested) script. Syntax errors in nested scripts become an unknown effect. */
export function runScript(src: string, ctx: Ctx, source: string): void {
  if (ctx.depth > MAX_DEPTH) throw new ShellLimitError(`nesting deeper than ${MAX_DEPTH}`);
  let parsed = src.length >= PARSE_CACHE_MIN ? PARSE_CACHE.get(src)?.get(ctx.depth) : undefined;
  try {
    if (!parsed) {
      const maxBytes = ctx.inside?.maxBytes ?? MAX_BYTES;
      parsed = parseScript(src, { maxBytes, maxDepth: MAX_DEPTH }, ctx.depth);
      if (src.length >= PARSE_CACHE_MIN && maxBytes > MAX_BYTES) {
        if (PARSE_CACHE.size >= 128) PARSE_CACHE.delete(PARSE_CACHE.keys().next().value!);
        const byDepth = PARSE_CACHE.get(src) ?? new Map<number, ParsedScript>();
        byDepth.set(ctx.depth, parsed);
        PARSE_CACHE.set(src, byDepth);
      }
    }
  } catch (e) {
    if (e instanceof ShellLimitError || ctx.depth === 0) throw e;
    unknownEffect(ctx, source, `${source} runs a script that does not parse (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  if (parsed.stmtCount > MAX_COMMANDS) throw new ShellLimitError(`more than ${MAX_COMMANDS} commands`);
  const saved = ctx.depth;
  ctx.depth++;
  try {
    // A nested shell (sh -c, trap, parallel…) is another process: its `cd` does not leak out.
    // eval runs in this shell, so its directory changes do.
    if (source === 'eval' || source === 'shell') runStmts(parsed.stmts, ctx);
    else inSubshell(ctx, () => runStmts(parsed.stmts, ctx));
  } finally {
    ctx.depth = saved;
  }
}

function runStmts(stmts: Stmt[], ctx: Ctx): void {
  for (const s of stmts) runStmt(s, ctx, { kind: 'none' });
}

/** What substitutions print, as far as it can be known (pipeInput.substOutput), from where the command runs. */
function resolver(ctx: Ctx): SubstResolver {
  const isDir = (p: string): boolean => {
    const abs = resolveFrom(ctx, p);
    return abs !== undefined && ctx.env.fs.kind(abs) === 'dir';
  };
  return { output: (stmts) => substOutput(stmts, isDir), describe: describeSubst };
}

function expand(ctx: Ctx, word: Parameters<typeof expandWord>[0]): ShWord {
  // Command and process substitutions run in a subshell.
  return expandWord(word, (n) => lookupVar(ctx, n), (stmts) => inSubshell(ctx, () => runStmts(stmts, ctx)), resolver(ctx));
}

/** An argument's words: field splitting, listed paths, brace expansion (shellWords.expandFields). */
function expandArg(ctx: Ctx, word: Parameters<typeof expandWord>[0]): ShWord[] {
  return expandFields(word, (n) => lookupVar(ctx, n), (stmts) => inSubshell(ctx, () => runStmts(stmts, ctx)), resolver(ctx), expandBraces);
}

/** bash's /dev/tcp and /dev/udp: a redirection that opens a network connection. */
const NET_DEVICE = /^\/dev\/(tcp|udp)\/([^/]+)\/(\d+)$/;

function runStmt(stmt: Stmt, ctx: Ctx, inherited: Stdin): void {
  if (stmt.bg) {
    // A background command runs in a subshell, alongside whatever follows.
    ctx.concurrent++;
    try {
      inSubshell(ctx, () => runStmt({ ...stmt, bg: false }, ctx, inherited));
    } finally {
      ctx.concurrent--;
    }
    return;
  }
  let stdin: Stdin = inherited;
  for (const r of stmt.redirs) {
    if (r.op === '<<' || r.op === '<<-') {
      stdin = { kind: 'text', text: heredocText(r.hdoc, (n) => lookupVar(ctx, n), (s) => inSubshell(ctx, () => runStmts(s, ctx)), !!r.hdocQuoted), what: 'here-document' };
      continue;
    }
    if (!r.word) continue;
    const target = expand(ctx, r.word);
    switch (r.op) {
      case '<<<':
        stdin = { kind: 'text', text: target.text + '\n', what: 'here-string', literal: target.literal };
        break;
      case '<':
        if (netRedirect(ctx, target, stmt, 'in')) {
          stdin = { kind: 'pipe' };
          break;
        }
        pathEffect(ctx, 'read', target, 'redirect');
        // `cat < "$(rev <<< vne.)"`: the command gets the content of a file whose name is unknown.
        if (nameUnknown(target, ctx)) add(ctx, { kind: 'read', reversibility: 'read', secrets: true, detail: `reads a file named by ${unknownSource(target)} on its input: it could be a secret (< ${target.text})`, target: target.text, source: 'redirect' });
        stdin = { kind: 'file', path: target.text };
        // `< <(echo .env)`: the command reads what the process substitution prints.
        if (r.word.length === 1 && r.word[0]!.t === 'proc') {
          const out = substOutput(r.word[0]!.stmts, (p) => ctx.env.fs.kind(resolveFrom(ctx, p) ?? '') === 'dir');
          if (out.kind === 'text' || (out.kind === 'pipe' && (out.paths || out.listed))) stdin = out;
        }
        break;
      case '<&':
      case '>&':
        if (/^(\d+|-)$/.test(target.text)) break;
        redirectOut(ctx, target, false, stmt);
        break;
      case '>':
      case '>|':
      case '&>':
        redirectOut(ctx, target, false, stmt);
        break;
      case '>>':
      case '&>>':
      case '<>':
        redirectOut(ctx, target, true, stmt);
        break;
      default:
        unknownEffect(ctx, 'redirect', `redirection ${r.op}`);
    }
  }
  const cmd = stmt.cmd;
  if (!cmd) return;
  switch (cmd.t) {
    case 'call': {
      const argv: ShWord[] = [];
      for (const w of cmd.args) argv.push(...expandArg(ctx, w));
      for (const a of cmd.assigns) {
        const v = a.value ? expand(ctx, a.value) : undefined;
        (ctx.assigned ??= new Set()).add(a.name);
        if (argv.length === 0) ctx.vars.set(a.name, v === undefined ? '' : v.unknownVars.length || v.subst ? undefined : v.text);
        else if (COMMAND_VARS.test(a.name)) commandVar(ctx, a.name, v, `sets ${a.name} for ${argv[0]?.text ?? 'the command'}`);
        else if (LOADER_VARS.test(a.name)) {
          execUnknown(ctx, a.name, `sets ${a.name}, which makes ${argv[0]?.text ?? 'the command'} load or run other code`);
        }
      }
      if (argv.length > 0) {
        // Prefix assignments are the program's environment: `HOME=/etc cd`, `CDPATH=/etc cd ssh`.
        const saved = cmd.assigns.map((a) => [a.name, ctx.vars.has(a.name), ctx.vars.get(a.name)] as const);
        for (const a of cmd.assigns) {
          const v = a.value ? expand(ctx, a.value) : undefined;
          ctx.vars.set(a.name, v === undefined ? '' : v.unknownVars.length || v.subst ? undefined : v.text);
          (ctx.assigned ??= new Set()).add(a.name);
        }
        try {
          runArgv(argv, ctx, stdin, runScript);
        } finally {
          for (const [n, had, v] of saved) {
            if (had) ctx.vars.set(n, v);
            else ctx.vars.delete(n);
          }
        }
      }
      return;
    }
    case 'pipe':
      // Every stage of a pipeline runs in its own subshell.
      ctx.concurrent++;
      try {
        const inputs: Stdin[] = [stdin];
        const isDir = (p: string): boolean => ctx.env.fs.kind(resolveFrom(ctx, p) ?? '') === 'dir';
        for (let i = 1; i < cmd.stages.length; i++) inputs.push(pipeOutput(cmd.stages[i - 1]!, inputs[i - 1]!, isDir));
        cmd.stages.forEach((s, i) => inSubshell(ctx, () => runStmt(s, ctx, inputs[i]!)));
      } finally {
        ctx.concurrent--;
      }
      return;
    case 'list':
      if (cmd.sub) inSubshell(ctx, () => cmd.stmts.forEach((s) => runStmt(s, ctx, stdin)));
      else for (const s of cmd.stmts) runStmt(s, ctx, stdin);
      return;
    case 'func':
      ctx.funcs.add(cmd.name);
      // The body is analysed as if the function were called: a definition is there to be used.
      ctx.funcStack.push(cmd.name);
      try {
        // A function runs in the caller's shell: remember where its body leaves the directory, so
        // each call moves the caller there (the body itself is analysed once, here).
        const start = ctx.cwd;
        inSubshell(ctx, () => {
          runStmt(cmd.body, ctx, { kind: 'none' });
          if (ctx.cwd !== start) ctx.funcCwd.set(cmd.name, ctx.cwd);
          else ctx.funcCwd.delete(cmd.name);
        });
      } finally {
        ctx.funcStack.pop();
      }
      return;
    case 'for':
      runFor(cmd, ctx, stdin);
      return;
    case 'decl': {
      const words = cmd.words.map((w) => expand(ctx, w));
      // A nameref (declare -n) makes later assignments land in another variable: stop trusting values.
      const nameref = words.some((w) => /^-[a-zA-Z]*n/.test(w.text));
      for (const a of cmd.assigns) {
        const v = a.value ? expand(ctx, a.value) : undefined;
        ctx.vars.set(a.name, nameref ? undefined : v === undefined ? lookupVar(ctx, a.name) : v.unknownVars.length || v.subst ? undefined : v.text);
        (ctx.assigned ??= new Set()).add(a.name);
      }
      // `export`, `export -p`, `declare -p`, `typeset -x` with nothing to assign print every variable (T42).
      if (cmd.assigns.length === 0 && /^(export|declare|typeset|readonly)$/.test(cmd.variant) && words.every((w) => /^-[pxgr]+$/.test(w.text))) {
        add(ctx, { kind: 'read', reversibility: 'read', detail: `${cmd.variant} ${words.map((w) => w.text).join(' ')} prints shell and environment variables (tokens included)`.replace(/ +$/, ''), source: cmd.variant, secrets: true });
      }
      if (nameref) for (const w of words) if (/^[A-Za-z_]\w*$/.test(w.text)) ctx.vars.set(w.text, undefined);
      // Exporting a loader or startup variable makes every later command of this shell (and of an
      // agent's shell that keeps its environment between calls) load or run that code.
      const exported = cmd.variant === 'export' || words.some((w) => /^-[a-zA-Z]*x/.test(w.text));
      if (exported) {
        for (const a of cmd.assigns) {
          if (COMMAND_VARS.test(a.name)) commandVar(ctx, a.name, a.value ? expand(ctx, a.value) : undefined, `exports ${a.name}`);
          else if (LOADER_VARS.test(a.name)) execUnknown(ctx, cmd.variant, `exports ${a.name}, which makes every later command of this shell load or run other code`);
        }
        for (const w of words) {
          const name = /^([A-Za-z_]\w*)$/.exec(w.text)?.[1];
          if (!name || !ctx.assigned?.has(name)) continue;
          if (COMMAND_VARS.test(name)) {
            const value = ctx.vars.get(name);
            commandVar(ctx, name, value === undefined ? undefined : lit(value), `exports ${name}`, value === undefined);
          } else if (LOADER_VARS.test(name)) execUnknown(ctx, cmd.variant, `exports ${name}, which makes every later command of this shell load or run other code`);
        }
      }
      return;
    }
  }
}

/** Environment variables that make a program load other code (a library, a startup script, options). */
const LOADER_VARS = /^(LD_PRELOAD|LD_LIBRARY_PATH|LD_AUDIT|DYLD_INSERT_LIBRARIES|DYLD_LIBRARY_PATH|BASH_ENV|ENV|PROMPT_COMMAND|NODE_OPTIONS|PYTHONSTARTUP|PERL5OPT|RUBYOPT)$/;

/**
 * Environment variables whose value is a command line that programs run through the shell: pagers
 * (`PAGER='rm -rf ~' man ls`), editors, askpass helpers, git's ssh and diff commands, less's input
 * filters. The value is judged as the command it is (`GIT_EDITOR=true`, `PAGER=cat` run; anything
 * destructive in it is judged so); a value Airlock cannot resolve is code it cannot follow.
 */
const COMMAND_VARS = /^(PAGER|MANPAGER|GIT_PAGER|SYSTEMD_PAGER|BAT_PAGER|PSQL_PAGER|AWS_PAGER|EDITOR|VISUAL|FCEDIT|GIT_EDITOR|GIT_SEQUENCE_EDITOR|SVN_EDITOR|HGEDITOR|KUBE_EDITOR|BROWSER|GIT_SSH_COMMAND|GIT_SSH|GIT_EXTERNAL_DIFF|GIT_ASKPASS|SSH_ASKPASS|SUDO_ASKPASS|GIT_PROXY_COMMAND|LESSOPEN|LESSCLOSE)$/;

function commandVar(ctx: Ctx, name: string, value: ShWord | undefined, how: string, unresolved = false): void {
  if (unresolved || (value && (value.unknownVars.length > 0 || value.subst))) {
    execUnknown(ctx, name, `${how} to a command Airlock cannot resolve; programs run it through the shell`);
    return;
  }
  // less's filters are `|cmd %s` / `||cmd %s`; the placeholder is the file name.
  const text = (value?.text ?? '').replace(/^\|{1,2}/, '').replace(/%s/g, 'FILE').trim();
  if (!text) return;
  // An interactive editor (with only its wait/window options) edits the file the program hands it.
  const words = text.split(/\s+/);
  if (EDITORS.test(words[0]!.replace(/^.*\//, '')) && words.slice(1).every((w) => EDITOR_OPTS.has(w))) {
    add(ctx, { kind: 'read', reversibility: 'read', detail: `${name}=${text}: an editor for the file the program hands it`, source: name });
    return;
  }
  runScript(text, ctx, name);
}
const EDITORS = /^(vi|vim|nvim|gvim|mvim|view|nano|pico|micro|emacs|emacsclient|ed|ex|joe|jed|mcedit|kak|hx|helix|code|code-insiders|codium|cursor|windsurf|subl|mate|gedit|kate|zed|atom|bbedit|notepad)$/;
const EDITOR_OPTS = new Set(['-w', '--wait', '-n', '--new-window', '-r', '--reuse-window', '-f', '--nofork', '-nw', '-t', '--no-window-system', '-a']);

/** Iterations judged one by one at most (items × body statements); beyond, the variable is unknown. */
const MAX_LOOP_WORK = 64;

/**
 * `for name in items; do body; done`: the body runs in this shell once per item, with the variable
 * set to it. A glob item keeps its glob (each iteration is one of its matches: `for f in .*; do cat
 * "$f"; done` reads .env when it is there). Items Airlock cannot resolve, or too many, leave the
 * variable unknown for one pass over the body.
 */
function runFor(cmd: Extract<Stmt['cmd'], { t: 'for' }>, ctx: Ctx, stdin: Stdin): void {
  const words = cmd.items ? cmd.items.flatMap((w) => expandArg(ctx, w)) : undefined;
  const known = words && words.every((w) => !w.subst && !w.unknownVars.length && !w.listed) && words.length * Math.max(1, cmd.body.length) <= MAX_LOOP_WORK;
  if (!known || !words) {
    ctx.vars.set(cmd.name, undefined);
    for (const s of cmd.body) runStmt(s, ctx, stdin);
    return;
  }
  (ctx.assigned ??= new Set()).add(cmd.name);
  for (const w of words) {
    ctx.vars.set(cmd.name, w.glob ? `${GLOB_VALUE}${w.text}` : w.text);
    for (const s of cmd.body) runStmt(s, ctx, stdin);
  }
}

/** `>& /dev/tcp/host/port`, `< /dev/tcp/…`: a network connection (with a shell on it, a reverse shell). */
function netRedirect(ctx: Ctx, target: ShWord, stmt: Stmt, dir: 'in' | 'out'): boolean {
  const m = NET_DEVICE.exec(target.text);
  if (!m) return false;
  const first = stmt.cmd?.t === 'call' && stmt.cmd.args[0] ? expand(ctx, stmt.cmd.args[0]).text.replace(/^.*\//, '') : '';
  const shell = /^(sh|bash|zsh|dash|ksh|ash|exec|python\d*|perl|ruby|php|nc|ncat|socat)$/.test(first);
  add(ctx, {
    kind: 'network',
    reversibility: 'irreversible',
    network: true,
    ...(shell ? { exec: true } : {}),
    detail: shell
      ? `connects ${first} to ${m[2]}:${m[3]} over ${m[1]!.toUpperCase()} (a reverse shell: whoever is there runs commands here)`
      : `opens a ${m[1]!.toUpperCase()} connection to ${m[2]}:${m[3]} and ${dir === 'out' ? 'sends output there' : 'reads input from it'}`,
    target: `${m[2]}:${m[3]}`,
    source: 'redirect',
  });
  return true;
}

function redirectOut(ctx: Ctx, target: ShWord, append: boolean, stmt?: Stmt): void {
  if (target.literal && NULL_SINK.test(target.text)) return;
  if (stmt && netRedirect(ctx, target, stmt, 'out')) return;
  if (target.unknownVars.length || target.subst) {
    pathEffect(ctx, append ? 'write' : 'overwrite', target, 'redirect');
    return;
  }
  const abs = target.text;
  const resolved = resolveFrom(ctx, abs);
  const kind = resolved === undefined ? undefined : ctx.env.fs.kind(resolved);
  if (kind === 'dir' || kind === 'other') {
    if (kind === 'other') add(ctx, { kind: 'write', reversibility: 'recoverable', detail: `writes to device or pipe ${abs}`, target: abs, source: 'redirect', outsideWorkspace: true });
    return;
  }
  if (kind === 'file') pathEffect(ctx, append ? 'write' : 'overwrite', target, 'redirect', append ? ' (append)' : '');
  else pathEffect(ctx, 'create', target, 'redirect');
}
