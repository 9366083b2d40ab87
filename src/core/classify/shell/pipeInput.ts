/**
 * What flows through a pipe, as far as `xargs` is concerned (effect family "pipelines of path
 * listers"). `grep -rl total src | xargs sed -i …` edits files that grep listed: every line grep
 * prints is a path under `src`. When the stage before `xargs` is a program that only lists paths
 * under roots it was given (grep/rg -l, rg --files, find without -printf/-ls/-exec, git ls-files),
 * possibly through line filters that only drop or reorder lines (head, tail, sort, uniq, tac, grep
 * without -o), the arguments xargs appends are those paths: the command is judged as if it were
 * given a glob over each root (`sed -i src/*`), the same model Airlock uses for `sed -i src/*`.
 * Anything else (a transformer such as sed/awk/cut, `grep -o`, a filter reading a file operand,
 * a word Airlock cannot read literally) leaves the input unknown, as before.
 *
 * Listers that follow symbolic links while descending (`find -L`, `grep -R`, `rg -L`) are not
 * trusted: a listed path could pass through a link out of its root.
 *
 * Limits, on purpose: roots keep the text the lister prints (a relative root stays relative, so a
 * `cd` before xargs moves the targets with it); a file name containing a newline could split into
 * a path outside the root. Airlock accepts that residue for paths listed inside the workspace.
 */
import type { Stmt, Word } from './shellSyntax.js';
import type { Listed } from './listing.js';
import type { Stdin } from './shellTypes.js';
import { decodeEscapes, type ShWord } from './shellWords.js';

