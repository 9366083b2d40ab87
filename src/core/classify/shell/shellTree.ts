/** The small typed shell tree the classifier walks (built by shellSyntax.ts and shellSimple.ts). */
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
  | { t: 'list'; stmts: Stmt[]; sub?: boolean }
  | { t: 'func'; name: string; body: Stmt }
  | { t: 'decl'; variant: string; assigns: Assign[]; words: Word[] }
  /** `for name [in items]; do body; done` (items absent: the positional parameters). */
  | { t: 'for'; name: string; items?: Word[]; body: Stmt[] };
export interface Stmt {
  cmd?: Cmd;
  redirs: Redir[];
  /** Runs in the background (`cmd &`). */
  bg?: boolean;
}

export interface ParsedScript {
  stmts: Stmt[];
  stmtCount: number;
}
