/**
 * Reads a SQL batch before the database layer runs it: the statements, which ones cannot run inside
 * a transaction (so cannot be dry-run), which ones change session state Airlock keeps for itself,
 * which tables they write, and whether the classifier found effects that escape a transaction
 * (files, processes, network, code nobody has read), which a rolled-back dry run would still cause.
 *
 * PostgreSQL statements are read from the real PostgreSQL parse tree (libpg-query); SQLite
 * statements from the project's lexer (the statement kinds that matter here are all decided by
 * their leading keywords).
 */
import { loadModule, parseSync } from 'libpg-query';
import { classifySql, splitSqlStatements } from '../../core/classify/sql';
import { lexSql } from '../../core/classify/sql/lexer';
import type { Effect } from '../../core/effects';
import { loadSqlParsers } from './sqlParser';
import { DbError, qi } from './common';
import type { DbDialect } from './types';

export interface TableRef {
  schema?: string;
  name: string;
  /** The quoted SQL name (`"s"."t"`). */
  sql: string;
}

export interface PlannedStatement {
  text: string;
  /** The statement kind (PostgreSQL node type such as `UpdateStmt`, SQLite leading keyword such as `UPDATE`). */
  kind: string;
  /** Set when the statement cannot run inside a transaction block. */
  nonTransactional?: string;
  /** Set when Airlock refuses the statement altogether in this layer (transaction control, session state). */
  refused?: string;
  /** Tables whose rows the statement writes (DML targets, including data-modifying CTEs). */
  dmlTargets: TableRef[];
  /** True when some write may update or delete existing rows (so a before-image is worth taking). */
  changesRows: boolean;
  /** Tables a TRUNCATE or DROP TABLE would destroy. */
  destroys: TableRef[];
  /** True when the statement returns rows in PostgreSQL's cursor-compatible form (SELECT, VALUES, TABLE, WITH … SELECT). */
  cursorable: boolean;
}

export interface Plan {
  statements: PlannedStatement[];
  /** Effects that would escape a rolled-back transaction (dry run refused when non-empty). */
  escaping: string[];
}

let pgLoaded: Promise<void> | undefined;
/** Loads the PostgreSQL parser (wasm) for the planner and the classifier. */
export async function loadPlanner(): Promise<void> {
  pgLoaded ??= Promise.all([loadModule(), loadSqlParsers()]).then(() => undefined);
  await pgLoaded;
}

function tableRef(schema: string | undefined, name: string): TableRef {
  return { ...(schema ? { schema } : {}), name, sql: schema ? `${qi(schema)}.${qi(name)}` : qi(name) };
}

/** Effects a rolled-back transaction does not undo. */
export function escapingEffects(effects: Effect[]): string[] {
  const out: string[] = [];
  for (const e of effects) {
    const outside =
      e.kind === 'exec' ||
      e.kind === 'process' ||
      e.kind === 'network' ||
      e.exec === true ||
      e.network === true ||
      e.secrets === true ||
      e.reversibility === 'unknown' ||
      /\bfiles?\b|COPY/i.test(`${e.source ?? ''} ${e.detail}`);
    if (outside) out.push(e.detail);
  }
  return [...new Set(out)];
}

export function planSql(sql: string, dialect: DbDialect): Plan {
  if (typeof sql !== 'string' || sql.trim() === '') throw new DbError('unsupported', 'empty SQL');
  const statements = dialect === 'postgres' ? planPostgres(sql) : planSqlite(sql);
  if (statements.length === 0) throw new DbError('unsupported', 'no SQL statement (empty or only comments)');
  const escaping = escapingEffects(classifySql(sql, dialect).effects);
  return { statements, escaping };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

type Node = Record<string, unknown>;
const isObj = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (isObj(v) && typeof (v.String as Node | undefined)?.sval === 'string' ? ((v.String as Node).sval as string) : typeof v === 'string' ? v : '');

function rangeVar(v: unknown): TableRef | undefined {
  const r = isObj(v) && isObj(v.RangeVar) ? (v.RangeVar as Node) : isObj(v) && typeof v.relname === 'string' ? v : undefined;
  if (!r || typeof r.relname !== 'string') return undefined;
  return tableRef(typeof r.schemaname === 'string' ? r.schemaname : undefined, r.relname);
}

/** Every DML node (INSERT/UPDATE/DELETE/MERGE) anywhere in the tree, with its target. */
function dmlIn(node: unknown, out: { ref: TableRef; kind: string; upsert: boolean }[], depth = 0): void {
  if (depth > 200) throw new DbError('unsupported', 'statement nested too deeply');
  if (Array.isArray(node)) {
    for (const n of node) dmlIn(n, out, depth + 1);
    return;
  }
  if (!isObj(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'InsertStmt' || k === 'UpdateStmt' || k === 'DeleteStmt' || k === 'MergeStmt') && isObj(v)) {
      const ref = rangeVar(v.relation);
      if (ref) out.push({ ref, kind: k, upsert: k === 'InsertStmt' && isObj(v.onConflictClause) && (v.onConflictClause as Node).action === 'ONCONFLICT_UPDATE' });
    }
    dmlIn(v, out, depth + 1);
  }
}

