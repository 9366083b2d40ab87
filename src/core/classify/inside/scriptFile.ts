/**
 * A script run by path or through an interpreter (`./x.sh`, `bash x.sh`, `sh x`, `source x`,
 * `python x.py`, `node x.js`, `perl x.pl`, `ruby x.rb`): read the file and judge what is in it.
 * Shell is judged fully with the shell classifier; Python/Node/Perl/Ruby/PHP/Lua with the same
 * scanners as one-liners, and an import { inspectPath } from '../../paths.js';
import of code Airlock did not read makes the script `unknown`.
 * A file Airlock cannot read (missing, binary, too large, a symlink loop, not a regular file) is
 * `unknown` with the reason. Written or fetched by the agent: `exec` of unknown code (provenance).
 */
import { posix } from 'node:path';
import type { Effect } from '../../effects.js';
import { absolutize, canonicalize, inspectPath, isWithin } from '../../paths.js';
import { add, execUnknown, lit, plain, unknownEffect, type Ctx } from '../shell/shellContext.js';
import { analyzeCode, specFor, type Lang } from '../shell/shellInterpreters.js';
import { ShellLimitError } from '../shell/shellSyntax.js';
import type { ShWord } from '../shell/shellWords.js';
import { describeReadError, guarded, MAX_SCRIPT_BYTES, missingMeansFailure, noteVisit, prefixFrom, readForJudging, scoped } from './insideState.js';
import { originOf } from './provenance.js';
import { applyFileTrust } from './trustApply.js';

const SHELL_NAMES = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'busybox-sh']);

/** Folders whose executables are installed tools, judged by their name (`node_modules/.bin/tsc` is tsc). */
const TOOL_BIN_DIRS = /(^|\/)(node_modules\/\.bin|\.venv\/bin|venv\/bin|\.tox\/[^/]+\/bin|vendor\/bin)$/;

/** Standard-library modules a script may import without Airlock reading more code. */
const PY_SAFE = new Set(('os sys json re math time datetime pathlib glob shutil subprocess argparse collections itertools functools typing dataclasses enum textwrap string logging csv hashlib base64 ' +
  'random tempfile io contextlib platform __future__ copy pprint statistics decimal fractions uuid shlex fnmatch difflib operator abc types warnings traceback getpass locale struct zlib gzip').split(' '));
const NODE_SAFE = new Set(('fs fs/promises path os child_process util url crypto assert events process readline stream zlib querystring string_decoder timers buffer perf_hooks module').split(' '));

