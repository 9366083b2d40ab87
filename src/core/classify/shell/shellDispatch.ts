/**
 * One command's argv → effects: resolve the program name (quotes, `\rm`, `/usr/bin/rm`), strip
 * wrappers (sudo, env, timeout, xargs…), follow nested shells and eval, then hand the program to
 * the tool tables. Unknown programs are `recoverable` without exec (see docs/shell-parser.md).
 */
import { execUnknown, lit, pathEffect, plain, resolveFrom, setCwd, unknownEffect, type Ctx } from './shellContext.js';
import { ShellLimitError } from './shellSyntax.js';
import type { ShWord } from './shellWords.js';
import { MAX_COMMANDS } from './shellContext.js';
import { runTool } from './shellTools.js';
import { CD_BUILTINS, inDirs, runCd, takeDirOptions } from './shellCwd.js';
import { expandBraces } from './shellResolve.js';
import { runInterpreter, INTERPRETERS } from './shellInterpreters.js';
import { afterTools, inspectInside } from '../inside/lookInside.js';
import { runFamilies } from './families/index.js';
import { recordProduced } from '../inside/provenance.js';
import { xargsCommand } from './pipeInput.js';
import { runLocal, shellFromStdin } from './shellLocal.js';
import type { ScriptRunner, Stdin } from './shellTypes.js';
import { WRAPPERS, programName, stripWrapper } from './shellWrappers.js';

export type { ScriptRunner, Stdin } from './shellTypes.js';
export { programName } from './shellWrappers.js';


export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh', 'busybox-sh']);

const PROJECT_TOOL_WRAPPERS = new Set(['mvnw', 'gradlew']);

export function runArgv(argv: ShWord[], ctx: Ctx, stdin: Stdin, runScript: ScriptRunner): void {
  const first = argv[0]!;
  if (first.unknownVars.length || first.subst) {
    ctx.commands.push(first.text);
    unknownEffect(ctx, first.text, `the program name comes from ${first.subst ? 'a command substitution' : 'variable $' + first.unknownVars[0]}`);
    return;
  }
  if (!first.literal && (ctx.vars.has('IFS') || ctx.env.vars.IFS !== undefined)) {
    ctx.commands.push(first.text);
    unknownEffect(ctx, first.text, `the program name is a variable split by a changed IFS (${JSON.stringify(first.text)})`);
    return;
  }
  // An unquoted expansion in command position is split into words by the shell.
  if (!first.literal && /\s/.test(first.text.trim()) && first.text.trim()) {
    const words = first.text.trim().split(/\s+/).map((t) => lit(t));
    runArgv([...words, ...argv.slice(1)], ctx, stdin, runScript);
    return;
  }
  // Brace expansion makes the command word several words: {rm,-rf,x} is `rm -rf x`.
  const braces = expandBraces(first.text);
  if (braces.length > 1) {
    runArgv([...braces.map((t) => ({ ...first, text: t, glob: false })), ...argv.slice(1)], ctx, stdin, runScript);
    return;
  }
  const alias = ctx.aliases.get(first.text);
  if (alias !== undefined) {
    ctx.aliases.delete(first.text); // an alias is not expanded inside its own expansion
    try {
      runScript([alias, ...argv.slice(1).map((a) => quote(a.text))].join(' '), ctx, 'eval');
    } finally {
      ctx.aliases.set(first.text, alias);
    }
    return;
  }
  const { name, local } = programName(first.text);
  ctx.commands.push(name);
  if (ctx.commands.length > MAX_COMMANDS) throw new ShellLimitError(`more than ${MAX_COMMANDS} commands`);
  const args = argv.slice(1);
  if (CD_BUILTINS.has(name) && !local && !ctx.funcs.has(name)) {
    runCd(name, args, ctx);
    return;
  }
  if ((name === 'alias' || name === 'hash') && !local && defineAlias(name, args, ctx)) return;
  // What this command downloads, clones or unpacks is not the project's code (inside/provenance.ts):
  // recorded before any rule runs, so a later command of the line that runs it knows its origin
  // even when a family (tar -x, an indirect write) decides this command.
  if (ctx.inside && !ctx.remote && local === undefined) recordProduced(name, args, ctx);
  // Effect families (families/*.ts): rules per family of programs, before the per-tool tables.
  if ((local !== undefined || !ctx.funcs.has(name)) && runFamilies({ name, ...(local !== undefined ? { local } : {}), args, ctx, stdin, runScript })) return;
  // Looking inside what will run (src/core/classify/inside): package scripts, make, npx…, provenance.
  if (inspectInside(name, args, ctx, (a) => runArgv(a, ctx, stdin, runScript), local)) return;
  // Build-tool wrappers checked into the project (./mvnw, ./gradlew) are the tool itself: judge the
  // verb (`./gradlew publish` publishes), not just "runs a project script".
  if (local && !PROJECT_TOOL_WRAPPERS.has(name)) {
    runLocal(local, args, ctx);
    return;
  }
  if (ctx.funcs.has(name) && ctx.funcCwd.has(name) && !ctx.funcStack.includes(name)) {
    const to = ctx.funcCwd.get(name);
    setCwd(ctx, to, `a call to function ${name}, which changes directory`);
  }
  if (ctx.funcs.has(name)) {
    // A function defined in this script: its body was analysed. One that calls itself from a pipe or
    // the background multiplies without end (`:(){ :|:& };:`).
    if (ctx.funcStack.includes(name)) {
      if (ctx.concurrent > 0) plain(ctx, name, 'process', 'irreversible', `function ${name} calls itself in a pipe or in the background: a fork bomb (processes multiply until the machine stops responding)`, { outsideWorkspace: true });
      else plain(ctx, name, 'process', 'recoverable', `function ${name} calls itself (recursion)`);
    }
    return;
  }
  const taken = takeDirOptions(name, args, ctx, WRAPPERS[name]?.withArg);
  if (taken.dirs.length) {
    inDirs(ctx, taken.dirs, () => dispatch(name, taken.args, ctx, stdin, runScript));
    return;
  }
  dispatch(name, args, ctx, stdin, runScript);
}

