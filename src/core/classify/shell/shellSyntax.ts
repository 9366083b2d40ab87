/**
 * Shell parsing: mvdan/sh (GopherJS build, synchronous, bash dialect) turned into a small typed
 * tree the classifier walks. See docs/shell-parser.md for why this parser.
 *
 * The parser is strict: an unterminated quote or a dangling operator is a parse error (the caller
 * turns it into `unknown`), there is no error recovery that could hide a command.
 */
import mvdan, { type MvdanNode } from 'mvdan-sh';

const S = mvdan.syntax;

export type Part =
  | { t: 'lit'; v: string }
  | { t: 'sq'; v: string; dollar: boolean }
  | { t: 'dq'; parts: Part[] }
  | { t: 'param'; name: string; op?: string; arg?: Word; complex: boolean }
  | { t: 'cmd'; stmts: Stmt[] }
  | { t: 'proc'; stmts: Stmt[] }
  | { t: 'opaque'; stmts: Stmt[] };
export type Word = Part[];

export interface Redir {
  op: string;
  fd?: string;
  word?: Word;
  /** Here-document body (for `<<` and `<<-`). */
  hdoc?: Word;
  /** The here-document delimiter was quoted: the body is taken literally. */
  hdocQuoted?: boolean;
}
export interface Assign {
  name: string;
  value?: Word;
}
export type Cmd =
  | { t: 'call'; assigns: Assign[]; args: Word[] }
  | { t: 'pipe'; stages: Stmt[] }
  | { t: 'list'; stmts: Stmt[] }
  | { t: 'func'; name: string; body: Stmt }
  | { t: 'decl'; variant: string; assigns: Assign[]; words: Word[] };
export interface Stmt {
  cmd?: Cmd;
  redirs: Redir[];
}

/** Thrown when the input is too large or too deeply nested to analyse. */
export class ShellLimitError extends Error {}

export interface ParseLimits {
  maxBytes: number;
  maxDepth: number;
}
export const DEFAULT_LIMITS: ParseLimits = { maxBytes: 16 * 1024, maxDepth: 20 };

const parser = S.NewParser(S.KeepComments(false), S.Variant(S.LangBash));

function f<T>(n: MvdanNode | null | undefined, k: string): T {
  return (n as Record<string, unknown>)[k] as T;
}
function arr(n: MvdanNode, k: string): MvdanNode[] {
  const v = f<MvdanNode[] | null>(n, k);
  return v ? Array.from(v) : [];
}
const type = (n: MvdanNode): string => S.NodeType(n);

/** Operator token numbers differ between builds: learn them once from the parser itself. */
function learnOps(): { binary: Map<number, string>; redir: Map<number, string>; param: Map<number, string> } {
  const binary = new Map<number, string>();
  for (const op of ['&&', '||', '|', '|&']) {
    const st = arr(parser.Parse(`a ${op} b`, ''), 'Stmts')[0]!;
    binary.set(f<number>(f<MvdanNode>(st, 'Cmd'), 'Op'), op);
  }
  const redir = new Map<number, string>();
  for (const op of ['>', '>>', '<', '<<', '<<-', '<<<', '>&', '<&', '&>', '&>>', '<>', '>|']) {
    const src = op.startsWith('<<') && op !== '<<<' ? `a ${op}X\nX\n` : `a ${op} b`;
    const st = arr(parser.Parse(src, ''), 'Stmts')[0]!;
    const r = arr(st, 'Redirs')[0]!;
    redir.set(f<number>(r, 'Op'), op);
  }
  const param = new Map<number, string>();
  for (const op of [':-', '-', ':=', '=', ':+', '+', ':?', '?', '#', '##', '%', '%%']) {
    const st = arr(parser.Parse(`a \${x${op}y}`, ''), 'Stmts')[0]!;
    const w = arr(f<MvdanNode>(st, 'Cmd'), 'Args')[1]!;
    const pe = arr(w, 'Parts')[0]!;
    param.set(f<number>(f<MvdanNode>(pe, 'Exp'), 'Op'), op);
  }
  return { binary, redir, param };
}
const OPS = learnOps();

class Converter {
  constructor(private readonly limits: ParseLimits) {}
  stmtCount = 0;

  stmts(list: MvdanNode[], depth: number): Stmt[] {
    return list.map((s) => this.stmt(s, depth));
  }

  stmt(n: MvdanNode, depth: number): Stmt {
    if (depth > this.limits.maxDepth) throw new ShellLimitError(`nesting deeper than ${this.limits.maxDepth}`);
    this.stmtCount++;
    const redirs = arr(n, 'Redirs').map((r) => this.redir(r, depth));
    const c = f<MvdanNode | null>(n, 'Cmd');
    const out: Stmt = { redirs };
    if (c) out.cmd = this.cmd(c, depth);
    return out;
  }

