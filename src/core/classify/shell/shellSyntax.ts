/**
 * Shell parsing: mvdan/sh (GopherJS build, synchronous, bash dialect) turned into a small typed
 * tree the classifier walks. See docs/shell-parser.md for why this parser.
 *
 * The parser is strict: an unterminated quote or a dangling operator is a parse error (the caller
 * turns it into `unknown`), there is no error recovery that could hide a command.
 */
import type mvdanModule from 'mvdan-sh';
import { parseSimple } from './shellSimple';

export type { Assign, Cmd, ParsedScript, Part, Redir, Stmt, Word } from './shellTree';
import type { Assign, Cmd, ParsedScript, Part, Redir, Stmt, Word } from './shellTree';

/** Thrown when the input is too large or too deeply nested to analyse. */
export class ShellLimitError extends Error {}

export interface ParseLimits {
  maxBytes: number;
  maxDepth: number;
}
export const DEFAULT_LIMITS: ParseLimits = { maxBytes: 16 * 1024, maxDepth: 20 };

/*
 * mvdan/sh (GopherJS) costs hundreds of milliseconds to load and initialise: it is loaded on the
 * first command the plain-word fast path (shellSimple.ts) does not cover, not when this module loads.
 */
let parserInstance: ReturnType<(typeof mvdanModule)['syntax']['NewParser']> | undefined;
function parser(): ReturnType<(typeof mvdanModule)['syntax']['NewParser']> {
  if (!parserInstance) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const S = (require('mvdan-sh') as typeof mvdanModule).syntax;
    parserInstance = S.NewParser(S.KeepComments(false), S.Variant(S.LangBash));
  }
  return parserInstance;
}

/*
 * The tree is read through GopherJS's internal objects (`__internal_object__`), not the
 * externalized wrappers: the wrappers copy every slice and string on each property access, which
 * made classification allocation-bound (p99 in milliseconds). Internal layout: a pointer object's
 * `constructor.string` names its Go type (`*syntax.CallExpr`), slices are `{$array, $offset,
 * $length}`, strings and numbers are plain JS values, a nil pointer is `constructor.nil`.
 */
type GoObj = Record<string, unknown> & { constructor: { string?: string; nil?: unknown } };

function isNil(x: unknown): boolean {
  if (x === null || x === undefined) return true;
  if (typeof x !== 'object') return false;
  const c = (x as GoObj).constructor;
  // A nil pointer is its type's `nil` object; a nil interface is GopherJS's empty `$ifaceNil`.
  return c?.nil === x || (c === Object && !('$val' in (x as object)));
}
function f<T>(n: GoObj | null | undefined, k: string): T {
  const v = (n as Record<string, unknown>)[k];
  return (isNil(v) ? undefined : v) as T;
}
function arr(n: GoObj, k: string): GoObj[] {
  const sl = (n as Record<string, unknown>)[k] as { $array?: GoObj[]; $offset: number; $length: number } | null | undefined;
  if (!sl || !sl.$array) return [];
  return sl.$array.slice(sl.$offset, sl.$offset + sl.$length);
}
const type = (n: GoObj): string => (n.constructor.string ?? '').replace('*syntax.', '');

function parseInternal(src: string): GoObj {
  return (parser().Parse(src, '') as unknown as { __internal_object__: GoObj }).__internal_object__;
}

/** Visit every syntax node below `n` (fields holding *syntax.X pointers and slices of them). */
function walkInternal(n: GoObj, visit: (x: GoObj) => boolean): void {
  for (const k of Object.keys(n)) {
    if (k === '$val') continue;
    const v = n[k] as unknown;
    if (!v || typeof v !== 'object') continue;
    const sl = v as { $array?: unknown[]; $offset: number; $length: number };
    if (sl.$array && Array.isArray(sl.$array) === false && typeof sl.$length === 'number') {
      for (let i = sl.$offset; i < sl.$offset + sl.$length; i++) {
        const e = (sl.$array as unknown as GoObj[])[i];
        if (e && typeof e === 'object' && (e as GoObj).constructor?.string?.startsWith('*syntax.') && !isNil(e) && visit(e as GoObj)) walkInternal(e as GoObj, visit);
      }
      continue;
    }
    if (sl.$array && typeof sl.$length === 'number') {
      for (let i = sl.$offset; i < sl.$offset + sl.$length; i++) {
        const e = sl.$array[i] as GoObj | undefined;
        if (e && typeof e === 'object' && e.constructor?.string?.startsWith('*syntax.') && !isNil(e) && visit(e)) walkInternal(e, visit);
      }
      continue;
    }
    const o = v as GoObj;
    if (o.constructor?.string?.startsWith('*syntax.') && !isNil(o) && visit(o)) walkInternal(o, visit);
  }
}