/** Words re-quoted for a script string. */
function quote(t: string): string {
  return /^[\w./=:@%+,-]+$/.test(t) ? t : `'${t.replace(/'/g, "'\\''")}'`;
}

/** `alias name=value`, `hash -p path name`: later uses of `name` run the replacement. */
function defineAlias(name: string, args: ShWord[], ctx: Ctx): boolean {
  if (name === 'hash') {
    const p = args.findIndex((a) => a.text === '-p');
    if (p < 0 || !args[p + 1] || !args[p + 2]) return false;
    ctx.aliases.set(args[p + 2]!.text, quote(args[p + 1]!.text));
    plain(ctx, 'hash', 'read', 'read', `hash -p makes ${args[p + 2]!.text} run ${args[p + 1]!.text}`);
    return true;
  }
  let defined = false;
  for (const a of args) {
    const m = /^([^=\s]+)=(.*)$/s.exec(a.text);
    if (!m) continue;
    if (a.unknownVars.length || a.subst) ctx.aliases.set(m[1]!, '$UNKNOWN_ALIAS_VALUE');
    else ctx.aliases.set(m[1]!, m[2]!);
    defined = true;
  }
  if (defined) plain(ctx, 'alias', 'read', 'read', 'alias definition');
  return defined;
}

/**
 * Wrappers that run the command as another user (root by default). What the command changes is
 * then not the agent's to change: a write anywhere (the workspace included, files left owned by
 * root) is a change to the machine, outside what the workspace rules cover.
 */
const AS_ANOTHER_USER = new Set(['sudo', 'doas', 'run0', 'pkexec', 'su', 'runuser']);

