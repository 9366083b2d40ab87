/**
 * Word expansion as far as it can be known statically: quotes removed, `$'…'` decoded, variables
 * expanded from the known environment (and assignments made earlier in the same script), unknown
 * variables and unquoted globs recorded so the classifier can be strict about them.
 */
import type { Part, Stmt, Word } from './shellSyntax.js';
import type { Listed } from './listing.js';

export interface ShWord {
  /** Expanded text; unknown parts appear as `$NAME` or `$(…)`. */
  text: string;
  /** No expansion at all (only literal and quoted text). */
  literal: boolean;
  /** Variables whose value is unknown (unset and without a default). */
  unknownVars: string[];
  /** Contains a command substitution (its output is unknown). */
  subst: boolean;
  /** Contains an unquoted glob character. */
  glob: boolean;
  /** The word stands for the paths a lister printed (`$(find src -name '*.json')`, xargs input): text is a glob over the root. */
  listed?: Listed;
  /** Substitutions whose output Airlock could not resolve, by their programs (`rev`, `curl | jq`): for reasons. */
  substBy?: string[];
  /** Substitutions resolved to literal text (`$(echo .env)`), by their programs: for reasons. */
  resolvedBy?: string[];
  /** Index in `text` after the last unresolved part: the text from there on is literal. */
  knownFrom?: number;
}

/**
 * What a substitution prints, when it can be known without running it (pipeInput.substOutput),
 * and a short name of its programs for reasons.
 */
/** The part of shellTypes' Stdin a substitution's output needs (kept apart: no import cycle). */
export type SubstOutput = { kind: 'text'; text: string; literal?: boolean } | { kind: 'pipe'; listed?: Listed[] } | { kind: 'none' } | { kind: 'file'; path: string };

export interface SubstResolver {
  output(stmts: Stmt[]): SubstOutput;
  describe(stmts: Stmt[]): string;
}

/** Marks a variable's value as a glob each of whose matches it takes (a for loop over `src/*.ts`). */
export const GLOB_VALUE = '\u0001';

/** Marks where an unquoted expansion's value splits into fields (IFS blanks); NUL never reaches the parser. */
const FIELD = '\0';

/** Variables visible to the script: the caller's environment plus assignments seen so far. */
export type VarLookup = (name: string) => string | undefined;

/** Called for every command or process substitution found inside a word (they always run). */
export type SubstVisitor = (stmts: Stmt[]) => void;

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
const ANSI_ONLY: Record<string, string> = { "'": "'", '"': '"', '?': '?' };

/**
 * Backslash escapes as bash decodes them, in one of its two dialects:
 * - 'ansi-c', a `$'…'` string: `\'` `\"` `\?` too, octal `\nnn`, `\cX` a control character,
 *   `\uHHHH` / `\UHHHHHHHH` code points;
 * - 'echo', `echo -e` and printf's format: octal `\0nnn`, `\c` ends the output, and `\u`/`\U`
 *   (which depend on the locale) are not decided: undefined.
 * Anything else after a backslash is kept as written.
 */
export function decodeEscapes(s: string, dialect: 'ansi-c' | 'echo'): string | undefined {
  const ansi = dialect === 'ansi-c';
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[i + 1]!;
    const simple = SIMPLE[n] ?? (ansi ? ANSI_ONLY[n] : undefined);
    if (simple !== undefined) {
      out += simple;
      i++;
    } else if (n === 'x' && /^[0-9a-fA-F]/.test(s.slice(i + 2))) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 2))!;
      out += String.fromCharCode(parseInt(m[0], 16));
      i += 1 + m[0].length;
    } else if (n === 'u' || n === 'U') {
      if (!ansi) return undefined;
      const m = (n === 'u' ? /^[0-9a-fA-F]{1,4}/ : /^[0-9a-fA-F]{1,8}/).exec(s.slice(i + 2));
      if (m) {
        const cp = parseInt(m[0], 16);
        out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
        i += 1 + m[0].length;
      } else out += c;
    } else if (ansi ? /[0-7]/.test(n) : n === '0') {
      // $'\nnn' (1-3 digits from the backslash), echo's '\0nnn' (0-3 digits after the 0).
      const m = (ansi ? /^[0-7]{1,3}/.exec(s.slice(i + 1)) : /^[0-7]{0,3}/.exec(s.slice(i + 2)))!;
      out += String.fromCharCode(parseInt(m[0] || '0', 8) & 0xff);
      i += ansi ? m[0].length : 1 + m[0].length;
    } else if (n === 'c' && !ansi) return out;
    else if (n === 'c' && i + 2 < s.length) {
      out += String.fromCharCode(s.charCodeAt(i + 2) & 0x1f);
      i += 2;
    } else out += c;
  }
  return out;
}