/** Operator token numbers differ between builds: learn them once from the parser itself. */
function learnOps(): { binary: Map<number, string>; redir: Map<number, string>; param: Map<number, string> } {
  const binary = new Map<number, string>();
  for (const op of ['&&', '||', '|', '|&']) {
    const st = arr(parseInternal(`a ${op} b`), 'Stmts')[0]!;
    binary.set(f<number>(f<GoObj>(st, 'Cmd'), 'Op'), op);
  }
  const redir = new Map<number, string>();
  for (const op of ['>', '>>', '<', '<<', '<<-', '<<<', '>&', '<&', '&>', '&>>', '<>', '>|']) {
    const src = op.startsWith('<<') && op !== '<<<' ? `a ${op}X\nX\n` : `a ${op} b`;
    const st = arr(parseInternal(src), 'Stmts')[0]!;
    const r = arr(st, 'Redirs')[0]!;
    redir.set(f<number>(r, 'Op'), op);
  }
  const param = new Map<number, string>();
  for (const op of [':-', '-', ':=', '=', ':+', '+', ':?', '?', '#', '##', '%', '%%']) {
    const st = arr(parseInternal(`a \${x${op}y}`), 'Stmts')[0]!;
    const w = arr(f<GoObj>(st, 'Cmd'), 'Args')[1]!;
    const pe = arr(w, 'Parts')[0]!;
    param.set(f<number>(f<GoObj>(pe, 'Exp'), 'Op'), op);
  }
  return { binary, redir, param };
}
let opsLearned: ReturnType<typeof learnOps> | undefined;
const OPS = {
  get binary() {
    return (opsLearned ??= learnOps()).binary;
  },
  get redir() {
    return (opsLearned ??= learnOps()).redir;
  },
  get param() {
    return (opsLearned ??= learnOps()).param;
  },
};

class Converter {
  constructor(private readonly limits: ParseLimits) {}
  stmtCount = 0;

  stmts(list: GoObj[], depth: number): Stmt[] {
    return list.map((s) => this.stmt(s, depth));
  }

  stmt(n: GoObj, depth: number): Stmt {
    if (depth > this.limits.maxDepth) throw new ShellLimitError(`nesting deeper than ${this.limits.maxDepth}`);
    this.stmtCount++;
    const redirs = arr(n, 'Redirs').map((r) => this.redir(r, depth));
    const c = f<GoObj | null>(n, 'Cmd');
    const out: Stmt = { redirs };
    if (f<boolean>(n, 'Background')) out.bg = true;
    if (c) out.cmd = this.cmd(c, depth);
    return out;
  }

  redir(r: GoObj, depth: number): Redir {
    const op = OPS.redir.get(f<number>(r, 'Op')) ?? '?';
    const out: Redir = { op };
    const n = f<GoObj | null>(r, 'N');
    if (n) out.fd = f<string>(n, 'Value');
    const w = f<GoObj | null>(r, 'Word');
    if (w) out.word = this.word(w, depth);
    const h = f<GoObj | null>(r, 'Hdoc');
    if (h) out.hdoc = this.word(h, depth);
    if (op === '<<' || op === '<<-') out.hdocQuoted = !!out.word && out.word.some((p) => p.t !== 'lit' || p.v.includes('\\'));
    return out;
  }

  cmd(c: GoObj, depth: number): Cmd {
    switch (type(c)) {
      case 'CallExpr':
        return { t: 'call', assigns: arr(c, 'Assigns').map((a) => this.assign(a, depth)), args: arr(c, 'Args').map((w) => this.word(w, depth)) };
      case 'BinaryCmd': {
        const op = OPS.binary.get(f<number>(c, 'Op'));
        const x = this.stmt(f<GoObj>(c, 'X'), depth + 1);
        const y = this.stmt(f<GoObj>(c, 'Y'), depth + 1);
        if (op === '|' || op === '|&') {
          const left = x.cmd?.t === 'pipe' && x.redirs.length === 0 ? x.cmd.stages : [x];
          return { t: 'pipe', stages: [...left, y] };
        }
        return { t: 'list', stmts: [x, y] };
      }
      case 'Subshell':
        return { t: 'list', stmts: this.stmts(arr(c, 'Stmts'), depth + 1), sub: true };
      case 'Block':
        return { t: 'list', stmts: this.stmts(arr(c, 'Stmts'), depth + 1) };
      case 'FuncDecl':
        return { t: 'func', name: f<string>(f<GoObj>(c, 'Name'), 'Value'), body: this.stmt(f<GoObj>(c, 'Body'), depth + 1) };
      case 'DeclClause': {
        const assigns: Assign[] = [];
        const words: Word[] = [];
        for (const a of arr(c, 'Args')) {
          if (f<boolean>(a, 'Naked') && f<GoObj | null>(a, 'Value')) words.push(this.word(f<GoObj>(a, 'Value'), depth));
          else assigns.push(this.assign(a, depth));
        }
        return { t: 'decl', variant: f<string>(f<GoObj>(c, 'Variant'), 'Value'), assigns, words };
      }
      case 'ForClause': {
        const loop = f<GoObj | null>(c, 'Loop');
        if (!loop || type(loop) !== 'WordIter') return { t: 'list', stmts: this.nested(c, depth + 1) };
        const name = f<string>(f<GoObj>(loop, 'Name'), 'Value');
        // No items (`for x; do`, or an empty `in`): judged as the positional parameters (unknown).
        const items = arr(loop, 'Items').length ? arr(loop, 'Items').map((w) => this.word(w, depth + 1)) : undefined;
        return { t: 'for', name, ...(items ? { items } : {}), body: this.stmts(arr(c, 'Do'), depth + 1) };
      }
      default:
        return { t: 'list', stmts: this.nested(c, depth + 1) };
    }
  }