function dispatch(name: string, args: ShWord[], ctx: Ctx, stdin: Stdin, runScript: ScriptRunner): void {
  if (!AS_ANOTHER_USER.has(name)) return dispatchCommand(name, args, ctx, stdin, runScript);
  const from = ctx.effects.length;
  dispatchCommand(name, args, ctx, stdin, runScript);
  for (const e of ctx.effects.slice(from)) {
    if (e.kind === 'read' || e.reversibility === 'read' || e.outsideWorkspace) continue;
    e.outsideWorkspace = true;
    e.detail = `as another user (${name}): ${e.detail}`;
  }
}

function dispatchCommand(name: string, args: ShWord[], ctx: Ctx, stdin: Stdin, runScript: ScriptRunner): void {
  const wrapper = WRAPPERS[name];
  if (wrapper) {
    const { rest, read, scripts } = stripWrapper(wrapper, args);
    for (const s of scripts) runScript(s, ctx, name);
    // `builtin cd` / `command cd` reach the real cd even when a function named cd exists.
    if ((name === 'builtin' || name === 'command') && rest[0] && CD_BUILTINS.has(rest[0].text)) {
      ctx.commands.push(rest[0].text);
      runCd(rest[0].text, rest.slice(1), ctx);
      return;
    }
    if (wrapper.allScripts) {
      for (const r of rest) runScript(r.text, ctx, name);
      if (rest.length === 0 && scripts.length === 0) plain(ctx, name, 'read', 'read', `${name} without a command`);
      return;
    }
    if (wrapper.shellJoin && rest.length) {
      runScript(rest.map((a) => a.text).join(' '), ctx, name);
      if (rest.some((a) => a.unknownVars.length || a.subst)) unknownEffect(ctx, name, `${name} runs text that depends on variables or command output`);
      return;
    }
    if (read) {
      plain(ctx, name, 'read', 'read', `${name} lookup`);
      return;
    }
    if (rest.length === 0) {
      if (scripts.length === 0) {
        if (wrapper.bare === 'shell') execUnknown(ctx, name, `${name} starts an interactive shell`);
        else plain(ctx, name, 'read', 'read', `${name} without a command`);
      }
      return;
    }
    if (name === 'time') {
      const o = args.findIndex((a) => a.text === '-o' || a.text === '--output');
      if (o >= 0 && args[o + 1]) pathEffect(ctx, 'overwrite', args[o + 1]!, 'time');
    }
    runArgv(rest, ctx, stdin, runScript);
    return;
  }
  if (name === 'busybox' || name === 'toybox') {
    if (args.length) runArgv(args, ctx, stdin, runScript);
    return;
  }
  if (SHELLS.has(name)) {
    runShell(name, args, ctx, stdin, runScript);
    return;
  }
  if (name === 'eval') {
    runScript(args.map((a) => a.text).join(' '), ctx, 'eval');
    if (args.some((a) => a.unknownVars.length || a.subst)) unknownEffect(ctx, 'eval', 'eval of text that depends on variables or command output');
    return;
  }
  if (name === 'trap') {
    if (args.length >= 2 && !args[0]!.text.startsWith('-')) runScript(args[0]!.text, ctx, 'trap');
    return;
  }
  if (name === 'source' || name === '.') {
    const m = args[0] ? /^(.*?)\/?bin\/activate$/.exec(args[0].text) : null;
    if (m && args[0]!.literal) ctx.vars.set('VIRTUAL_ENV', resolveFrom(ctx, m[1] || '.'));
    if (args[0]) runLocal(args[0].text, args.slice(1), ctx, 'sources', 'sh');
    return;
  }
  if (name === 'xargs') {
    runXargs(args, ctx, stdin, runScript);
    return;
  }
  if (name === 'parallel') {
    runParallel(args, ctx, runScript);
    return;
  }
  if (INTERPRETERS.has(name) || /^(python|pypy)[0-9.]*$/.test(name)) {
    runInterpreter(name, args, ctx, stdin, runScript, (a) => runArgv(a, ctx, { kind: 'none' }, runScript));
    return;
  }
  const toolFrom = ctx.effects.length;
  runTool(name, args, ctx, stdin, runScript, (a) => runArgv(a, ctx, stdin, runScript));
  afterTools(name, ctx, toolFrom); // learned per-workspace trust (src/core/classify/inside/trustApply.ts)
}

