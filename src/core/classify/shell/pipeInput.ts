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
import type { Stdin } from './shellTypes.js';
import type { ShWord } from './shellWords.js';

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

/** Roots of the paths a lister prints, or undefined when its output is not (only) paths under roots. */
function listerRoots(name: string, args: string[]): string[] | undefined {
  if (name === 'grep' || name === 'egrep' || name === 'fgrep') {
    const { flags, ops } = parse(args, GREP_VALUE);
    if (!any(flags, '-l', '-L', '--files-with-matches', '--files-without-match')) return undefined;
    // -R follows symbolic links while descending: a listed path may pass through a link out of the root.
    if (any(flags, '-R', '--dereference-recursive')) return undefined;
    const files = any(flags, '-e', '-f', '--regexp', '--file') ? ops : ops.slice(1);
    return files.length ? files : ['.'];
  }
  if (name === 'rg') {
    const { flags, ops } = parse(args, RG_VALUE);
    if (any(flags, '--path-separator', '--null-data', '--replace', '-r', '-L', '--follow')) return undefined;
    const list = flags.has('--files');
    if (!list && !any(flags, '-l', '--files-with-matches', '--files-without-match')) return undefined;
    const files = list || any(flags, '-e', '-f', '--regexp', '--file') ? ops : ops.slice(1);
    return files.length ? files : ['.'];
  }
  if (name === 'find') {
    let i = 0;
    // -L (and -follow) descend through symbolic links: a listed path may lead out of its root.
    if (args.includes('-L') || args.includes('-follow')) return undefined;
    while (i < args.length && /^-(H|L|P|O\d*|D)$/.test(args[i]!)) i += args[i] === '-D' ? 2 : 1;
    const roots: string[] = [];
    while (i < args.length && !/^[-(!]/.test(args[i]!)) roots.push(args[i++]!);
    if (args.slice(i).some((a) => FIND_OUTPUT_CHANGERS.has(a))) return undefined;
    return roots.length ? roots : ['.'];
  }
  if (name === 'git' && args[0] === 'ls-files') {
    const { flags, ops } = parse(args.slice(1), new Set(['-x', '--exclude', '-X', '--exclude-from', '--exclude-per-directory', '--format', '--with-tree', '--abbrev']));
    if (any(flags, '--format', '-s', '--stage', '-t', '--debug', '--eol', '-u', '--unmerged', '-f', '-v', '--resolve-undo')) return undefined;
    if (ops.some((o) => o.startsWith('/') || o.split('/').includes('..'))) return undefined;
    return ['.'];
  }
  return undefined;
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

/**
 * What `echo` / `printf '%s\n'` print when every word is plain text: the names a later `xargs` (or
 * a here-string's reader) gets are then known (`echo .env | xargs cat` reads .env). Escapes
 * (`echo -e`, any other printf format) make the text unknown.
 */
function literalPrint(name: string, args: string[]): string | undefined {
  if (name === 'echo') {
    let i = 0;
    let newline = true;
    while (i < args.length && /^-[neE]+$/.test(args[i]!)) {
      if (args[i]!.includes('e')) return undefined;
      if (args[i]!.includes('n')) newline = false;
      i++;
    }
    return args.slice(i).join(' ') + (newline ? '\n' : '');
  }
  if (name === 'printf' && (args[0] === '%s\n' || args[0] === '%s ')) {
    return args.slice(1).map((a) => `${a}\n`).join('');
  }
  return undefined;
}

/**
 * The input the stage after `stmt` reads: the roots of the paths it lists, when `stmt` is a path
 * lister or a line filter over such input; a plain pipe otherwise.
 */
export function pipeOutput(stmt: Stmt, input: Stdin): Stdin {
  const cmd = stmt.cmd;
  if (!cmd || cmd.t !== 'call' || stmt.bg) return { kind: 'pipe' };
  // Only stderr may be redirected (`2>/dev/null`): anything else changes what reaches the pipe.
  if (stmt.redirs.some((r) => !(r.fd === '2' && (r.op === '>' || r.op === '>>' || r.op === '>&')))) return { kind: 'pipe' };
  const words = cmd.args.map(literal);
  if (words.length === 0 || words.some((w) => w === undefined)) return { kind: 'pipe' };
  const [name, ...args] = words as string[];
  const printed = literalPrint(name!, args);
  if (printed !== undefined) return { kind: 'text', text: printed, what: name!, literal: true };
  const roots = listerRoots(name!, args);
  if (roots) return { kind: 'pipe', paths: roots };
  if (input.kind === 'pipe' && input.paths && lineFilter(name!, args)) return input;
  return { kind: 'pipe' };
}

const XARGS_WITH_ARG = new Set(['-I', '-i', '-d', '-E', '-e', '-L', '-l', '-n', '-P', '-s', '-a', '--replace', '--delimiter', '--eof', '--max-lines', '--max-args', '--max-procs', '--max-chars', '--arg-file', '--process-slot-var']);

const CODE_RUNNERS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh', 'busybox', 'eval', 'env', 'sudo', 'doas', 'xargs', 'python', 'python3', 'python2', 'node', 'nodejs', 'deno', 'bun', 'perl', 'ruby', 'php', 'lua', 'tclsh', 'awk', 'gawk', 'osascript', 'pwsh', 'powershell']);

const UNKNOWN_INPUT: ShWord = { text: '$XARGS_INPUT', literal: false, unknownVars: ['XARGS_INPUT (read from stdin)'], subst: false, glob: false };

/** A glob over a listed root: what the lister's paths are, for the judge. */
function rootGlob(root: string): ShWord {
  return { text: `${root.replace(/\/+$/, '') || '/'}/*`.replace(/^\/\/\*$/, '/*'), literal: true, unknownVars: [], subst: false, glob: true };
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
  const listed = !fromFile && stdin.kind === 'pipe' && stdin.paths?.length ? stdin.paths : undefined;
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
    const by = listed?.length === 1 ? rootGlob(listed[0]!) : undefined;
    return cmd.map((w) => {
      if (!w.text.includes(r)) return w;
      if (by && w.literal) return { ...w, text: w.text.split(r).join(by.text), glob: true };
      return { ...w, text: w.text.split(r).join('$XARGS_INPUT'), literal: false, unknownVars: [...w.unknownVars, 'XARGS_INPUT (read from stdin)'] };
    });
  }
  return [...cmd, ...(listed ? listed.map(rootGlob) : [UNKNOWN_INPUT])];
}
