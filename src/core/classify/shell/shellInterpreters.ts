/**
 * Interpreter one-liners and here-documents (`python -c`, `node -e`, `perl -e`, `ruby -e`,
 * `php -r`, `awk 'BEGIN{system(…)}'`, `python3 <<EOF`): the code is scanned for the calls that
 * delete, write, or run other programs. A literal path or command string is classified like the
 * shell equivalent; anything else that could act on the machine makes the snippet `exec` of code
 * the classifier cannot follow. Scripts run by path are `exec`/recoverable (content unread).
 */
import { absolutize, inspectPath } from '../../paths.js';
import { execUnknown, lit, network, pathEffect, plain, projectExec, unknownEffect, type Ctx } from './shellContext.js';
import { DEV_TOOLS, PYTHON_MODULES } from './devTools.js';
import { libraryCommand, servesOutside } from './libraryCommands.js';
import { runLocal, shellFromStdin } from './shellLocal.js';
import type { ArgvRunner, ScriptRunner, Stdin } from './shellTypes.js';
import type { ShWord } from './shellWords.js';

export type Lang = 'python' | 'node' | 'perl' | 'ruby' | 'php' | 'awk' | 'lua' | 'deno';

export interface LangSpec {
  lang: Lang;
  /** Flags whose next word is inline code. */
  codeFlags: string[];
  /** Flags that take a value (skipped). */
  withArg: string[];
}
const SPECS: Record<string, LangSpec> = {
  python: { lang: 'python', codeFlags: ['-c'], withArg: ['-W', '-X', '--check-hash-based-pycs'] },
  node: { lang: 'node', codeFlags: ['-e', '--eval', '-p', '--print'], withArg: ['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--env-file'] },
  bun: { lang: 'node', codeFlags: ['-e', '--eval', '-p', '--print'], withArg: [] },
  deno: { lang: 'deno', codeFlags: [], withArg: [] },
  perl: { lang: 'perl', codeFlags: ['-e', '-E'], withArg: ['-I', '-M', '-m', '-x'] },
  ruby: { lang: 'ruby', codeFlags: ['-e'], withArg: ['-I', '-r', '-C', '-E'] },
  php: { lang: 'php', codeFlags: ['-r'], withArg: ['-c', '-d', '-z'] },
  awk: { lang: 'awk', codeFlags: [], withArg: ['-f', '-v', '-F', '--assign', '--field-separator', '-i', '--include'] },
  lua: { lang: 'lua', codeFlags: ['-e'], withArg: ['-l'] },
};
const ALIASES: Record<string, string> = { nodejs: 'node', gawk: 'awk', mawk: 'awk', nawk: 'awk', busybox_awk: 'awk', luajit: 'lua', php8: 'php' };
export const INTERPRETERS = new Set([...Object.keys(SPECS), ...Object.keys(ALIASES)]);

export function specFor(name: string): LangSpec | undefined {
  if (/^(python|pypy)[0-9.]*$/.test(name)) return SPECS.python;
  return SPECS[ALIASES[name] ?? name];
}

