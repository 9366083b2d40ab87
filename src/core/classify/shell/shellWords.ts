/**
 * Word expansion as far as it can be known statically: quotes removed, `$'…'` decoded, variables
 * expanded from the known environment (and assignments made earlier in the same script), unknown
 * variables and unquoted globs recorded so the classifier can be strict about them.
 */
import type { Part, Stmt, Word } from './shellSyntax.js';

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
}

/** Variables visible to the script: the caller's environment plus assignments seen so far. */
export type VarLookup = (name: string) => string | undefined;

/** Called for every command or process substitution found inside a word (they always run). */
export type SubstVisitor = (stmts: Stmt[]) => void;

const ANSI: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** Decode the escapes of a bash `$'…'` string. */
export function decodeAnsiC(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[i + 1]!;
    if (ANSI[n] !== undefined) {
      out += ANSI[n];
      i++;
    } else if (n === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 2));
      if (m) {
        out += String.fromCharCode(parseInt(m[0], 16));
        i += 1 + m[0].length;
      } else out += c;
    } else if (n === 'u' || n === 'U') {
      const m = (n === 'u' ? /^[0-9a-fA-F]{1,4}/ : /^[0-9a-fA-F]{1,8}/).exec(s.slice(i + 2));
      if (m) {
        const cp = parseInt(m[0], 16);
        out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
        i += 1 + m[0].length;
      } else out += c;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(s.slice(i + 1))!;
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
      i += m[0].length;
    } else if (n === 'c' && i + 2 < s.length) {
      out += String.fromCharCode(s.charCodeAt(i + 2) & 0x1f);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

/** Remove backslash escapes from an unquoted literal (and line continuations). */
function unescapeUnquoted(v: string): string {
  return v.replace(/\\\n/g, '').replace(/\\(.)/gs, '$1');
}
/** Inside double quotes a backslash escapes only $ ` " \ and newline. */
function unescapeDouble(v: string): string {
  return v.replace(/\\\n/g, '').replace(/\\([$`"\\])/g, '$1');
}

export function expandWord(word: Word, vars: VarLookup, onSubst: SubstVisitor): ShWord {
  const w: ShWord = { text: '', literal: true, unknownVars: [], subst: false, glob: false };
  for (const p of word) expandPart(p, w, vars, onSubst, false);
  return w;
}

function expandPart(p: Part, w: ShWord, vars: VarLookup, onSubst: SubstVisitor, quoted: boolean): void {
  switch (p.t) {
    case 'lit':
      if (!quoted && /[*?[]/.test(p.v.replace(/\\./g, ''))) w.glob = true;
      w.text += quoted ? unescapeDouble(p.v) : unescapeUnquoted(p.v);
      return;
    case 'sq':
      w.text += p.dollar ? decodeAnsiC(p.v) : p.v;
      return;
    case 'dq':
      for (const x of p.parts) expandPart(x, w, vars, onSubst, true);
      return;
    case 'param': {
      w.literal = false;
      const value = p.complex ? undefined : vars(p.name);
      const set = value !== undefined && !(p.op?.startsWith(':') && value === '');
      if (p.op === ':-' || p.op === '-' || p.op === ':=' || p.op === '=') {
        if (set) w.text += value;
        else if (p.arg) for (const x of p.arg) expandPart(x, w, vars, onSubst, quoted);
        return;
      }
      if (p.op === ':+' || p.op === '+') {
        if (p.arg) {
          const inner = expandWord(p.arg, vars, onSubst);
          if (!set) {
            if (value === undefined) pushUnknown(w, p.name, '');
          } else w.text += inner.text;
        }
        return;
      }
      if (p.arg) expandWord(p.arg, vars, onSubst);
      if (value !== undefined && p.op === undefined) {
        w.text += value;
        return;
      }
      pushUnknown(w, p.name || '?', `$${p.name}`);
      return;
    }
    case 'cmd':
    case 'proc':
      w.literal = false;
      w.subst = true;
      onSubst(p.stmts);
      w.text += p.t === 'cmd' ? '$(…)' : '/dev/fd/63';
      return;
    case 'opaque':
      w.literal = false;
      w.subst = true;
      onSubst(p.stmts);
      w.text += '$(…)';
      return;
  }
}

function pushUnknown(w: ShWord, name: string, text: string): void {
  if (!w.unknownVars.includes(name)) w.unknownVars.push(name);
  w.text += text;
}

/** The literal text of a here-document body; expansions inside it are reported to onSubst. */
export function heredocText(body: Word | undefined, vars: VarLookup, onSubst: SubstVisitor, quoted: boolean): string {
  if (!body) return '';
  if (quoted) return body.map((p) => (p.t === 'lit' ? p.v : '')).join('');
  return expandWord(body.map((p) => (p.t === 'lit' ? ({ t: 'sq', v: p.v, dollar: false } as Part) : p)), vars, onSubst).text;
}