  /** Every statement nested anywhere below an opaque node (if/while/for/case/[[ ]]/(( ))…). */
  nested(n: GoObj, depth: number): Stmt[] {
    const out: Stmt[] = [];
    walkInternal(n, (x) => {
      if (type(x) === 'Stmt') {
        out.push(this.stmt(x, depth));
        return false;
      }
      return true;
    });
    return out;
  }

  assign(a: GoObj, depth: number): Assign {
    const name = f<GoObj | null>(a, 'Name');
    const out: Assign = { name: name ? f<string>(name, 'Value') : '' };
    const v = f<GoObj | null>(a, 'Value');
    if (v) out.value = this.word(v, depth);
    else {
      const ar = f<GoObj | null>(a, 'Array');
      if (ar) out.value = [{ t: 'opaque', stmts: this.nested(ar, depth + 1) }];
    }
    return out;
  }

  word(w: GoObj, depth: number): Word {
    if (depth > this.limits.maxDepth) throw new ShellLimitError(`nesting deeper than ${this.limits.maxDepth}`);
    return arr(w, 'Parts').map((p) => this.part(p, depth));
  }

  part(p: GoObj, depth: number): Part {
    switch (type(p)) {
      case 'Lit':
        return { t: 'lit', v: f<string>(p, 'Value') };
      case 'SglQuoted':
        return { t: 'sq', v: f<string>(p, 'Value'), dollar: f<boolean>(p, 'Dollar') };
      case 'DblQuoted':
        return { t: 'dq', parts: arr(p, 'Parts').map((x) => this.part(x, depth + 1)) };
      case 'ParamExp': {
        const param = f<GoObj | null>(p, 'Param');
        const name = param ? f<string>(param, 'Value') : '';
        const exp = f<GoObj | null>(p, 'Exp');
        const complex =
          f<boolean>(p, 'Length') || f<boolean>(p, 'Excl') || !!f<unknown>(p, 'Index') || !!f<unknown>(p, 'Slice') || !!f<unknown>(p, 'Repl') || !!f<unknown>(p, 'Names');
        const out: Part = { t: 'param', name, complex: !!complex };
        if (exp) {
          const op = OPS.param.get(f<number>(exp, 'Op'));
          if (op === undefined) out.complex = true;
          else out.op = op;
          const ew = f<GoObj | null>(exp, 'Word');
          if (ew) out.arg = this.word(ew, depth + 1);
        }
        if (f<unknown>(p, 'Repl') || f<unknown>(p, 'Index')) {
          const nested = this.nested(p, depth + 1);
          if (nested.length) return { t: 'opaque', stmts: nested };
        }
        return out;
      }
      case 'CmdSubst':
        return { t: 'cmd', stmts: this.stmts(arr(p, 'Stmts'), depth + 1) };
      case 'ProcSubst':
        return { t: 'proc', stmts: this.stmts(arr(p, 'Stmts'), depth + 1) };
      default:
        return { t: 'opaque', stmts: this.nested(p, depth + 1) };
    }
  }
}


/** Parse a bash script. Throws on syntax errors and on ShellLimitError. */
export function parseScript(src: string, limits: ParseLimits = DEFAULT_LIMITS, depth = 0): ParsedScript {
  if (src.length > limits.maxBytes) throw new ShellLimitError(`command longer than ${limits.maxBytes} bytes`);
  // Plain words joined by && || | ; : the same tree mvdan/sh gives, without loading it.
  const simple = depth + 10 <= limits.maxDepth ? parseSimple(src) : undefined;
  return simple ?? parseWithMvdan(src, limits, depth);
}

/** Parse with mvdan/sh alone (no fast path): what parseSimple must equal. */
export function parseWithMvdan(src: string, limits: ParseLimits = DEFAULT_LIMITS, depth = 0): ParsedScript {
  if (src.length > limits.maxBytes) throw new ShellLimitError(`command longer than ${limits.maxBytes} bytes`);
  let file: GoObj;
  try {
    file = parseInternal(src);
  } catch (e) {
    throw new Error(`shell syntax error: ${errorText(e)}`);
  }
  const conv = new Converter(limits);
  const stmts = conv.stmts(arr(file, 'Stmts'), depth);
  return { stmts, stmtCount: conv.stmtCount };
}

function errorText(e: unknown): string {
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    if (typeof o.Error === 'function') {
      try {
        return String((o.Error as () => unknown).call(o));
      } catch {
        /* fall through */
      }
    }
    if (typeof o.message === 'string') return o.message;
    if (typeof o.Text === 'string') return o.Text;
  }
  return String(e);
}