/** Modules the code imports that are not in the safe standard-library list (code Airlock did not read). */
export function unreadImports(lang: Lang, code: string): string[] {
  const out = new Set<string>();
  if (lang === 'python') {
    for (const m of code.matchAll(/^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import\b|import[ \t]+([\w., \t]+))/gm)) {
      const mods = m[1] !== undefined ? [m[1]] : m[2]!.split(',').map((x) => x.trim().split(/\s+/)[0]!);
      for (const mod of mods) if (mod && !PY_SAFE.has(mod.split('.')[0]!)) out.add(mod);
    }
  } else if (lang === 'node') {
    for (const m of code.matchAll(/\brequire\s*\(\s*(['"`])([^'"`]+)\1\s*\)|\bimport\s+(?:[\w*{}\s,$]+\s+from\s+)?(['"])([^'"]+)\3|\bimport\s*\(\s*(['"])([^'"]+)\5/g)) {
      const mod = (m[2] ?? m[4] ?? m[6] ?? '').replace(/^node:/, '');
      if (mod && !NODE_SAFE.has(mod)) out.add(mod);
    }
  } else if (lang === 'perl') {
    for (const m of code.matchAll(/^\s*(?:use|require)\s+([\w:]+)/gm)) if (!/^(strict|warnings|utf8|v?\d[\d.]*|File::(Spec|Basename|Path|Temp|Copy|Find)|Getopt::\w+|Data::Dumper|POSIX|Cwd|constant|lib)$/.test(m[1]!)) out.add(m[1]!);
  } else if (lang === 'ruby') {
    for (const m of code.matchAll(/^\s*(?:require|require_relative|load)\s*\(?\s*['"]([^'"]+)['"]/gm)) if (!/^(fileutils|json|set|optparse|pathname|tmpdir|tempfile|open3|yaml|time|date|English|shellwords|securerandom|digest)$/.test(m[1]!)) out.add(m[1]!);
  }
  return [...out];
}

/** The interpreter a file asks for in its `#!` line, or undefined (no shebang: the shell runs it). */
export function shebangOf(text: string): { prog: string; args: string[] } | undefined {
  if (!text.startsWith('#!')) return undefined;
  const line = text.slice(2, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')).trim();
  const words = line.split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;
  let prog = posix.basename(words[0]!);
  let args = words.slice(1);
  if (prog === 'env') {
    args = args.filter((a, i) => !(a.startsWith('-') || (i > 0 && /^[A-Z_]+=/.test(a))));
    prog = args[0] ?? 'env';
    args = args.slice(1);
  }
  return { prog, args };
}

function langOf(prog: string): Lang | 'shell' | undefined {
  if (SHELL_NAMES.has(prog)) return 'shell';
  if (prog === 'bun' || prog === 'nodejs' || prog === 'tsx' || prog === 'ts-node') return 'node';
  return specFor(prog)?.lang;
}

const BINARY_MAGIC = /^(\x7fELF|MZ|\xcf\xfa\xed\xfe|\xca\xfe\xba\xbe)/;

/**
 * Judge running the file at `path` with `args`. `interp` is the program named on the command line
 * (`bash x.sh` → bash, `python x.py` → python3); undefined when the file is executed directly
 * (its `#!` line decides) or sourced (`source x` passes `sh` and `sourced`).
 */
export function runScriptFile(path: string, args: ShWord[], ctx: Ctx, verb: string, interp?: string, sourced = false): void {
  const s = ctx.inside;
  const absPath = canonicalize(absolutize(path, ctx.env), ctx.env);
  const rel = ctx.env.workspaceRoots.map((r) => (isWithin(absPath, r) ? posix.relative(r, absPath) : undefined)).find((x) => x !== undefined && x !== '') ?? absPath;
  const shown = path.startsWith('/') || path.startsWith('~') ? absPath : path;
  // An installed tool run by path is that tool.
  if (!interp && s?.argv && TOOL_BIN_DIRS.test(posix.dirname(absolutize(path, ctx.env)))) {
    s.argv([lit(posix.basename(path)), ...args]);
    return;
  }
  // The script's text comes from another command (`bash <(curl …)`, `sh /dev/stdin`): nobody has read it.
  if (/^\/dev\/(fd\/\d+|stdin)$|^\/proc\/(self|\d+)\/fd\//.test(path)) {
    execUnknown(ctx, verb.split(' ')[0] ?? 'exec', `${verb} ${path}: code produced by another command (process substitution or a pipe) that nobody has read`);
    return;
  }
  if (/[$`]/.test(path)) {
    unknownEffect(ctx, verb, `${verb} ${path}: which file runs depends on variables or command output`);
    return;
  }
  const origin = originOf(ctx, absPath);
  if (origin) execUnknown(ctx, verb.split(' ')[0] ?? 'exec', `${verb} ${shown}, ${origin}: code the agent wrote or fetched is not the project's code`);
  const r = readForJudging(ctx, absPath);
  if (!r.ok) {
    if (r.error === 'missing' && origin) return; // it will be the downloaded file: the provenance says it all
    if (r.error === 'missing' && venvJustMade(ctx, absPath)) {
      plain(ctx, verb, 'read', 'read', `${verb} ${shown}: the activation script the virtual environment tool wrote earlier in this command (it sets PATH and VIRTUAL_ENV)`);
      return;
    }
    const from = ctx.effects.length;
    // Outside the workspace (a shared temp folder) anything may create the file before the command runs.
    if (r.error === 'missing' && missingMeansFailure(ctx, absPath)) plain(ctx, verb, 'read', 'read', `${verb} ${shown}: the file does not exist (the command fails, nothing runs)`);
    else if (r.error === 'missing') unknownEffect(ctx, verb, `${verb} ${shown}: the file does not exist now (${inspectPath(absPath, ctx.env).insideWorkspace ? 'an earlier command may create it' : 'outside the workspace, anything may create it before the command runs'}; Airlock cannot tell what it will contain)`);
    else unknownEffect(ctx, verb, `${verb} ${shown}: ${describeReadError(r)}, so Airlock cannot look inside it`);
    markSource(ctx, from, absPath);
    if (!origin && r.sha256 && r.error === 'binary') {
      if (!applyFileTrust(ctx, from, absPath, r.sha256, rel)) s?.trustable.add(`./${rel}`);
    }
    return;
  }
  const text = r.text;
  const shebang = shebangOf(text);
  const prog = interp ?? shebang?.prog ?? 'sh';
  const lang = BINARY_MAGIC.test(text) ? undefined : langOf(prog);
  const from = ctx.effects.length;
  const cmdFrom = ctx.commands.length;
  const where = `in ${rel}`;
  if (lang === undefined) {
    unknownEffect(ctx, verb, `${verb} ${shown}: ${BINARY_MAGIC.test(text) ? 'a compiled program' : `interpreter ${prog}`} Airlock cannot look inside`);
    if (!origin && !applyFileTrust(ctx, from, absPath, r.sha256, rel)) s?.trustable.add(`./${rel}`);
    return;
  }
  guarded(
    ctx,
    `file:${absPath}`,
    (why) => unknownEffect(ctx, verb, `${verb} ${shown}: ${why}`),
    () => {
      if (lang === 'shell') runShellText(text, args, ctx, `${verb} ${shown}`, sourced);
      else runCode(lang, text, ctx, prog, `${verb} ${shown}`);
      prefixFrom(ctx, from, where);
      markSource(ctx, from, absPath);
      noteVisit(ctx, from, cmdFrom, { what: sourced ? 'sourced script' : lang === 'shell' ? 'shell script' : `${lang} script`, path: absPath, sha256: r.sha256 });
      if (!origin && lang !== 'shell' && ctx.effects.slice(from).some((e) => e.reversibility === 'unknown' && e.kind === 'exec') && !applyFileTrust(ctx, from, absPath, r.sha256, rel)) s?.trustable.add(`./${rel}`);
    },
  );
  if (ctx.effects.length === from) plain(ctx, prog, 'read', 'read', `${verb} ${shown}: the script does nothing Airlock counts as a change`);
}

function markSource(ctx: Ctx, from: number, absPath: string): void {
  for (let i = from; i < ctx.effects.length; i++) ctx.effects[i]!.source ??= absPath;
}

/** Judge shell text read from a file: its own variable scope (unless sourced), $1… from the arguments. */
export function runShellText(text: string, args: ShWord[], ctx: Ctx, source: string, sourced = false): void {
  const s = ctx.inside!;
  const positional: Record<string, string> = {};
  args.forEach((a, i) => {
    if (a.literal && !a.unknownVars.length && !a.subst) positional[String(i + 1)] = a.text;
  });
  const cmdFrom = ctx.commands.length;
  const effFrom = ctx.effects.length;
  const saved = s.maxBytes;
  const depth = ctx.depth;
  s.maxBytes = MAX_SCRIPT_BYTES;
  try {
    scoped(ctx, { freshScope: !sourced, vars: positional }, () => {
      // A file is a new script: start counting nesting afresh under this command's depth.
      s.run(text, ctx, source);
    });
  } catch (e) {
    if (!(e instanceof ShellLimitError)) throw e;
    ctx.commands.length = cmdFrom;
    ctx.effects.length = effFrom;
    ctx.depth = depth;
    unknownEffect(ctx, source, `${source}: the script is too large or complex to judge (${e.message})`);
  } finally {
    s.maxBytes = saved;
  }
}

/** Judge interpreter code read from a file with the one-liner scanners; imports of unread code make it unknown. */
function runCode(lang: Lang, text: string, ctx: Ctx, prog: string, source: string): void {
  const s = ctx.inside!;
  const from = ctx.effects.length;
  analyzeCode(lang, lit(text), ctx, prog, s.run);
  const unread = unreadImports(lang, text);
  // The scanner's "cannot follow" on a whole file is not a known irreversible effect: it is unknown.
  let couldNot = false;
  for (let i = from; i < ctx.effects.length; i++) {
    const e = ctx.effects[i]!;
    if (e.exec && /cannot follow/.test(e.detail)) {
      couldNot = true;
      ctx.effects.splice(i--, 1);
    } else if (e.kind === 'read' && /only computes or prints/.test(e.detail)) ctx.effects.splice(i--, 1);
  }
  if (couldNot || unread.length) {
    const why = [unread.length ? `imports code Airlock did not read (${unread.slice(0, 5).join(', ')}${unread.length > 5 ? ', …' : ''})` : '', couldNot ? 'uses capabilities Airlock cannot follow (network, dynamic code, computed paths…)' : ''].filter(Boolean).join('; ');
    const e: Effect = { kind: 'exec', reversibility: 'unknown', detail: `${source}: ${why}`, source: prog };
    add(ctx, e);
  }
}

/** `<dir>/bin/activate` (or Scripts/, .fish, .csh, .ps1, .bat, .nu) of a virtual environment. */
const VENV_ACTIVATE = /^(.*)\/(?:bin|Scripts)\/activate(?:\.fish|\.csh|\.ps1|\.bat|\.nu)?$/;
/** Sources of the effects of the tools that create a virtual environment in a folder. */
const VENV_MAKERS = /(?:^|\s)(?:-m venv|-m virtualenv|virtualenv|uv venv|venv)\b/;

/**
 * The activation script of a virtual environment an earlier command of this line creates
 * (`python3 -m venv .venv && . .venv/bin/activate`): its text is the tool's own template, not code
 * the agent wrote, so sourcing it is the environment set-up it looks like.
 */
function venvJustMade(ctx: Ctx, absPath: string): boolean {
  const m = VENV_ACTIVATE.exec(absPath);
  if (!m) return false;
  return ctx.effects.some((e) => e.target === m[1] && VENV_MAKERS.test(e.source ?? '') && (e.kind === 'write' || e.kind === 'create'));
}