  redir(r: MvdanNode, depth: number): Redir {
    const op = OPS.redir.get(f<number>(r, 'Op')) ?? '?';
    const out: Redir = { op };
    const n = f<MvdanNode | null>(r, 'N');
    if (n) out.fd = f<string>(n, 'Value');
    const w = f<MvdanNode | null>(r, 'Word');
    if (w) out.word = this.word(w, depth);
    const h = f<MvdanNode | null>(r, 'Hdoc');
    if (h) out.hdoc = this.word(h, depth);
    if (op === '<<' || op === '<<-') out.hdocQuoted = !!out.word && out.word.some((p) => p.t !== 'lit' || p.v.includes('\\'));
    return out;
  }

  cmd(c: MvdanNode, depth: number): Cmd {
    switch (type(c)) {
      case 'CallExpr':
        return { t: 'call', assigns: arr(c, 'Assigns').map((a) => this.assign(a, depth)), args: arr(c, 'Args').map((w) => this.word(w, depth)) };
      case 'BinaryCmd': {
        const op = OPS.binary.get(f<number>(c, 'Op'));
        const x = this.stmt(f<MvdanNode>(c, 'X'), depth + 1);
        const y = this.stmt(f<MvdanNode>(c, 'Y'), depth + 1);
        if (op === '|' || op === '|&') {
          const left = x.cmd?.t === 'pipe' && x.redirs.length === 0 ? x.cmd.stages : [x];
          return { t: 'pipe', stages: [...left, y] };
        }
        return { t: 'list', stmts: [x, y] };
      }
      case 'Subshell':
      case 'Block':
        return { t: 'list', stmts: this.stmts(arr(c, 'Stmts'), depth + 1) };
      case 'FuncDecl':
        return { t: 'func', name: f<string>(f<MvdanNode>(c, 'Name'), 'Value'), body: this.stmt(f<MvdanNode>(c, 'Body'), depth + 1) };
      case 'DeclClause': {
        const assigns: Assign[] = [];
        const words: Word[] = [];
        for (const a of arr(c, 'Args')) {
          if (f<boolean>(a, 'Naked') && f<MvdanNode | null>(a, 'Value')) words.push(this.word(f<MvdanNode>(a, 'Value'), depth));
          else assigns.push(this.assign(a, depth));
        }
        return { t: 'decl', variant: f<string>(f<MvdanNode>(c, 'Variant'), 'Value'), assigns, words };
      }
      default:
        return { t: 'list', stmts: this.nested(c, depth + 1) };
    }
  }

  /** Every statement nested anywhere below an opaque node (if/while/for/case/[[ ]]/(( ))…). */
  nested(n: MvdanNode, depth: number): Stmt[] {
    const out: Stmt[] = [];
    S.Walk(n, (x) => {
      if (!x || x === n) return true;
      if (type(x) === 'Stmt') {
        out.push(this.stmt(x, depth));
        return false;
      }
      return true;
    });
    return out;
  }

  assign(a: MvdanNode, depth: number): Assign {
    const name = f<MvdanNode | null>(a, 'Name');
    const out: Assign = { name: name ? f<string>(name, 'Value') : '' };
    const v = f<MvdanNode | null>(a, 'Value');
    if (v) out.value = this.word(v, depth);
    else {
      const ar = f<MvdanNode | null>(a, 'Array');
      if (ar) out.value = [{ t: 'opaque', stmts: this.nested(ar, depth + 1) }];
    }
    return out;
  }

  word(w: MvdanNode, depth: number): Word {
    if (depth > this.limits.maxDepth) throw new ShellLimitError(`nesting deeper than ${this.limits.maxDepth}`);
    return arr(w, 'Parts').map((p) => this.part(p, depth));
  }

  part(p: MvdanNode, depth: number): Part {
    switch (type(p)) {
      case 'Lit':
        return { t: 'lit', v: f<string>(p, 'Value') };
      case 'SglQuoted':
        return { t: 'sq', v: f<string>(p, 'Value'), dollar: f<boolean>(p, 'Dollar') };
      case 'DblQuoted':
        return { t: 'dq', parts: arr(p, 'Parts').map((x) => this.part(x, depth + 1)) };
      case 'ParamExp': {
        const param = f<MvdanNode | null>(p, 'Param');
        const name = param ? f<string>(param, 'Value') : '';
        const exp = f<MvdanNode | null>(p, 'Exp');
        const complex =
          f<boolean>(p, 'Length') || f<boolean>(p, 'Excl') || !!f<unknown>(p, 'Index') || !!f<unknown>(p, 'Slice') || !!f<unknown>(p, 'Repl') || !!f<unknown>(p, 'Names');
        const out: Part = { t: 'param', name, complex: !!complex };
        if (exp) {
          const op = OPS.param.get(f<number>(exp, 'Op'));
          if (op === undefined) out.complex = true;
          else out.op = op;
          const ew = f<MvdanNode | null>(exp, 'Word');
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

export interface ParsedScript {
  stmts: Stmt[];
  stmtCount: number;
}

/** Parse a bash script. Throws on syntax errors and on ShellLimitError. */
export function parseScript(src: string, limits: ParseLimits = DEFAULT_LIMITS, depth = 0): ParsedScript {
  if (src.length > limits.maxBytes) throw new ShellLimitError(`command longer than ${limits.maxBytes} bytes`);
  let file: MvdanNode;
  try {
    file = parser.Parse(src, '');
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
