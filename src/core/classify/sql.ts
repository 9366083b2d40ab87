/**
 * SQL classifier: every statement of a batch is parsed by a real SQL parser and classified into
 * effects (read / recoverable write / irreversible or unknown). Comments and string literals never
 * reach a rule: rules look at parse trees only (docs/sql-parser.md explains the parser choice).
 *
 * Parsers:
 * - PostgreSQL: the real PostgreSQL parser (libpg-query, wasm). It needs an async load, which is
 *   node I/O, so it is injected through `setPostgresParser` by src/node/db/sqlParser.ts. Until it is
 *   loaded, PostgreSQL falls back to node-sql-parser's PostgreSQL grammar (stricter: what it cannot
 *   parse is unknown).
 * - MySQL and SQLite: node-sql-parser (pure JS, synchronous), after splitting the batch with our
 *   lexer; a handful of simple SQLite statements its grammar lacks are read from lexer tokens.
 *
 * Architecture Invariant: classifySql never throws; anything it cannot analyse is `unknown`.
 */
// Type-only: the grammars (about 1.2 MB of JS) are loaded on the first statement of their dialect,
// so a process that judges only shell commands (the hook, `airlock check -- ls`) never runs them.
import type { Parser as MysqlParser } from 'node-sql-parser/build/mysql';
import type { Parser as PostgresFallbackParser } from 'node-sql-parser/build/postgresql';
import type { Parser as SqliteParser } from 'node-sql-parser/build/sqlite';
import type { SqlDialect } from '../action';
import { summarize, unknownClassification, type Classification, type Effect } from '../effects';
import { classifyByTokens, classifyGenericStatement } from './sql/generic';
import { lexSql, splitTokens, type StatementSpan } from './sql/lexer';
import { classifyPgStatement, type PgContext } from './sql/postgres';

/** Inputs above these bounds are not analysed (answer: unknown). */
export const SQL_MAX_BYTES = 256 * 1024;
export const SQL_MAX_STATEMENTS = 500;

/** The real PostgreSQL parser, as libpg-query's `parseSync` (JSON parse tree). */
export interface PostgresParser {
  parse(sql: string): { stmts?: Array<{ stmt?: unknown; stmt_location?: number; stmt_len?: number }> };
}

let postgresParser: PostgresParser | undefined;

/** Installs (or removes) the real PostgreSQL parser. Called by src/node/db/sqlParser.ts once loaded. */
export function setPostgresParser(p: PostgresParser | undefined): void {
  postgresParser = p;
}

export function hasPostgresParser(): boolean {
  return postgresParser !== undefined;
}

let nsp: { mysql?: MysqlParser; sqlite?: SqliteParser; postgres?: PostgresFallbackParser } = {};
function nspFor(dialect: SqlDialect): { astify(sql: string, opt: { database: string }): unknown } {
  // Literal require() calls: the bundler keeps each grammar in the bundle, run only when called.
  if (dialect === 'mysql') return (nsp.mysql ??= new (require('node-sql-parser/build/mysql') as { Parser: typeof MysqlParser }).Parser());
  if (dialect === 'sqlite') return (nsp.sqlite ??= new (require('node-sql-parser/build/sqlite') as { Parser: typeof SqliteParser }).Parser());
  return (nsp.postgres ??= new (require('node-sql-parser/build/postgresql') as { Parser: typeof PostgresFallbackParser }).Parser());
}
const NSP_DB: Record<SqlDialect, string> = { mysql: 'mysql', sqlite: 'sqlite', postgres: 'postgresql' };

class Unanalysable extends Error {}

interface Statement {
  text: string;
  effects: Effect[];
}

function classifyStatements(sql: string, dialect: SqlDialect): Statement[] {
  if (sql.length > SQL_MAX_BYTES) throw new Unanalysable(`SQL longer than ${SQL_MAX_BYTES / 1024} KiB`);
  const lex = lexSql(sql, dialect);
  if (lex.error) throw new Unanalysable(lex.error);
  const spans = splitTokens(sql, lex);
  if (spans.length > SQL_MAX_STATEMENTS) throw new Unanalysable(`more than ${SQL_MAX_STATEMENTS} statements`);
  if (spans.length === 0) return [];
  if (dialect === 'postgres' && postgresParser) return classifyPostgres(sql);
  const out: Statement[] = [];
  for (const span of spans) out.push(...classifySpan(span, dialect));
  return out;
}

