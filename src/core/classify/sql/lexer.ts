/**
 * A small SQL lexer per dialect: enough to split a batch into statements and to read the leading
 * keywords of statements the grammar does not cover (sqlite PRAGMA, VACUUM…). Comments and string
 * literals become their own tokens, so no rule ever sees their content.
 *
 * The splitter only decides where statements end; every piece is then parsed by a real parser and
 * every statement the parser returns is classified. If this lexer and the parser disagree, a piece
 * either fails to parse (unknown) or holds more than one statement (all classified), so a
 * disagreement never hides a statement.
 */
import type { SqlDialect } from '../../action';

export type TokenType = 'word' | 'string' | 'ident' | 'number' | 'punct' | 'semicolon' | 'comment' | 'param';

export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

export interface LexResult {
  tokens: Token[];
  /** Set when the input cannot be lexed safely (unterminated string, MySQL executable comment). */
  error?: string;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

export function lexSql(sql: string, dialect: SqlDialect): LexResult {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  const push = (type: TokenType, start: number, end: number): void => {
    tokens.push({ type, text: sql.slice(start, end), start, end });
  };
  while (i < n) {
    const c = sql[i]!;
    const c2 = sql[i + 1];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    // Line comments. MySQL needs whitespace (or end) after `--`: `SELECT 1 --1; DROP TABLE t` runs the DROP.
    const dashComment = c === '-' && c2 === '-' && (dialect !== 'mysql' || i + 2 >= n || /[\s]/.test(sql[i + 2]!));
    if (dashComment || (c === '#' && dialect === 'mysql')) {
      const s = i;
      while (i < n && sql[i] !== '\n') i++;
      push('comment', s, i);
      continue;
    }
    if (c === '/' && c2 === '*') {
      if (dialect === 'mysql' && sql[i + 2] === '!') return { tokens, error: 'MySQL executable comment (/*! … */)' };
      const s = i;
      // PostgreSQL block comments nest.
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else if (dialect === 'postgres' && sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else i++;
      }
      if (depth > 0) return { tokens, error: 'unterminated block comment' };
      push('comment', s, i);
      continue;
    }
    // Dollar-quoted strings (PostgreSQL): $$…$$ or $tag$…$tag$.
    if (c === '$' && dialect === 'postgres') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 80));
      if (m) {
        const tag = m[0];
        const close = sql.indexOf(tag, i + tag.length);
        if (close < 0) return { tokens, error: 'unterminated dollar-quoted string' };
        push('string', i, close + tag.length);
        i = close + tag.length;
        continue;
      }
      const s = i;
      i++;
      while (i < n && /[0-9]/.test(sql[i]!)) i++;
      push('param', s, i);
      continue;
    }
    if (c === "'" || (c === '"' && dialect === 'mysql')) {
      const s = i;
      // PostgreSQL E'…' strings allow backslash escapes; MySQL strings always do.
      const prev = tokens.length ? tokens[tokens.length - 1] : undefined;
      const eString = dialect === 'postgres' && prev && prev.end === i && /^[eE]$/.test(prev.text);
      const backslash = dialect === 'mysql' || eString;
      if (eString) tokens.pop();
      i++;
      let closed = false;
      while (i < n) {
        const d = sql[i]!;
        if (backslash && d === '\\') {
          i += 2;
          continue;
        }
        if (d === c) {
          if (sql[i + 1] === c) {
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        i++;
      }
      if (!closed) return { tokens, error: 'unterminated string literal' };
      push('string', eString ? s - 1 : s, i);
      continue;
    }
    if (c === '"' || c === '`' || (c === '[' && dialect === 'sqlite')) {
      const close = c === '[' ? ']' : c;
      const s = i;
      i++;
      let closed = false;
      while (i < n) {
        if (sql[i] === close) {
          if (close !== ']' && sql[i + 1] === close) {
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        i++;
      }
      if (!closed) return { tokens, error: 'unterminated quoted identifier' };
      push('ident', s, i);
      continue;
    }
    if (c === ';') {
      push('semicolon', i, i + 1);
      i++;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && c2 !== undefined && /[0-9]/.test(c2))) {
      const s = i;
      i++;
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i]!)) i++;
      push('number', s, i);
      continue;
    }
    if (WORD_START.test(c)) {
      const s = i;
      i++;
      while (i < n && WORD_CHAR.test(sql[i]!)) i++;
      push('word', s, i);
      continue;
    }
    if ((c === '?' || c === ':' || c === '@') && dialect !== 'postgres') {
      const s = i;
      i++;
      while (i < n && WORD_CHAR.test(sql[i]!)) i++;
      push('param', s, i);
      continue;
    }
    push('punct', i, i + 1);
    i++;
  }
  return { tokens };
}

export interface StatementSpan {
  /** Statement text without the trailing semicolon, trimmed. */
  text: string;
  start: number;
  end: number;
  /** Tokens of the statement, comments excluded. */
  tokens: Token[];
}

/**
 * Splits at top-level semicolons. SQLite `CREATE TRIGGER … BEGIN … END` bodies hold semicolons:
 * inside one, splitting waits for the END that closes the BEGIN.
 */
export function splitTokens(sql: string, lex: LexResult): StatementSpan[] {
  const out: StatementSpan[] = [];
  let cur: Token[] = [];
  let start = -1;
  let end = -1;
  let inTrigger = false;
  let depth = 0;
  const flush = (): void => {
    if (cur.length > 0) out.push({ text: sql.slice(start, end), start, end, tokens: cur });
    cur = [];
    start = -1;
    inTrigger = false;
    depth = 0;
  };
  for (const t of lex.tokens) {
    if (t.type === 'comment') continue;
    if (t.type === 'semicolon' && !(inTrigger && depth > 0)) {
      flush();
      continue;
    }
    if (start < 0) start = t.start;
    end = t.end;
    if (t.type === 'word') {
      const w = t.text.toUpperCase();
      if (cur.length > 0 && cur.length < 6 && w === 'TRIGGER' && cur[0]!.text.toUpperCase() === 'CREATE') inTrigger = true;
      if (inTrigger && (w === 'BEGIN' || w === 'CASE')) depth++;
      if (inTrigger && w === 'END' && depth > 0) depth--;
    }
    cur.push(t);
  }
  flush();
  return out;
}