/** The literal text of a word, or undefined when it holds anything but plain text. */
function literal(w: Word): string | undefined {
  let out = '';
  for (const p of w) {
    if (p.t === 'lit') out += p.v;
    else if (p.t === 'sq' && !p.dollar) out += p.v;
    else if (p.t === 'dq' && p.parts.every((q) => q.t === 'lit')) out += p.parts.map((q) => (q as { v: string }).v).join('');
    else return undefined;
  }
  return /[\\$`]/.test(out) ? undefined : out;
}

/** Parse argv into the options given (each short letter of a bundle on its own) and operands. */
function parse(args: string[], withValue: Set<string>): { flags: Set<string>; ops: string[] } {
  const flags = new Set<string>();
  const ops: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      ops.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const name = a.split('=', 1)[0]!;
      flags.add(name);
      if (withValue.has(name) && !a.includes('=')) i++;
    } else if (a.startsWith('-') && a.length > 1) {
      const letters = a.slice(1);
      for (let j = 0; j < letters.length; j++) {
        flags.add('-' + letters[j]);
        if (withValue.has('-' + letters[j])) {
          if (j === letters.length - 1) i++; // the value is the next word; otherwise the rest of this one
          break;
        }
      }
    } else ops.push(a);
  }
  return { flags, ops };
}

const any = (flags: Set<string>, ...names: string[]): boolean => names.some((n) => flags.has(n));

const GREP_VALUE = new Set(['-e', '-f', '-m', '-A', '-B', '-C', '-d', '-D', '--regexp', '--file', '--max-count', '--after-context', '--before-context', '--context', '--directories', '--devices', '--include', '--exclude', '--exclude-dir', '--exclude-from', '--label', '--binary-files']);
const RG_VALUE = new Set(['-e', '-f', '-g', '-t', '-T', '-m', '-A', '-B', '-C', '-j', '-d', '-E', '-M', '--regexp', '--file', '--glob', '--iglob', '--type', '--type-not', '--max-count', '--after-context', '--before-context', '--context', '--threads', '--max-depth', '--encoding', '--max-columns', '--pre', '--pre-glob', '--sort', '--sortr', '--type-add', '--ignore-file', '--max-filesize', '--color', '--colors']);
const FIND_OUTPUT_CHANGERS = new Set(['-printf', '-fprintf', '-fprint', '-fprint0', '-fls', '-ls', '-exec', '-execdir', '-ok', '-okdir']);

/** The name part of a path pattern: `src/*.json` is `*.json` under `src`. */
function splitPattern(p: string): { dir: string; name: string } {
  const i = p.lastIndexOf('/');
  return i < 0 ? { dir: '.', name: p } : { dir: p.slice(0, i) || '/', name: p.slice(i + 1) };
}

const ANY = undefined;

/** What a lister prints: the files under its roots and their name patterns, or undefined when its output is not (only) such paths. */
export function listerListing(name: string, args: string[], isDir: (p: string) => boolean = () => true): Listed[] | undefined {
  if (name === 'grep' || name === 'egrep' || name === 'fgrep') {
    const { flags, ops } = parse(args, GREP_VALUE);
    if (!any(flags, '-l', '-L', '--files-with-matches', '--files-without-match')) return undefined;
    // -R follows symbolic links while descending: a listed path may pass through a link out of the root.
    if (any(flags, '-R', '--dereference-recursive')) return undefined;
    const files = any(flags, '-e', '-f', '--regexp', '--file') ? ops : ops.slice(1);
    const recursive = any(flags, '-r', '--recursive');
    const include = includes(args, '--include');
    return (files.length ? files : ['.']).map((f) => operand(f, recursive, include, name, isDir));
  }
  if (name === 'rg') {
    const { flags, ops } = parse(args, RG_VALUE);
    if (any(flags, '--path-separator', '--null-data', '--replace', '-r', '-L', '--follow')) return undefined;
    const list = flags.has('--files');
    if (!list && !any(flags, '-l', '--files-with-matches', '--files-without-match')) return undefined;
    const files = list || any(flags, '-e', '-f', '--regexp', '--file') ? ops : ops.slice(1);
    const globs = [...includes(args, '-g'), ...includes(args, '--glob'), ...includes(args, '--iglob')];
    // A negated glob (`!*.md`) only drops names; a glob with a folder part matches anywhere below.
    const names = globs.length && globs.every((g) => !g.startsWith('!')) ? globs.map((g) => splitPattern(g).name) : ANY;
    return (files.length ? files : ['.']).map((f) => operand(f, true, names, name, isDir));
  }
  if (name === 'find') {
    const found = findRoots(args);
    if (!found) return undefined;
    const { roots, expr } = found;
    // Name tests bound the listed names; a negation, a path or regex test, or `-o` with other
    // tests make the set wider than the names given: any name then.
    const names: string[] = [];
    let bounded = true;
    for (let j = 0; j < expr.length; j++) {
      const a = expr[j]!;
      if ((a === '-name' || a === '-iname') && expr[j + 1] !== undefined) {
        if (expr[j - 1] === '!' || expr[j - 1] === '-not') bounded = false;
        else names.push(expr[j + 1]!);
        j++;
      } else if (/^-(i?path|i?wholename|i?regex|o|or)$/.test(a)) bounded = false;
    }
    const byName = bounded && names.length ? names : ANY;
    return (roots.length ? roots : ['.']).map((r) => ({ root: r, ...(byName ? { names: byName } : {}), recursive: true, dots: true, by: 'find' }));
  }
  if (name === 'git' && args[0] === 'ls-files') {
    const { flags, ops } = parse(args.slice(1), new Set(['-x', '--exclude', '-X', '--exclude-from', '--exclude-per-directory', '--format', '--with-tree', '--abbrev']));
    if (any(flags, '--format', '-s', '--stage', '-t', '--debug', '--eol', '-u', '--unmerged', '-f', '-v', '--resolve-undo')) return undefined;
    if (ops.some((o) => o.startsWith('/') || o.split('/').includes('..'))) return undefined;
    // A pathspec is a glob over the whole path (`*` crosses folders): its folder part is a root
    // when it holds no wildcard, its last part a name pattern.
    const base = { recursive: true, dots: true, by: 'git ls-files', ...(any(flags, '-o', '--others', '-i', '--ignored') ? {} : { tracked: true }) };
    if (ops.length === 0) return [{ ...base, root: '.' }];
    return ops.map((o) => {
      if (o.startsWith(':')) return { ...base, root: '.' };
      const { dir, name: n } = splitPattern(o.replace(/\/+$/, ''));
      if (/[*?[]/.test(dir)) return { ...base, root: '.', names: [n] };
      if (!/[*?[]/.test(n) && isDir(o)) return { ...base, root: o.replace(/\/+$/, '') || '.' };
      return { ...base, root: dir, names: [n], recursive: /[*?[]/.test(n) };
    });
  }
  if (name === 'git' && args[0] === 'diff' && args.includes('--name-only') && !args.some((a) => a.startsWith('--output') || a === '--no-index')) {
    return [{ root: '.', recursive: true, dots: true, by: 'git diff --name-only', tracked: true }];
  }
  if (name === 'ls' || name === 'dir') {
    const { flags, ops } = parse(args, new Set(['-I', '--ignore', '-w', '--width', '-T', '--tabsize', '--hide', '--format', '--sort', '--time', '--time-style', '--color', '--indicator-style', '--quoting-style', '--block-size']));
    if (any(flags, '-d', '--directory')) return ops.map((o) => ({ ...splitPattern(o), o })).map(({ dir, name: n }) => ({ root: dir, names: [n], recursive: false, dots: true, by: name }));
    const dots = any(flags, '-a', '-A', '--all', '--almost-all');
    const recursive = any(flags, '-R', '--recursive');
    return (ops.length ? ops : ['.']).map((o) => {
      if (isDir(o)) return { root: o.replace(/\/+$/, '') || '/', ...(dots ? {} : { names: ['*'] }), recursive, dots: false, by: name };
      const { dir, name: n } = splitPattern(o);
      return { root: dir, names: [n], recursive: false, dots: true, by: name };
    });
  }
  return undefined;
}

/** The values of an option given as `--opt=V`, `--opt V` or `-gV`. */
function includes(args: string[], opt: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === opt && args[i + 1] !== undefined) out.push(args[++i]!);
    else if (a.startsWith(`${opt}=`)) out.push(a.slice(opt.length + 1));
    else if (opt.length === 2 && a.startsWith(opt) && a.length > 2) out.push(a.slice(2));
  }
  return out;
}

/** A grep/rg operand: a folder searched (recursively or not) or one file named. */
function operand(f: string, recursive: boolean, names: string[] | undefined, by: string, isDir: (p: string) => boolean): Listed {
  if (f === '.' || f.endsWith('/') || isDir(f)) return { root: f.replace(/\/+$/, '') || '/', ...(names && names.length ? { names } : {}), recursive, dots: true, by };
  const { dir, name } = splitPattern(f);
  return { root: dir, names: [name], recursive: false, dots: true, by };
}

/** `find`'s starting points and its expression; undefined when what it prints is not (only) paths under them. */
function findRoots(args: string[]): { roots: string[]; expr: string[] } | undefined {
  // -L (and -follow) descend through symbolic links: a listed path may lead out of its root.
  if (args.includes('-L') || args.includes('-follow')) return undefined;
  let i = 0;
  while (i < args.length && /^-(H|L|P|O\d*|D)$/.test(args[i]!)) i += args[i] === '-D' ? 2 : 1;
  const roots: string[] = [];
  while (i < args.length && !/^[-(!]/.test(args[i]!)) roots.push(args[i++]!);
  const expr = args.slice(i);
  return expr.some((a) => FIND_OUTPUT_CHANGERS.has(a)) ? undefined : { roots, expr };
}

/**
 * Roots of the paths a lister prints (xargs runs its command over each), or undefined when its output
 * is not (only) paths under roots: the roots of listerListing, every operand taken as it is given
 * (a folder or a file alike); `git ls-files` lists from the repository's top.
 */
function listerRoots(name: string, args: string[]): string[] | undefined {
  if (name === 'git' && args[0] === 'ls-files') return listerListing(name, args) && ['.'];
  if (!/^([ef]?grep|rg|find)$/.test(name)) return undefined;
  return listerListing(name, args, () => true)?.map((l) => l.root);
}


const FILTER_VALUE: Record<string, Set<string>> = {
  head: new Set(['-n', '-c', '--lines', '--bytes']),
  tail: new Set(['-n', '-c', '--lines', '--bytes', '-s', '--sleep-interval', '--pid']),
  sort: new Set(['-k', '-t', '-o', '-S', '-T', '--key', '--field-separator', '--output', '--buffer-size', '--temporary-directory', '--parallel', '--batch-size', '--compress-program', '--random-source']),
  uniq: new Set(['-f', '-s', '-w', '--skip-fields', '--skip-chars', '--check-chars']),
  tac: new Set(['-s', '--separator']),
  shuf: new Set(['-n', '--head-count', '--random-source', '-o', '--output']),
};

/** Does this stage pass its input through, dropping or reordering whole lines only? */
function lineFilter(name: string, args: string[]): boolean {
  if (name === 'grep' || name === 'egrep' || name === 'fgrep') {
    const { flags, ops } = parse(args, GREP_VALUE);
    if (any(flags, '-o', '-r', '-R', '-c', '-d', '--only-matching', '--recursive', '--dereference-recursive', '--count', '--directories', '--label')) return false;
    const pattern = any(flags, '-e', '-f', '--regexp', '--file') ? 0 : 1;
    return ops.length === pattern;
  }
  const values = FILTER_VALUE[name];
  if (!values) return false;
  const { flags, ops } = parse(args, values);
  if (name === 'sort' && flags.has('--files0-from')) return false;
  if (name === 'shuf' && any(flags, '-e', '-i', '--echo', '--input-range')) return false;
  return ops.length === 0;
}

/** `printf FORMAT ARGS…` with `%s`, `%%` and backslash escapes only (the format is reused while arguments remain). */
function printfText(format: string, args: string[]): string | undefined {
  const fmt = decodeEscapes(format.replace(/\\c/g, ''), 'echo');
  if (fmt === undefined || /%(?!%|s)/.test(fmt.replace(/%%/g, ''))) return undefined;
  const slots = (fmt.replace(/%%/g, '').match(/%s/g) ?? []).length;
  let out = '';
  let i = 0;
  do {
    out += fmt.replace(/%%|%s/g, (m) => (m === '%%' ? '%' : args[i++] ?? ''));
  } while (slots > 0 && i < args.length);
  return out;
}

/**
 * What `echo` / `printf` print when every word is plain text: the names a later `xargs`, a here-
 * string's reader or a `$(…)` gets are then known (`echo .env | xargs cat`, `cat $(printf .e%s
 * nv)` read .env). `echo -e` escapes and printf's `%s`/`%%`/backslash escapes are decoded; any
 * other printf conversion leaves the text unknown.
 */
function literalPrint(name: string, args: string[]): string | undefined {
  if (name === 'echo') {
    let i = 0;
    let newline = true;
    let escapes = false;
    while (i < args.length && /^-[neE]+$/.test(args[i]!)) {
      for (const ch of args[i]!.slice(1)) {
        if (ch === 'n') newline = false;
        else escapes = ch === 'e';
      }
      i++;
    }
    const text = args.slice(i).join(' ');
    const out = escapes ? decodeEscapes(text, 'echo') : text;
    return out === undefined ? undefined : out + (newline && !(escapes && /\\c/.test(text)) ? '\n' : '');
  }
  if (name === 'printf' && args.length > 0 && args[0] !== '-v' && args[0] !== '--') return printfText(args[0]!, args.slice(1));
  // `mktemp` / `mktemp -d` print a new name in the temp folder (one that does not exist yet).
  if (name === 'mktemp' && args.every((a) => /^-[dqu]+$/.test(a) || a === '--directory' || a === '--quiet')) return '/tmp/tmp.XXXXXXXXXX\n';
  return undefined;
}

/** The literal text a stage reads from a here-string of plain text (`cat <<< .env`), if any. */
function hereString(stmt: Stmt): Stdin | undefined {
  const r = stmt.redirs.find((x) => x.op === '<<<');
  const text = r?.word ? literal(r.word) : undefined;
  return text === undefined ? undefined : { kind: 'text', text: `${text}\n`, what: 'here-string', literal: true };
}

/**
 * The input the stage after `stmt` reads: literal text (`echo`, `printf`, a here-string passed
 * through `cat` or a line filter), the paths a lister prints under its roots (with their name
 * patterns), or a plain pipe (unknown) otherwise. `isDir` tells `ls` a folder from a file operand.
 */
export function pipeOutput(stmt: Stmt, input: Stdin, isDir?: (p: string) => boolean): Stdin {
  const cmd = stmt.cmd;
  if (!cmd || cmd.t !== 'call' || stmt.bg) return { kind: 'pipe' };
  const own = hereString(stmt);
  if (own) input = own;
  // Only stderr may be redirected (`2>/dev/null`): anything else changes what reaches the pipe.
  if (stmt.redirs.some((r) => !(r.op === '<<<' || (r.fd === '2' && (r.op === '>' || r.op === '>>' || r.op === '>&'))))) return { kind: 'pipe' };
  const words = cmd.args.map(literal);
  if (words.length === 0 || words.some((w) => w === undefined)) return { kind: 'pipe' };
  const [name, ...args] = words as string[];
  const printed = literalPrint(name!, args);
  if (printed !== undefined) return { kind: 'text', text: printed, what: name!, literal: true };
  const roots = listerRoots(name!, args);
  const listed = listerListing(name!, args, isDir);
  if (roots || listed) return { kind: 'pipe', ...(roots ? { paths: roots } : {}), ...(listed ? { listed } : {}) };
  // Literal text through cat or a line filter: what comes out is some of those lines (a superset is kept).
  if (input.kind === 'text' && input.literal && ((name === 'cat' && args.length === 0) || lineFilter(name!, args))) return input;
  if (input.kind === 'pipe' && (input.paths || input.listed) && lineFilter(name!, args)) return input;
  return { kind: 'pipe' };
}

/**
 * What a command or process substitution prints, as far as it can be known without running it
 * (`$(echo .env)`, `$(find src -name '*.json')`, `<(printf '%s\n' a b)`): the same model as the
 * input of a pipe's next stage. One statement (a command or a pipeline) is resolved; several
 * statements resolve when each prints literal text.
 */
export function substOutput(stmts: Stmt[], isDir?: (p: string) => boolean): Stdin {
  let text = '';
  for (const st of stmts) {
    const out = stmtOutput(st, isDir);
    if (stmts.length === 1) return out;
    if (out.kind !== 'text' || !out.literal) return { kind: 'pipe' };
    text += out.text;
  }
  return { kind: 'text', text, what: 'commands', literal: true };
}

function stmtOutput(st: Stmt, isDir?: (p: string) => boolean): Stdin {
  if (st.cmd?.t === 'pipe') {
    if (st.redirs.length) return { kind: 'pipe' };
    let input: Stdin = { kind: 'none' };
    for (const stage of st.cmd.stages) input = pipeOutput(stage, input, isDir);
    return input;
  }
  return pipeOutput(st, { kind: 'none' }, isDir);
}

/** The programs of a substitution, for reasons: `rev`, `echo | base64`. */
export function describeSubst(stmts: Stmt[]): string {
  const names = (st: Stmt): string[] => (st.cmd?.t === 'pipe' ? st.cmd.stages.flatMap(names) : st.cmd?.t === 'call' && st.cmd.args[0] ? [literal(st.cmd.args[0]) ?? '…'] : st.cmd ? ['…'] : []);
  const out = stmts.map((s) => names(s).join(' | ')).filter(Boolean).join('; ');
  return out.length > 60 ? `${out.slice(0, 57)}…` : out || '…';
}

const XARGS_WITH_ARG = new Set(['-I', '-i', '-d', '-E', '-e', '-L', '-l', '-n', '-P', '-s', '-a', '--replace', '--delimiter', '--eof', '--max-lines', '--max-args', '--max-procs', '--max-chars', '--arg-file', '--process-slot-var']);

const CODE_RUNNERS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh', 'busybox', 'eval', 'env', 'sudo', 'doas', 'xargs', 'python', 'python3', 'python2', 'node', 'nodejs', 'deno', 'bun', 'perl', 'ruby', 'php', 'lua', 'tclsh', 'awk', 'gawk', 'osascript', 'pwsh', 'powershell']);

const UNKNOWN_INPUT: ShWord = { text: '$XARGS_INPUT', literal: false, unknownVars: ['XARGS_INPUT (read from stdin)'], subst: false, glob: false, knownFrom: '$XARGS_INPUT'.length };

/** A glob over a listed root: what the lister's paths are, for the judge (with the listing, when known). */
export function rootGlob(root: string, listed?: Listed): ShWord {
  return { text: `${root.replace(/\/+$/, '') || '/'}/*`.replace(/^\/\/\*$/, '/*'), literal: true, unknownVars: [], subst: false, glob: true, ...(listed ? { listed } : {}) };
}

/** The command `xargs args` runs, with what it appends or substitutes from its input. */
export function xargsCommand(args: ShWord[], stdin: Stdin, echo: ShWord): ShWord[] {
  let i = 0;
  let replace: string | undefined;
  let fromFile = false;
  while (i < args.length && args[i]!.text.startsWith('-') && args[i]!.text !== '--') {
    const a = args[i]!.text;
    const [opt] = a.split('=', 1) as [string];
    if (opt === '-I') replace = args[i + 1]?.text;
    else if (opt === '--replace') replace = a.includes('=') ? a.slice(opt.length + 1) : '{}';
    else if (/^-I./.test(a)) replace = a.slice(2);
    if (a === '-i') replace = '{}';
    if (opt === '-a' || opt === '--arg-file' || /^-a./.test(a)) fromFile = true;
    i += XARGS_WITH_ARG.has(opt) && opt !== '--replace' && opt !== '-i' && !a.includes('=') && !/^-[IiLlnPsdEea]./.test(a) ? 2 : 1;
  }
  if (args[i]?.text === '--') i++;
  let cmd = args.slice(i);
  if (cmd.length === 0) cmd = [echo];
  // Listers that give only a listing (ls, git diff --name-only): its roots, with the listing.
  const only = !fromFile && stdin.kind === 'pipe' && !stdin.paths?.length && stdin.listed?.length ? stdin.listed : undefined;
  const listed = !fromFile && stdin.kind === 'pipe' && stdin.paths?.length ? stdin.paths : only?.map((l) => l.root);
  // The name patterns of the same listing, root for root, when the lister gave them.
  const names = listed && stdin.kind === 'pipe' && stdin.listed?.length === listed.length ? stdin.listed : undefined;
  // Literal text in (a here-string, `echo … |`): xargs splits it at blanks and newlines; quotes or
  // backslashes (which xargs interprets) leave it unknown.
  // Not when the command is a shell or interpreter: words arriving on stdin become its code or its
  // script's arguments (`echo 'rm -rf /' | xargs bash -c`), which stays code nobody has read.
  const runsCode = cmd.length > 0 && CODE_RUNNERS.has((cmd[0]!.text.split('/').pop() ?? '').toLowerCase());
  const given = !fromFile && !runsCode && stdin.kind === 'text' && stdin.literal && !/["'\\]/.test(stdin.text) ? stdin.text.split(/\s+/).filter(Boolean) : undefined;
  const word = (text: string): ShWord => ({ text, literal: true, unknownVars: [], subst: false, glob: false });
  if (given && replace === undefined) return [...cmd, ...given.map(word)];
  if (given && replace !== undefined && given.length === 1) {
    const r = replace;
    return cmd.map((w) => (w.text.includes(r) && w.literal ? { ...w, text: w.text.split(r).join(given[0]!) } : w.text.includes(r) ? { ...w, text: w.text.split(r).join('$XARGS_INPUT'), literal: false, unknownVars: [...w.unknownVars, 'XARGS_INPUT (read from stdin)'] } : w));
  }
  if (replace !== undefined) {
    const r = replace;
    const by = listed?.length === 1 ? rootGlob(listed[0]!, names?.[0]) : undefined;
    return cmd.map((w) => {
      if (!w.text.includes(r)) return w;
      if (by && w.literal) return { ...w, text: w.text.split(r).join(by.text), glob: true, ...(by.listed && w.text === r ? { listed: by.listed } : {}) };
      return { ...w, text: w.text.split(r).join('$XARGS_INPUT'), literal: false, unknownVars: [...w.unknownVars, 'XARGS_INPUT (read from stdin)'] };
    });
  }
  return [...cmd, ...(listed ? listed.map((root, k) => rootGlob(root, names?.[k])) : [UNKNOWN_INPUT])];
}
