/**
 * The fast path of the shell parser: a command line made only of plain words (letters, digits and
 * `_ . / : @ % + , = -`) joined by `&&`, `||`, `|` and `;` is turned into exactly the tree
 * shellSyntax.ts builds from mvdan/sh, without loading mvdan/sh (hundreds of milliseconds for a
 * short-lived process such as the offline hook or `airlock check`).
 *
 * Anything else (quotes, `$`, globs, `~`, redirections, `&`, comments, newlines, reserved words,
 * declaration builtins, an assignment, an empty operand) returns undefined and goes to mvdan/sh,
 * which stays the one authority on syntax. A unit test compares both on the corpora and on
 * generated lines (test/unit/shellSimple.spec.ts).
 */
import type { ParsedScript, Stmt } from './shellTree';

const WORD = /^[A-Za-z0-9_./:@%+,=-]+$/;
/** First words mvdan/sh parses as something other than a plain call. */
const SPECIAL_FIRST = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select', 'while', 'until', 'do', 'done', 'function', 'time', 'coproc', 'in', 'let', 'export', 'declare', 'local', 'readonly', 'typeset', 'nameref']);
const MAX_OPERATORS = 8;

type Tok = { op: '&&' | '||' | '|' | ';' } | { word: string };

function tokens(src: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '&') {
      if (src[i + 1] !== '&') return undefined;
      out.push({ op: '&&' });
      i += 2;
      continue;
    }
    if (c === '|') {
      if (src[i + 1] === '|') {
        out.push({ op: '||' });
        i += 2;
      } else if (src[i + 1] === '&') return undefined;
      else {
        out.push({ op: '|' });
        i++;
      }
      continue;
    }
    if (c === ';') {
      out.push({ op: ';' });
      i++;
      continue;
    }
    let j = i;
    while (j < src.length && !' \t&|;'.includes(src[j]!)) j++;
    const w = src.slice(i, j);
    if (!WORD.test(w)) return undefined;
    out.push({ word: w });
    i = j;
  }
  return out;
}

/** The tree of a plain-word command line, or undefined when mvdan/sh must parse it. */
export function parseSimple(src: string): ParsedScript | undefined {
  const toks = tokens(src);
  if (!toks || toks.length === 0) return undefined;
  if (toks.filter((t) => 'op' in t).length > MAX_OPERATORS) return undefined;
  // mvdan/sh wraps every call and every binary operator (&& || |) in a statement: that is its count.
  const count = toks.filter((t) => 'word' in t ? false : t.op !== ';').length + countCalls(toks);
  // Split into ;-separated lists (a trailing ; ends the last one).
  const lists: Tok[][] = [[]];
  for (const t of toks) {
    if ('op' in t && t.op === ';') lists.push([]);
    else lists[lists.length - 1]!.push(t);
  }
  if (lists[lists.length - 1]!.length === 0 && lists.length > 1) lists.pop();
  const stmts: Stmt[] = [];
  for (const list of lists) {
    const st = andOr(list);
    if (!st) return undefined;
    stmts.push(st);
  }
  return { stmts, stmtCount: count };
}

/** `a && b || c`: left-associative, each operand a pipeline. */
function andOr(list: Tok[]): Stmt | undefined {
  const parts: Tok[][] = [[]];
  const ops: string[] = [];
  for (const t of list) {
    if ('op' in t && (t.op === '&&' || t.op === '||')) {
      ops.push(t.op);
      parts.push([]);
    } else parts[parts.length - 1]!.push(t);
  }
  const pipes = parts.map(pipeline);
  if (pipes.some((p) => !p)) return undefined;
  let acc = pipes[0]!;
  for (let k = 1; k < pipes.length; k++) acc = { redirs: [], cmd: { t: 'list', stmts: [acc, pipes[k]!] } };
  return acc;
}

/** `a | b | c`: the stages of one pipe. */
function pipeline(toks: Tok[]): Stmt | undefined {
  const stages: Tok[][] = [[]];
  for (const t of toks) {
    if ('op' in t) {
      if (t.op !== '|') return undefined;
      stages.push([]);
    } else stages[stages.length - 1]!.push(t);
  }
  const calls = stages.map(call);
  if (calls.some((c) => !c)) return undefined;
  let acc = calls[0]!;
  for (let k = 1; k < calls.length; k++) acc = { redirs: [], cmd: { t: 'pipe', stages: [...(acc.cmd?.t === 'pipe' ? acc.cmd.stages : [acc]), calls[k]!] } };
  return acc;
}

function call(toks: Tok[]): Stmt | undefined {
  const words = toks.map((t) => ('word' in t ? t.word : undefined));
  if (words.length === 0 || words.some((w) => w === undefined)) return undefined;
  const first = words[0]!;
  // `NAME=value cmd` is an assignment; reserved words and declaration builtins parse differently.
  if (first.includes('=') || SPECIAL_FIRST.has(first)) return undefined;
  return { redirs: [], cmd: { t: 'call', assigns: [], args: words.map((w) => [{ t: 'lit', v: w! }]) } };
}

/** Calls: runs of words between operators. */
function countCalls(toks: Tok[]): number {
  let n = 0;
  let inWord = false;
  for (const t of toks) {
    if ('word' in t) {
      if (!inWord) n++;
      inWord = true;
    } else inWord = false;
  }
  return n;
}