export function runInterpreter(name: string, args: ShWord[], ctx: Ctx, stdin: Stdin, runScript: ScriptRunner, run?: ArgvRunner): void {
  const spec = specFor(name);
  if (!spec) return;
  if (args.length === 1 && /^(--version|-V|--help|-h|-v)$/.test(args[0]!.text)) {
    plain(ctx, name, 'read', 'read', `${name} ${args[0]!.text}`);
    return;
  }
  if (libraryCommand(name, spec.lang, args, ctx, run)) return;
  if (spec.lang === 'deno') {
    const v = args[0]?.text ?? '';
    if (v === 'eval' && args[1]) analyzeCode('node', args[1], ctx, name, runScript);
    else if (v === 'run' && args[1]) runLocal(args.slice(1).find((a) => !a.text.startsWith('-'))?.text ?? '', [], ctx, 'deno runs');
    else if (v === 'test' || v === 'bench' || v === 'task') projectExec(ctx, `deno ${v}`, `deno ${v}: runs the project's ${v === 'task' ? 'tasks' : 'tests'}`);
    else if (v === 'fmt') pathEffect(ctx, args.some((a) => a.text === '--check') ? 'read' : 'write', lit('.'), 'deno fmt', ': rewrites source files in place');
    else if (/^(lint|check|info|doc|types|--version|-V|help|--help)$/.test(v)) plain(ctx, `deno ${v}`, 'read', 'read', `deno ${v}: checks or prints`);
    else if (v === 'compile' || v === 'bundle' || v === 'cache' || v === 'install' || v === 'add') pathEffect(ctx, 'write', lit('.'), `deno ${v}`, `: deno ${v} writes outputs or the cache`);
    else unknownEffect(ctx, `deno ${v}`.trim(), `deno ${v}: a subcommand Airlock does not know`.replace('deno : a', 'deno without a subcommand: a'));
    return;
  }
  if (spec.lang === 'node' && (name === 'node' || name === 'nodejs')) {
    // Node's own runners: `node --test` runs the project's test files, `node --run x` a package.json script.
    const tIdx = args.findIndex((a) => a.text === '--test' || a.text === '--run' || a.text.startsWith('--run='));
    if (tIdx >= 0 && !args.some((a) => spec.codeFlags.includes(a.text))) {
      projectExec(ctx, `node ${args[tIdx]!.text.split('=')[0]}`, `node ${args[tIdx]!.text}: runs the project's ${args[tIdx]!.text === '--test' ? 'test files' : 'package script'}`);
      return;
    }
    if (args.length > 0 && args.every((a) => /^(--check|-c|--version|-v|--help|-h|--v8-options)$/.test(a.text))) {
      plain(ctx, name, 'read', 'read', `${name} ${args.map((a) => a.text).join(' ')}`);
      return;
    }
  }
  let perlInPlace = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.text;
    if (a === '--') {
      if (args[i + 1]) runLocal(args[i + 1]!.text, args.slice(i + 2), ctx, `${name} runs`, name);
      return;
    }
    if (spec.lang === 'awk') {
      if (spec.withArg.includes(a)) {
        if (a === '-f' && args[i + 1]) runLocal(args[i + 1]!.text, [], ctx, 'awk runs', 'awk');
        i++;
        continue;
      }
      if (a.startsWith('-')) continue;
      analyzeCode('awk', args[i]!, ctx, name, runScript);
      for (const f of args.slice(i + 1)) if (!f.text.includes('=')) pathEffect(ctx, 'read', f, name);
      return;
    }
    if (spec.lang === 'python' && (a === '-m' || /^-m./.test(a))) {
      const mod = a === '-m' ? args[i + 1]?.text ?? '' : a.slice(2);
      const rest = args.slice(a === '-m' ? i + 2 : i + 1);
      runPythonModule(name, mod, rest, ctx, run);
      return;
    }
    const codeFlag = spec.codeFlags.find((f) => a === f || (f.length === 2 && a.startsWith('-') && !a.startsWith('--') && a.endsWith(f[1]!) && spec.lang !== 'node'));
    if (codeFlag) {
      if (spec.lang === 'perl' && /^-[a-zA-Z]*i/.test(a)) perlInPlace = true;
      const code = args[i + 1];
      if (!code) return;
      analyzeCode(spec.lang, code, ctx, name, runScript);
      if (perlInPlace) for (const f of args.slice(i + 2)) pathEffect(ctx, 'write', f, name, ' (in-place edit)');
      return;
    }
    if (spec.lang === 'perl' && /^-[a-zA-Z]*i/.test(a)) perlInPlace = true;
    if (spec.withArg.includes(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    runLocal(a, args.slice(i + 1), ctx, `${name} runs`, name);
    return;
  }
  if (stdin.kind === 'text') {
    analyzeCode(spec.lang, lit(stdin.text), ctx, name, runScript);
    return;
  }
  shellFromStdin(name, ctx, stdin, undefined);
}

/** `python -m X`: a known tool module has that tool's class; an unknown module is unknown. */
function runPythonModule(name: string, mod: string, rest: ShWord[], ctx: Ctx, hook: ArgvRunner | undefined): void {
  const source = `${name} -m ${mod}`;
  if (mod === 'pip' || mod === 'twine' || mod === 'pipx') {
    if (hook) hook([lit(mod === 'pipx' ? 'pipx' : mod), ...rest]);
    else plain(ctx, source, 'write', 'recoverable', `${source}: installs packages`);
    return;
  }
  if (mod === 'http.server' || mod === 'SimpleHTTPServer') {
    // A static file server: every file under the folder it serves can be read by whoever reaches the
    // port (all interfaces unless --bind says otherwise). The workspace is the ordinary preview;
    // any other folder (the home folder, /) is data exposed to the network.
    const t = rest.map((w) => w.text);
    const at = t.findIndex((a) => a === '-d' || a === '--directory');
    const eq = t.find((a) => a.startsWith('--directory='));
    const dir = eq ? eq.slice(12) : at >= 0 ? t[at + 1] : undefined;
    if (servesOutside(ctx, source, dir)) return;
  }
  const cls = PYTHON_MODULES[mod];
  const tool = DEV_TOOLS[mod];
  if (tool && hook) {
    hook([lit(mod), ...rest]);
    return;
  }
  if (cls === 'read') plain(ctx, source, 'read', 'read', `${source}: prints or inspects`);
  else if (cls === 'check') plain(ctx, source, 'read', 'read', `${source}: checks the project`);
  else if (cls === 'test' || cls === 'run') projectExec(ctx, source, `${source}: runs the project's ${cls === 'test' ? 'tests' : 'code'}`);
  else if (cls === 'serve') projectExec(ctx, source, `${source}: starts a server`);
  else if (cls === 'build' || cls === 'format') pathEffect(ctx, 'write', lit(mod === 'venv' || mod === 'virtualenv' ? rest.find((a) => !a.text.startsWith('-'))?.text ?? '.' : '.'), source, `: ${mod} writes files`);
  else if (cls === 'install') plain(ctx, source, 'write', 'recoverable', `${source}: installs packages`);
  else if (cls === 'publish') plain(ctx, source, 'network', 'irreversible', `${source}: publishes`, { network: true });
  else unknownEffect(ctx, source, `${source}: module ${mod || '(none)'} is not in Airlock's tables, so what it does cannot be established`);
}

/** Calls that run a shell command given as their first string argument. */
const SHELL_CALLS: Record<Lang, RegExp> = {
  python: /\b(?:os\.system|os\.popen|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|commands\.getoutput|pty\.spawn|os\.exec\w*|os\.spawn\w*)\s*\(/g,
  node: /\b(?:execSync|exec|execFileSync|execFile|spawnSync|spawn|fork)\s*\(/g,
  deno: /\bDeno\.(?:run|Command)\s*\(/g,
  perl: /\b(?:system|exec|qx)\s*[({]?|`/g,
  ruby: /\b(?:system|exec|spawn|IO\.popen|Open3\.\w+)\s*\(?|`|%x[({[]/g,
  php: /\b(?:system|exec|shell_exec|passthru|popen|proc_open)\s*\(|`/g,
  awk: /\bsystem\s*\(|\|\s*getline|print[^;}]*\|\s*"/g,
  lua: /\bos\.execute\s*\(|\bio\.popen\s*\(/g,
};
/** Calls that delete the path given as their first argument. */
const DELETE_CALLS: Record<Lang, RegExp> = {
  python: /\b(?:shutil\.rmtree|os\.remove|os\.unlink|os\.rmdir|os\.removedirs|rmtree|send2trash)\s*\(|\bPath\s*\(([^)]*)\)\s*\.\s*(?:unlink|rmdir)\s*\(/g,
  node: /\b(?:rmSync|rmdirSync|unlinkSync|rm|rmdir|unlink|remove|removeSync|emptyDirSync|rimraf(?:\.sync)?)\s*\(/g,
  deno: /\bDeno\.(?:remove|removeSync)\s*\(/g,
  perl: /\b(?:unlink|rmtree|remove_tree|rmdir)\b\s*\(?/g,
  ruby: /\b(?:FileUtils\.(?:rm_rf|rm_r|rm_f|rm|remove_dir|remove_entry\w*|remove)|File\.(?:delete|unlink)|Dir\.(?:rmdir|delete|unlink))\s*\(?/g,
  php: /\b(?:unlink|rmdir)\s*\(/g,
  awk: /(?!)/g,
  lua: /\bos\.remove\s*\(/g,
};
/** Calls that write the path given as their first argument. */
const WRITE_CALLS: Record<Lang, RegExp> = {
  python: /\bopen\s*\((?=[^)]*['"][wax+]b?['"])|\.write_(?:text|bytes)\s*\(|\bshutil\.(?:move|copy\w*)\s*\(|\bos\.(?:rename|replace|chmod|chown|truncate)\s*\(/g,
  node: /\b(?:writeFileSync|writeFile|appendFileSync|appendFile|renameSync|rename|copyFileSync|copyFile|truncateSync|chmodSync|createWriteStream|cpSync)\s*\(/g,
  deno: /\bDeno\.(?:writeTextFile|writeFile|rename)\w*\s*\(/g,
  perl: /\bopen\s*\(?\s*\w+\s*,\s*['"][>+]|\brename\s*\(/g,
  ruby: /\bFile\.(?:write|open\s*\([^)]*['"][wa])|FileUtils\.(?:mv|cp\w*|touch)/g,
  php: /\b(?:file_put_contents|fopen\s*\([^)]*['"][wax]|rename|copy)\s*\(/g,
  awk: /print[^;}]*>\s*"/g,
  lua: /\bio\.open\s*\([^)]*['"][wa]|\bos\.rename\s*\(/g,
};
/** Anything else that can act on the machine: the snippet is then exec of unknown code. */
const OTHER_RISK: Record<Lang, RegExp> = {
  python: /\b(?:eval|exec|compile|__import__|importlib|getattr|setattr|ctypes|socket|urllib|requests|httpx|http\.client|ftplib|smtplib|paramiko|boto3|pickle|marshal|os\.(?!path\b|getcwd\b|environ\b|getenv\b|sep\b|name\b|listdir\b|walk\b|stat\b|cpu_count\b|getpid\b|linesep\b|scandir\b)\w+|shutil\.\w+|sqlite3|psycopg\w*|pymysql|signal|multiprocessing|threading|asyncio\.create_subprocess\w*)\b/,
  node: /\b(?:eval|Function|require\s*\(\s*(?!['"](?:path|util|os|url|crypto|assert|querystring|string_decoder|events)['"])|import\s*\(|child_process|process\.(?:kill|binding|dlopen|exit)|fetch|XMLHttpRequest|WebSocket|net|http|https|dgram|vm|worker_threads)\b/,
  deno: /\bDeno\.\w+|fetch|eval|Function\b/,
  perl: /\b(?:eval|do|require|open|socket|IO::Socket|LWP|HTTP::Tiny|kill|chmod|chown|symlink|link|syscall|fork)\b/,
  ruby: /\b(?:eval|instance_eval|class_eval|send|public_send|require|load|open|Net::HTTP|Socket|File|Dir|FileUtils|IO|Kernel|Process|fork|syscall)\b/,
  php: /\b(?:eval|assert|include|require|include_once|require_once|fopen|fsockopen|curl_\w+|file_get_contents|create_function|call_user_func\w*|chmod|chown|symlink|mail|preg_replace)\b|\$\w+\s*\(/,
  awk: /\bgetline\b|\|/,
  lua: /\b(?:loadstring|load|dofile|require|io\.\w+|os\.\w+)\b/,
};

/** First string literal starting at `from` (the call's argument), or undefined if it is not one. */
/** Calls whose first argument is the source and second the destination. */
const TWO_PATH_CALL = /\b(?:shutil\.(?:move|copy\w*)|os\.(?:rename|replace)|renameSync|rename|copyFileSync|copyFile|cpSync|FileUtils\.(?:mv|cp\w*)|copy|Deno\.rename)\b/;

/** `('src', 'dest'` at `from`: both literal, or undefined. */
function secondLiteral(code: string, from: number): { src: string; dest: string } | undefined {
  const m = /^\s*\(?\s*(?:f|r|b|u)?(['"])((?:\\.|(?!\1)[^\\])*)\1\s*,\s*(?:f|r|b|u)?(['"])((?:\\.|(?!\3)[^\\])*)\3/.exec(code.slice(from));
  if (!m || /\$[{\w]|#\{/.test(`${m[2]}${m[4]}`)) return undefined;
  return { src: m[2]!, dest: m[4]! };
}

/**
 * String literals in inline code that name a file holding secrets (`open('.env')`,
 * `readFileSync('~/.aws/credentials')`): the code reads secrets, whatever call it uses.
 */
export function secretLiterals(code: string, ctx: Ctx, name: string): void {
  const seen = new Set<string>();
  for (const m of code.matchAll(/(['"`])((?:\\.|(?!\1)[^\\\n]){1,300})\1/g)) {
    const t = m[2]!;
    if (seen.has(t) || !/^[~./\w][^\s]*$/.test(t) || /\$\{|#\{/.test(t)) continue;
    seen.add(t);
    const info = inspectPath(t, ctx.env);
    if (info.secrets) plain(ctx, name, 'read', 'read', `${name} inline code names ${info.abs} (secrets: ${info.secrets})`, { target: info.abs, secrets: true, ...(info.insideWorkspace ? {} : { outsideWorkspace: true }) });
  }
}

function literalArg(code: string, from: number): { text: string; list: boolean } | undefined {
  const rest = code.slice(from).trimStart();
  const list = rest.startsWith('[') || rest.startsWith('qw') || rest.startsWith('%w');
  const body = list ? rest.slice(rest.indexOf(list && rest.startsWith('[') ? '[' : rest[2]!) + 1) : rest;
  const m = /^\s*(?:f|r|b|u)?(['"`])((?:\\.|(?!\1)[^\\])*)\1/.exec(body);
  if (!m) return undefined;
  if (m[1] === '`' && m[2]!.includes('${')) return undefined;
  if (m[1] === '"' && /\$[{\w]|#\{/.test(m[2]!)) return undefined;
  if (!list) return { text: m[2]!, list };
  const items = [...body.slice(0, body.search(/[\])]/) + 1 || body.length).matchAll(/(['"])((?:\\.|(?!\1)[^\\])*)\1/g)].map((x) => x[2]!);
  return { text: items.map((s) => (/^[\w./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`)).join(' '), list };
}

/** Calls that open a file for reading, per language (their first argument is the path). */
const READ_CALLS: Partial<Record<Lang, RegExp>> = {
  python: /\b(?:open|io\.open|codecs\.open|Path)\s*\(/g,
  node: /\b(?:readFileSync|readFile|createReadStream|openSync|Deno\.readTextFile(?:Sync)?|Bun\.file)\s*\(/g,
  perl: /\bopen\s*\(?\s*(?:my\s+)?\$?\w+\s*,\s*(?:['"]<['"]\s*,\s*)?/g,
  ruby: /\b(?:File\.(?:read|open|readlines|foreach)|IO\.read)\s*\(?/g,
  php: /\b(?:file_get_contents|fopen|file|readfile)\s*\(/g,
};

/**
 * A file opened by a name the code computes at run time (`open('.e'+'nv')`, `open(sys.argv[1])`
 * is judged with the arguments): it could be a secret (T42). A literal name is judged by
 * secretLiterals.
 */
function computedReads(lang: Lang, code: string, ctx: Ctx, name: string): void {
  const re = READ_CALLS[lang];
  if (!re) return;
  for (const m of code.matchAll(re)) {
    const rest = code.slice(m.index! + m[0].length);
    if (/^\s*(?:sys\.argv|process\.argv|ARGV|\$ARGV|\$argv|Deno\.args)/.test(rest)) continue;
    if (/^\s*\)/.test(rest) && /Path/.test(m[0])) continue;
    const arg = literalArg(code, m.index! + m[0].length);
    if (arg && /^\s*(?:f|r|b|u)?(['"`])(?:\\.|(?!\1)[^\\])*\1\s*[,)]/.test(rest)) continue;
    plain(ctx, name, 'read', 'read', `${name} inline code opens a file whose name it computes at run time (${m[0].replace(/[\s(]+$/, '')}${rest.slice(0, 30).split(/[)\n]/)[0]}): it could be a secret`, { secrets: true });
    return;
  }
}

export function analyzeCode(lang: Lang, word: ShWord, ctx: Ctx, name: string, runScript: ScriptRunner): void {
  if (word.unknownVars.length || word.subst) {
    execUnknown(ctx, name, `${name} runs inline code that depends on variables or command output`);
    return;
  }
  let code = word.text;
  let found = false;
  let unknown = false;
  secretLiterals(code, ctx, name);
  computedReads(lang, code, ctx, name);
  for (const m of code.matchAll(SHELL_CALLS[lang])) {
    found = true;
    const tok = m[0];
    if (tok === '`' || tok.startsWith('%x') || (lang === 'perl' && tok.startsWith('qx'))) {
      const open = tok === '`' ? '`' : tok.slice(-1);
      const close = ({ '(': ')', '{': '}', '[': ']' } as Record<string, string>)[open] ?? open;
      const start = m.index! + tok.length;
      const end = code.indexOf(close, start);
      const inner = end < 0 ? undefined : code.slice(start, end);
      if (inner === undefined || /\$\{|#\{/.test(inner)) unknown = true;
      else runScript(inner, ctx, `${name} backticks`);
      continue;
    }
    if (lang === 'awk' && !tok.startsWith('system')) {
      unknown = true;
      continue;
    }
    const arg = literalArg(code, m.index! + tok.length);
    if (arg) runScript(arg.text, ctx, `${name} ${tok.replace(/[\s(]+$/, '')}`);
    else unknown = true;
  }
  for (const m of code.matchAll(DELETE_CALLS[lang])) {
    found = true;
    const arg = m[1] !== undefined ? literalArg(m[1], 0) : literalArg(code, m.index! + m[0].length);
    const globArg = arg ? undefined : /^\s*glob\s*\(?\s*(['"])([^'"]*)\1/.exec(code.slice(m.index! + m[0].length));
    if (arg) pathEffect(ctx, 'delete', lit(arg.text), name, ` (${m[0].replace(/[\s(]+$/, '')})`);
    else if (globArg) pathEffect(ctx, 'delete', { ...lit(globArg[2]!), glob: true }, name);
    else pathEffect(ctx, 'delete', { text: '<computed path>', literal: false, unknownVars: ['path computed by the script'], subst: false, glob: false }, name);
  }
  for (const m of code.matchAll(WRITE_CALLS[lang])) {
    found = true;
    const arg = literalArg(code, m.index! + m[0].length);
    // copy/move/rename(SRC, DEST): the file written is the second path.
    const two = TWO_PATH_CALL.test(m[0]) ? secondLiteral(code, m.index! + m[0].length) : undefined;
    if (two) {
      pathEffect(ctx, 'read', lit(two.src), name);
      const k = ctx.env.fs.kind(absolutize(two.dest, ctx.env));
      pathEffect(ctx, k === 'file' ? 'overwrite' : 'create', lit(two.dest), name);
    } else if (arg) {
      // Relative to the command's working directory (not the judge's own).
      const k = ctx.env.fs.kind(absolutize(arg.text, ctx.env));
      pathEffect(ctx, k === 'file' ? 'overwrite' : 'create', lit(arg.text), name);
    } else pathEffect(ctx, 'write', { text: '<computed path>', literal: false, unknownVars: ['path computed by the script'], subst: false, glob: false }, name);
  }
  // Remove the calls already understood before looking for other risky capabilities.
  code = code.replace(SHELL_CALLS[lang], ' ').replace(DELETE_CALLS[lang], ' ').replace(WRITE_CALLS[lang], ' ');
  if (lang === 'python') code = code.replace(/\bimport\s+(?:os|shutil|subprocess|sys|json|re|math|time|datetime|pathlib|glob)\b(?:\s*,\s*\w+)*/g, ' ').replace(/\bfrom\s+\w+\s+import\s+[\w, ]+/g, (s) => (/\b(os|shutil|subprocess|pathlib|json|sys|re|math)\b/.test(s) ? ' ' : s));
  if (lang === 'node') code = code.replace(/require\s*\(\s*['"](?:node:)?(?:fs|fs\/promises|child_process)['"]\s*\)/g, ' ');
  const destructiveMethod = /\b(?:delete|destroy|drop|remove|purge|clear|flush|truncate|wipe|erase)\w*\s*\(/i.test(code);
  if (unknown || destructiveMethod || OTHER_RISK[lang].test(code)) {
    execUnknown(ctx, name, `${name} runs inline code the classifier cannot follow`);
    return;
  }
  if (!found) plain(ctx, name, 'read', 'read', `${name} inline code that only computes or prints`);
}