function classifyPostgres(sql: string): Statement[] {
  let tree: ReturnType<PostgresParser['parse']>;
  try {
    tree = postgresParser!.parse(sql);
  } catch (e) {
    throw new Unanalysable(`PostgreSQL parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
  const stmts = Array.isArray(tree.stmts) ? tree.stmts : [];
  if (stmts.length > SQL_MAX_STATEMENTS) throw new Unanalysable(`more than ${SQL_MAX_STATEMENTS} statements`);
  const ctx: PgContext = { prepared: new Map() };
  return stmts.map((raw) => {
    const start = raw.stmt_location ?? 0;
    const text = (raw.stmt_len ? sql.slice(start, start + raw.stmt_len) : sql.slice(start)).trim();
    return { text, effects: classifyPgStatement(raw.stmt, ctx) };
  });
}

function classifySpan(span: StatementSpan, dialect: SqlDialect): Statement[] {
  let ast: unknown;
  try {
    ast = nspFor(dialect).astify(span.text, { database: NSP_DB[dialect] });
  } catch (e) {
    const byTokens = classifyByTokens(span.tokens, dialect);
    if (byTokens) return [{ text: span.text, effects: byTokens }];
    // SQLite's upsert (INSERT … ON CONFLICT … DO UPDATE) has PostgreSQL's syntax and meaning, which
    // node-sql-parser's SQLite grammar lacks: an INSERT only is retried with the PostgreSQL parser.
    if (dialect === 'sqlite' && postgresParser && span.tokens[0]?.text.toUpperCase() === 'INSERT') {
      try {
        const stmts = postgresParser.parse(span.text).stmts ?? [];
        const ctx: PgContext = { prepared: new Map() };
        if (stmts.length === 1) return [{ text: span.text, effects: classifyPgStatement(stmts[0]!.stmt, ctx) }];
      } catch {
        // fall through to unknown below
      }
    }
    const msg = e instanceof Error ? e.message.split('\n')[0]!.slice(0, 160) : String(e);
    throw new Unanalysable(`${dialect} parse error in "${span.text.slice(0, 60)}": ${msg}`);
  }
  const asts = Array.isArray(ast) ? ast : [ast];
  // A piece holding several statements means the splitter and the parser disagree: all are classified.
  return asts.map((a) => ({ text: span.text, effects: classifyGenericStatement(a, dialect) }));
}

/**
 * Classifies a SQL batch. Synchronous and never throws: unparseable input, input over the bounds,
 * or any internal error gives `unknownClassification`.
 */
export function classifySql(sql: string, dialect: SqlDialect): Classification {
  try {
    const statements = classifyStatements(sql, dialect);
    const effects = statements.flatMap((s) => s.effects);
    if (effects.length === 0) return summarize([], ['no SQL statement (empty or only comments)']);
    const reasons = dialect === 'postgres' && !postgresParser ? ['PostgreSQL classified with the fallback grammar (real parser not loaded)'] : [];
    return summarize(effects, reasons);
  } catch (e) {
    if (e instanceof Unanalysable) return unknownClassification(e.message);
    return unknownClassification(`SQL classifier error: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`);
  }
}

/**
 * The statements of a batch as text (for per-statement dry runs). PostgreSQL uses the real
 * parser's statement locations when it is loaded. Throws on input that cannot be split.
 */
export function splitSqlStatements(sql: string, dialect: SqlDialect): string[] {
  if (sql.length > SQL_MAX_BYTES) throw new Error(`SQL longer than ${SQL_MAX_BYTES / 1024} KiB`);
  if (dialect === 'postgres' && postgresParser) {
    const stmts = postgresParser.parse(sql).stmts ?? [];
    return stmts.map((raw) => {
      const start = raw.stmt_location ?? 0;
      return (raw.stmt_len ? sql.slice(start, start + raw.stmt_len) : sql.slice(start)).trim();
    });
  }
  const lex = lexSql(sql, dialect);
  if (lex.error) throw new Error(lex.error);
  return splitTokens(sql, lex).map((s) => s.text);
}

/** True only when every statement of the batch is read-class (unknown is never read-only). */
export function isReadOnlySql(sql: string, dialect: SqlDialect): boolean {
  const c = classifySql(sql, dialect);
  return c.reversibility === 'read' && c.effects.every((e) => e.kind === 'read');
}