function runShell(name: string, args: ShWord[], ctx: Ctx, stdin: Stdin, runScript: ScriptRunner): void {
  let i = 0;
  while (i < args.length) {
    const a = args[i]!.text;
    if (a === '-c' || (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a) && !a.startsWith('--'))) {
      const script = args[i + 1];
      if (!script) {
        plain(ctx, name, 'read', 'read', `${name} -c without a script does nothing`);
        return;
      }
      runScript(script.text, ctx, `${name} -c`);
      if (script.unknownVars.length || script.subst) unknownEffect(ctx, name, `${name} -c runs text that depends on variables or command output`);
      return;
    }
    if (a === '--help' || a === '--version') {
      plain(ctx, name, 'read', 'read', `${name} ${a}`);
      return;
    }
    if (a === '-o' || a === '-O' || a === '+o' || a === '+O' || a === '--rcfile' || a === '--init-file') i += 2;
    else if (a.startsWith('-') || a.startsWith('+')) i++;
    else break;
  }
  if (i < args.length) {
    runLocal(args[i]!.text, args.slice(i + 1), ctx, `${name} runs`, name);
    return;
  }
  shellFromStdin(name, ctx, stdin, runScript);
}

function runXargs(args: ShWord[], ctx: Ctx, stdin: Stdin, runScript: ScriptRunner): void {
  runArgv(xargsCommand(args, stdin, lit('echo')), ctx, { kind: 'pipe' }, runScript);
}

const PARALLEL_WITH_ARG = new Set(['-j', '--jobs', '-S', '--sshlogin', '--joblog', '--results', '--delay', '--timeout', '-a', '--arg-file', '--colsep', '-d', '--delimiter', '-I', '--tmpdir', '--workdir', '--env', '--memfree', '--load']);

/** GNU parallel: `parallel cmd ::: args`, `parallel ::: 'cmd1' 'cmd2'`, or arguments from stdin. */
function runParallel(args: ShWord[], ctx: Ctx, runScript: ScriptRunner): void {
  let i = 0;
  while (i < args.length && args[i]!.text.startsWith('-') && !args[i]!.text.startsWith(':::')) i += PARALLEL_WITH_ARG.has(args[i]!.text) ? 2 : 1;
  const sep = args.findIndex((a, j) => j >= i && /^:::+\+?$/.test(a.text));
  const cmd = args.slice(i, sep >= 0 ? sep : args.length);
  const inputs = sep >= 0 ? args.slice(sep + 1).filter((a) => !/^:::+\+?$/.test(a.text)) : [];
  const stdinArg: ShWord = { text: '$PARALLEL_INPUT', literal: false, unknownVars: ['PARALLEL_INPUT (read from stdin)'], subst: false, glob: false };
  const values = sep >= 0 ? inputs : [stdinArg];
  if (cmd.length === 0) {
    for (const v of values) {
      if (v.unknownVars.length || v.subst) unknownEffect(ctx, 'parallel', 'parallel runs commands read from stdin');
      else runScript(v.text, ctx, 'parallel');
    }
    return;
  }
  if (cmd.length === 1 && /\s/.test(cmd[0]!.text)) {
    for (const v of values) runScript(cmd[0]!.text.replace(/\{[^}]*\}/g, v.unknownVars.length ? '$PARALLEL_INPUT' : `'${v.text.replace(/'/g, "'\\''")}'`), ctx, 'parallel');
    return;
  }
  for (const v of values) {
    const hasSlot = cmd.some((w) => /\{[^}]*\}/.test(w.text));
    const argv = cmd.map((w) => (/\{[^}]*\}/.test(w.text) ? { ...v, text: w.text.replace(/\{[^}]*\}/g, v.text) } : w));
    runArgv(hasSlot ? argv : [...argv, v], ctx, { kind: 'none' }, runScript);
  }
}