/** Decode the escapes of a bash `$'…'` string. */
export function decodeAnsiC(s: string): string {
  return decodeEscapes(s, 'ansi-c')!;
}

/** Remove backslash escapes from an unquoted literal (and line continuations). */
function unescapeUnquoted(v: string): string {
  return v.replace(/\\\n/g, '').replace(/\\(.)/gs, '$1');
}
/** Inside double quotes a backslash escapes only $ ` " \ and newline. */
function unescapeDouble(v: string): string {
  return v.replace(/\\\n/g, '').replace(/\\([$`"\\])/g, '$1');
}

/** Expansion state: the word being built, and a lister's output standing for the whole word. */
interface Building extends ShWord {
  pendingListed?: Listed[];
  parts: number;
}

function expandRaw(word: Word, vars: VarLookup, onSubst: SubstVisitor, resolver?: SubstResolver): Building {
  const w: Building = { text: '', literal: true, unknownVars: [], subst: false, glob: false, parts: word.length };
  for (const p of word) expandPart(p, w, vars, onSubst, false, resolver);
  return w;
}

function finish(w: Building, text: string): ShWord {
  const out: ShWord = { text, literal: w.literal, unknownVars: w.unknownVars, subst: w.subst, glob: w.glob };
  if (w.substBy?.length) out.substBy = w.substBy;
  if (w.resolvedBy?.length) out.resolvedBy = w.resolvedBy;
  if (w.knownFrom !== undefined) out.knownFrom = w.knownFrom;
  return out;
}

/** One word (no field splitting: assignments, redirection targets, here-strings). */
export function expandWord(word: Word, vars: VarLookup, onSubst: SubstVisitor, resolver?: SubstResolver): ShWord {
  const w = expandRaw(word, vars, onSubst, resolver);
  return finish(w, w.text.split(FIELD).join(' '));
}

/**
 * The words an argument becomes: unquoted expansions split at blanks (`f='.env x'; cat $f` is two
 * operands), a substitution that prints what a lister lists becomes one glob word per root with
 * the listing attached (`cat $(find src -name '*.json')`), and unquoted braces expand
 * (`cat {.env,x}`).
 */
export function expandFields(word: Word, vars: VarLookup, onSubst: SubstVisitor, resolver?: SubstResolver, braces?: (t: string) => string[]): ShWord[] {
  const w = expandRaw(word, vars, onSubst, resolver);
  if (w.pendingListed && w.text === SUBST_TEXT && w.substBy?.length === 1 && w.unknownVars.length === 0) {
    const by = w.substBy;
    return w.pendingListed.map((l) => ({ text: `${l.root.replace(/\/+$/, '') || '/'}/*`.replace(/^\/\/\*$/, '/*'), literal: false, unknownVars: [], subst: false, glob: true, listed: l, resolvedBy: by }));
  }
  let texts = w.text.includes(FIELD) ? w.text.split(FIELD).filter((t, i, all) => t !== '' || (all.length === 1 && i === 0)) : [w.text];
  if (braces && word.some((p) => p.t === 'lit' && p.v.includes('{'))) texts = texts.flatMap((t) => braces(t));
  if (texts.length === 0) return [];
  if (texts.length === 1) return [finish(w, texts[0]!)];
  return texts.map((t) => {
    const f = finish(w, t);
    const markers = [SUBST_TEXT, ...w.unknownVars.map((v) => '$' + v.split(' ')[0])];
    const end = Math.max(...markers.map((m) => (t.lastIndexOf(m) < 0 ? -1 : t.lastIndexOf(m) + m.length)));
    if (end >= 0) f.knownFrom = end;
    else delete f.knownFrom;
    f.subst = w.subst && t.includes(SUBST_TEXT);
    f.glob = w.glob && /[*?[]/.test(t);
    return f;
  });
}

const SUBST_TEXT = '$(…)';

/** IFS blanks of an unquoted expansion's value become field marks. */
function fields(value: string, quoted: boolean): string {
  return quoted ? value : value.replace(/[ \t\n]+/g, FIELD);
}

function expandPart(p: Part, w: Building, vars: VarLookup, onSubst: SubstVisitor, quoted: boolean, resolver?: SubstResolver): void {
  switch (p.t) {
    case 'lit':
      if (!quoted && /[*?[]/.test(p.v.replace(/\\./g, ''))) w.glob = true;
      w.text += quoted ? unescapeDouble(p.v) : unescapeUnquoted(p.v);
      return;
    case 'sq':
      w.text += p.dollar ? decodeAnsiC(p.v) : p.v;
      return;
    case 'dq':
      w.parts += p.parts.length - 1;
      for (const x of p.parts) expandPart(x, w, vars, onSubst, true, resolver);
      return;
    case 'param': {
      w.literal = false;
      let value = p.complex ? undefined : vars(p.name);
      if (value?.startsWith(GLOB_VALUE)) {
        value = value.slice(1);
        w.glob = true;
      }
      const set = value !== undefined && !(p.op?.startsWith(':') && value === '');
      if (p.op === ':-' || p.op === '-' || p.op === ':=' || p.op === '=') {
        if (set) w.text += fields(value!, quoted);
        else if (p.arg) for (const x of p.arg) expandPart(x, w, vars, onSubst, quoted, resolver);
        return;
      }
      if (p.op === ':+' || p.op === '+') {
        if (p.arg) {
          const inner = expandWord(p.arg, vars, onSubst, resolver);
          if (!set) {
            if (value === undefined) pushUnknown(w, p.name, '');
          } else w.text += fields(inner.text, quoted);
        }
        return;
      }
      if (p.arg) expandWord(p.arg, vars, onSubst, resolver);
      if (value !== undefined && p.op === undefined) {
        w.text += fields(value, quoted);
        return;
      }
      pushUnknown(w, p.name || '?', `$${p.name}`);
      return;
    }
    case 'cmd':
    case 'proc': {
      w.literal = false;
      onSubst(p.stmts);
      const out = resolver?.output(p.stmts);
      const by = resolver?.describe(p.stmts) ?? '…';
      if (p.t === 'cmd' && out?.kind === 'text' && out.literal) {
        w.text += fields(out.text.replace(/\n+$/, ''), quoted);
        (w.resolvedBy ??= []).push(by);
        return;
      }
      w.subst = true;
      if (p.t === 'cmd' && out?.kind === 'pipe' && out.listed?.length && w.parts === 1) w.pendingListed = out.listed;
      (w.substBy ??= []).push(p.t === 'proc' ? `<(${by})` : by);
      w.text += p.t === 'cmd' ? SUBST_TEXT : '/dev/fd/63';
      if (p.t === 'cmd') w.knownFrom = w.text.length;
      return;
    }
    case 'opaque':
      w.literal = false;
      w.subst = true;
      onSubst(p.stmts);
      w.text += SUBST_TEXT;
      w.knownFrom = w.text.length;
      return;
  }
}

function pushUnknown(w: ShWord, name: string, text: string): void {
  if (!w.unknownVars.includes(name)) w.unknownVars.push(name);
  w.text += text;
  w.knownFrom = w.text.length;
}

/** The literal text of a here-document body; expansions inside it are reported to onSubst. */
export function heredocText(body: Word | undefined, vars: VarLookup, onSubst: SubstVisitor, quoted: boolean): string {
  if (!body) return '';
  if (quoted) return body.map((p) => (p.t === 'lit' ? p.v : '')).join('');
  return expandWord(body.map((p) => (p.t === 'lit' ? ({ t: 'sq', v: p.v, dollar: false } as Part) : p)), vars, onSubst).text;
}