function planPostgres(sql: string): PlannedStatement[] {
  let tree: { stmts?: Array<{ stmt?: unknown; stmt_location?: number; stmt_len?: number }> };
  try {
    tree = parseSync(sql) as typeof tree;
  } catch (e) {
    throw new DbError('sql', `PostgreSQL parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
  return (tree.stmts ?? []).map((raw) => {
    const start = raw.stmt_location ?? 0;
    const text = (raw.stmt_len ? sql.slice(start, start + raw.stmt_len) : sql.slice(start)).trim();
    const stmt = isObj(raw.stmt) ? raw.stmt : {};
    const kind = Object.keys(stmt)[0] ?? 'Unknown';
    const s = isObj(stmt[kind]) ? (stmt[kind] as Node) : {};
    const p: PlannedStatement = { text, kind, dmlTargets: [], changesRows: false, destroys: [], cursorable: kind === 'SelectStmt' };
    const dml: { ref: TableRef; kind: string; upsert: boolean }[] = [];
    dmlIn(stmt, dml);
    const seen = new Set<string>();
    for (const d of dml) {
      if (!seen.has(d.ref.sql)) p.dmlTargets.push(d.ref);
      seen.add(d.ref.sql);
      if (d.kind !== 'InsertStmt' || d.upsert) p.changesRows = true;
    }
    const defNames = (list: unknown): string[] => (Array.isArray(list) ? list.map((d) => (isObj(d) && isObj(d.DefElem) ? String((d.DefElem as Node).defname) : '')) : []);
    switch (kind) {
      case 'VacuumStmt':
        if (s.is_vacuumcmd) p.nonTransactional = 'VACUUM cannot run inside a transaction block';
        break;
      case 'CreatedbStmt':
        p.nonTransactional = 'CREATE DATABASE cannot run inside a transaction block';
        break;
      case 'DropdbStmt':
        p.nonTransactional = 'DROP DATABASE cannot run inside a transaction block';
        break;
      case 'AlterSystemStmt':
        p.nonTransactional = 'ALTER SYSTEM cannot run inside a transaction block';
        break;
      case 'CreateTableSpaceStmt':
      case 'DropTableSpaceStmt':
        p.nonTransactional = `${kind === 'CreateTableSpaceStmt' ? 'CREATE' : 'DROP'} TABLESPACE cannot run inside a transaction block`;
        break;
      case 'IndexStmt':
        if (s.concurrent) p.nonTransactional = 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block';
        break;
      case 'DropStmt':
        if (s.concurrent) p.nonTransactional = 'DROP INDEX CONCURRENTLY cannot run inside a transaction block';
        if (s.removeType === 'OBJECT_TABLE' && Array.isArray(s.objects)) {
          for (const o of s.objects) {
            const parts = (isObj(o) && isObj(o.List) && Array.isArray((o.List as Node).items) ? ((o.List as Node).items as unknown[]) : []).map(str);
            if (parts.length === 1) p.destroys.push(tableRef(undefined, parts[0]!));
            else if (parts.length === 2) p.destroys.push(tableRef(parts[0], parts[1]!));
          }
        }
        break;
      case 'ReindexStmt':
        if (defNames(s.params).includes('concurrently')) p.nonTransactional = 'REINDEX CONCURRENTLY cannot run inside a transaction block';
        else if (s.kind === 'REINDEX_OBJECT_DATABASE' || s.kind === 'REINDEX_OBJECT_SYSTEM') p.nonTransactional = 'REINDEX DATABASE/SYSTEM cannot run inside a transaction block';
        break;
      case 'ClusterStmt':
        if (!s.relation) p.nonTransactional = 'CLUSTER without a table cannot run inside a transaction block';
        break;
      case 'CreateSubscriptionStmt':
      case 'DropSubscriptionStmt':
      case 'AlterSubscriptionStmt':
        p.nonTransactional = 'subscription commands cannot run inside a transaction block';
        break;
      case 'DiscardStmt':
        p.nonTransactional = 'DISCARD cannot run inside a transaction block';
        break;
      case 'TruncateStmt':
        if (Array.isArray(s.relations)) for (const r of s.relations) {
          const ref = rangeVar(r);
          if (ref) p.destroys.push(ref);
        }
        break;
      case 'TransactionStmt':
        p.refused = 'transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) is Airlock\'s own: send the statements without it';
        break;
      case 'CopyStmt':
        if (!s.filename && !s.is_program) p.refused = 'COPY FROM STDIN / TO STDOUT needs the COPY protocol, which these tools do not speak';
        break;
      case 'PrepareStmt':
      case 'ExecuteStmt':
      case 'DeallocateStmt':
      case 'DeclareCursorStmt':
      case 'ClosePortalStmt':
      case 'FetchStmt':
      case 'ListenStmt':
      case 'UnlistenStmt':
      case 'LoadStmt':
        p.refused = `${kind.replace('Stmt', '')} changes the session state Airlock keeps for itself`;
        break;
      case 'VariableSetStmt':
        if (!s.is_local) p.refused = 'SET (session-wide) changes the session state Airlock keeps for itself; use SET LOCAL within the batch';
        break;
      default:
        break;
    }
    return p;
  });
}

// ---------------------------------------------------------------------------------------------
// SQLite

function planSqlite(sql: string): PlannedStatement[] {
  let texts: string[];
  try {
    texts = splitSqlStatements(sql, 'sqlite');
  } catch (e) {
    throw new DbError('sql', `SQLite SQL cannot be split into statements: ${e instanceof Error ? e.message : String(e)}`);
  }
  return texts.map((text) => {
    const toks = lexSql(text, 'sqlite').tokens.filter((t) => t.type !== 'comment');
    const words = toks.map((t) => (t.type === 'word' ? t.text.toUpperCase() : t.text));
    let i = 0;
    // Skip a leading WITH … clause to find the statement verb.
    if (words[0] === 'WITH') {
      let depth = 0;
      for (i = 1; i < words.length; i++) {
        const w = words[i];
        if (w === '(') depth++;
        else if (w === ')') depth--;
        else if (depth === 0 && (w === 'SELECT' || w === 'INSERT' || w === 'UPDATE' || w === 'DELETE' || w === 'REPLACE' || w === 'VALUES')) break;
      }
    }
    const verb = words[i] ?? '';
    const kind = verb === 'EXPLAIN' ? 'EXPLAIN' : verb;
    const p: PlannedStatement = { text, kind, dmlTargets: [], changesRows: verb === 'UPDATE' || verb === 'DELETE' || verb === 'REPLACE', destroys: [], cursorable: verb === 'SELECT' || verb === 'VALUES' };
    if (verb === 'INSERT') {
      // INSERT OR REPLACE and upserts change existing rows.
      if (words.includes('REPLACE') || words.includes('CONFLICT')) p.changesRows = true;
    }
    const nameAt = (j: number): TableRef | undefined => {
      const a = toks[j];
      if (!a || !(a.type === 'word' || a.type === 'ident')) return undefined;
      const unq = (t: string): string => (/^["`[]/.test(t) ? t.slice(1, -1).replace(/""/g, '"') : t);
      if (toks[j + 1]?.text === '.' && toks[j + 2]) return tableRef(unq(a.text), unq(toks[j + 2]!.text));
      return tableRef(undefined, unq(a.text));
    };
    // The DML target: UPDATE [OR x] name, DELETE FROM name, INSERT [OR x] INTO name, REPLACE INTO name.
    let j = i + 1;
    if (verb === 'UPDATE' || verb === 'INSERT') if (words[j] === 'OR') j += 2;
    if (verb === 'DELETE' && words[j] === 'FROM') j++;
    if ((verb === 'INSERT' || verb === 'REPLACE') && words[j] === 'INTO') j++;
    if (verb === 'UPDATE' || verb === 'DELETE' || verb === 'INSERT' || verb === 'REPLACE') {
      const ref = nameAt(j);
      if (ref) p.dmlTargets.push(ref);
    }
    switch (verb) {
      case 'VACUUM':
        p.nonTransactional = 'VACUUM cannot run inside a transaction';
        break;
      case 'ATTACH':
      case 'DETACH':
        p.nonTransactional = `${verb} cannot run inside a transaction`;
        break;
      case 'PRAGMA':
        p.nonTransactional = 'PRAGMA settings are not part of a transaction (a rollback does not undo them)';
        break;
      case 'BEGIN':
      case 'COMMIT':
      case 'END':
      case 'ROLLBACK':
      case 'SAVEPOINT':
      case 'RELEASE':
        p.refused = "transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) is Airlock's own: send the statements without it";
        break;
      case 'DROP':
        if (words[i + 1] === 'TABLE') {
          const j = words[i + 2] === 'IF' && words[i + 3] === 'EXISTS' ? i + 4 : i + 2;
          const ref = nameAt(j);
          if (ref) p.destroys.push(ref);
        }
        break;
      default:
        break;
    }
    return p;
  });
}
