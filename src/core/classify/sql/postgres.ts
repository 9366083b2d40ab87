/**
 * PostgreSQL statements as parsed by the real PostgreSQL parser (libpg-query's JSON parse tree).
 * The parse tree is walked as plain JSON; the parser itself is injected (see PostgresParser in
 * ../sql.ts) so this module stays pure.
 */
import type { Effect } from '../../effects';
import {
  destroyEffect,
  functionEffectToEffect,
  isTautology,
  lockEffect,
  opaqueEffect,
  otherExpr,
  readEffect,
  writeEffect,
  type Expr,
} from './sqlEffects';

type Node = Record<string, unknown>;

const isObj = (x: unknown): x is Node => typeof x === 'object' && x !== null && !Array.isArray(x);
const obj = (x: unknown): Node => (isObj(x) ? x : {});
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string => (typeof x === 'string' ? x : '');

/** The single key of a node wrapper (`{ "DeleteStmt": {…} }` → ["DeleteStmt", {…}]). */
function unwrap(x: unknown): [string, Node] {
  if (!isObj(x)) return ['', {}];
  const k = Object.keys(x)[0] ?? '';
  return [k, obj(x[k])];
}

function rangeVarName(rv: unknown): string {
  const r = isObj(rv) && 'RangeVar' in rv ? obj(rv.RangeVar) : obj(rv);
  return [str(r.catalogname), str(r.schemaname), str(r.relname)].filter(Boolean).join('.');
}

function nameList(x: unknown): string {
  const [k, n] = unwrap(x);
  if (k === 'List') return arr(n.items).map((i) => str(obj(obj(i).String).sval)).filter(Boolean).join('.');
  if (k === 'String') return str(n.sval);
  if (k === 'TypeName') return arr(n.names).map((i) => str(obj(obj(i).String).sval)).join('.');
  if (k === 'ObjectWithArgs') return arr(n.objname).map((i) => str(obj(obj(i).String).sval)).join('.');
  if (k === 'RangeVar') return rangeVarName(n);
  return '';
}

export class DepthError extends Error {}

/** Visits every object node under `x` (keys first), bounded in depth. */
function visit(x: unknown, f: (key: string, n: Node) => boolean | void, depth = 0): void {
  if (depth > 400) throw new DepthError('statement nested too deeply');
  if (Array.isArray(x)) {
    for (const i of x) visit(i, f, depth + 1);
    return;
  }
  if (!isObj(x)) return;
  for (const [k, v] of Object.entries(x)) {
    if (isObj(v) && f(k, v) === false) continue;
    visit(v, f, depth + 1);
  }
}

// --- expressions -------------------------------------------------------------------------------

function toExpr(x: unknown, depth = 0): Expr {
  if (depth > 64) return otherExpr;
  const [k, n] = unwrap(x);
  switch (k) {
    case 'A_Const': {
      if (n.isnull) return { t: 'const', v: null };
      if ('boolval' in n) return { t: 'const', v: obj(n.boolval).boolval === true };
      if ('ival' in n) return { t: 'const', v: typeof obj(n.ival).ival === 'number' ? (obj(n.ival).ival as number) : 0 };
      if ('fval' in n) return { t: 'const', v: Number(str(obj(n.fval).fval)) };
      if ('sval' in n) return { t: 'const', v: str(obj(n.sval).sval) };
      return otherExpr;
    }
    case 'TypeCast': {
      const inner = toExpr(n.arg, depth + 1);
      const type = nameList({ TypeName: n.typeName }).replace(/^pg_catalog\./, '');
      if (inner.t === 'const' && (type === 'bool' || type === 'boolean') && typeof inner.v === 'string') {
        const s = inner.v.trim().toLowerCase();
        if (['t', 'true', 'yes', 'on', '1', 'y'].includes(s)) return { t: 'const', v: true };
        if (['f', 'false', 'no', 'off', '0', 'n'].includes(s)) return { t: 'const', v: false };
      }
      return inner.t === 'const' ? inner : otherExpr;
    }
    case 'ColumnRef':
      return { t: 'col', name: arr(n.fields).map((f) => str(obj(obj(f).String).sval) || '*').join('.').toLowerCase() };
    case 'BoolExpr': {
      const args = arr(n.args).map((a) => toExpr(a, depth + 1));
      if (n.boolop === 'NOT_EXPR') return { t: 'not', e: args[0] ?? otherExpr };
      return { t: n.boolop === 'OR_EXPR' ? 'or' : 'and', args };
    }
    case 'A_Expr': {
      if (n.kind !== 'AEXPR_OP') return otherExpr;
      const op = arr(n.name).map((i) => str(obj(obj(i).String).sval)).join('.');
      return { t: 'bin', op, l: toExpr(n.lexpr, depth + 1), r: toExpr(n.rexpr, depth + 1) };
    }
    case 'BooleanTest': {
      const e = toExpr(n.arg, depth + 1);
      if (n.booltesttype === 'IS_TRUE') return e;
      if (n.booltesttype === 'IS_NOT_FALSE') return e;
      return otherExpr;
    }
    default:
      return otherExpr;
  }
}

function unbounded(where: unknown): boolean {
  return where === undefined || where === null || isTautology(toExpr(where));
}

// --- statements --------------------------------------------------------------------------------

export interface PgContext {
  /** PREPAREd statements seen earlier in the batch, by name. */
  prepared: Map<string, Effect[]>;
}

const DROP_NOUN: Record<string, string> = {
  OBJECT_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_INDEX: 'index',
  OBJECT_SCHEMA: 'schema',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'procedure',
  OBJECT_TRIGGER: 'trigger',
  OBJECT_TYPE: 'type',
  OBJECT_EXTENSION: 'extension',
  OBJECT_FOREIGN_TABLE: 'foreign table',
  OBJECT_POLICY: 'policy',
  OBJECT_RULE: 'rule',
};

/** Effects of nested parts of any statement: data-modifying CTEs and function calls. */
function nestedEffects(stmt: Node, source: string, ctx: PgContext): Effect[] {
  const out: Effect[] = [];
  visit(stmt, (k, n) => {
    if (k === 'CommonTableExpr') {
      const [qk] = unwrap(n.ctequery);
      if (qk === 'InsertStmt' || qk === 'UpdateStmt' || qk === 'DeleteStmt' || qk === 'MergeStmt') {
        const inner = classifyPgStatement(n.ctequery, ctx);
        const target = inner.map((e) => e.target).filter(Boolean).join(', ') || undefined;
        out.push(destroyEffect(qk === 'InsertStmt' ? 'write' : qk === 'DeleteStmt' ? 'delete' : 'overwrite', source, target, `data-modifying CTE ${str(n.ctename)} hides a ${qk.replace('Stmt', '').toUpperCase()} of ${target ?? 'a table'} inside a query`));
        out.push(...inner);
        return false;
      }
    }
    if (k === 'FuncCall') {
      const name = arr(n.funcname).map((i) => str(obj(obj(i).String).sval)).join('.');
      const e = functionEffectToEffect(name, source);
      if (e) out.push(e);
    }
    return undefined;
  });
  return out;
}

function tablesRead(stmt: Node): string[] {
  const names = new Set<string>();
  visit(stmt, (k, n) => {
    if (k === 'RangeVar') names.add(rangeVarName(n));
  });
  return [...names];
}

export function classifyPgStatement(raw: unknown, ctx: PgContext): Effect[] {
  const [type, s] = unwrap(raw);
  const src = type.replace(/Stmt$/, '').toUpperCase();
  switch (type) {
    case 'SelectStmt': {
      const out: Effect[] = [];
      const into = obj(s.intoClause);
      if (s.intoClause) out.push(writeEffect('create', 'SELECT INTO', rangeVarName(into.rel), `creates table ${rangeVarName(into.rel)} from a query (SELECT INTO)`));
      if (arr(s.lockingClause).length) out.push(lockEffect('SELECT FOR UPDATE', tablesRead(s).join(', '), `locks the selected rows of ${tablesRead(s).join(', ') || 'the query'} until the transaction ends`));
      out.push(...nestedEffects(s, 'SELECT', ctx));
      if (out.length === 0) out.push(readEffect('SELECT', tablesRead(s)));
      return out;
    }
    case 'InsertStmt': {
      const t = rangeVarName(s.relation);
      const upsert = obj(s.onConflictClause).action === 'ONCONFLICT_UPDATE';
      return [
        upsert ? writeEffect('write', 'INSERT', t, `inserts rows into ${t}, updating rows that conflict (ON CONFLICT DO UPDATE)`) : writeEffect('create', 'INSERT', t, `inserts rows into ${t}`),
        ...nestedEffects(s, 'INSERT', ctx),
      ];
    }
    case 'UpdateStmt': {
      const t = rangeVarName(s.relation);
      const cols = arr(s.targetList).map((r) => str(obj(obj(r).ResTarget).name)).filter(Boolean).join(', ');
      const main = unbounded(s.whereClause)
        ? destroyEffect('overwrite', 'UPDATE', t, `overwrites ${cols || 'columns'} in every row of ${t} (${s.whereClause ? 'WHERE is always true' : 'no WHERE'})`)
        : writeEffect('write', 'UPDATE', t, `updates ${cols || 'columns'} in the rows of ${t} that match the WHERE`);
      return [main, ...nestedEffects(s, 'UPDATE', ctx)];
    }
    case 'DeleteStmt': {
      const t = rangeVarName(s.relation);
      const main = unbounded(s.whereClause)
        ? destroyEffect('delete', 'DELETE', t, `deletes every row of ${t} (${s.whereClause ? 'WHERE is always true' : 'no WHERE'})`)
        : writeEffect('delete', 'DELETE', t, `deletes the rows of ${t} that match the WHERE`);
      return [main, ...nestedEffects(s, 'DELETE', ctx)];
    }
    case 'MergeStmt': {
      const t = rangeVarName(s.relation);
      return [writeEffect('write', 'MERGE', t, `merges rows into ${t}`), ...nestedEffects(s, 'MERGE', ctx)];
    }
    case 'TruncateStmt': {
      const t = arr(s.relations).map(rangeVarName).join(', ');
      return [destroyEffect('delete', 'TRUNCATE', t, `deletes every row of ${t} (TRUNCATE)`)];
    }
    case 'DropStmt': {
      const noun = DROP_NOUN[str(s.removeType)] ?? str(s.removeType).replace(/^OBJECT_/, '').toLowerCase().replace(/_/g, ' ');
      const names = arr(s.objects).map(nameList).filter(Boolean).join(', ');
      const cascade = s.behavior === 'DROP_CASCADE' ? ' and everything that depends on it (CASCADE)' : '';
      return [destroyEffect('delete', `DROP ${noun.toUpperCase()}`, names, `drops ${noun} ${names}${cascade}`)];
    }
    case 'DropdbStmt':
      return [destroyEffect('delete', 'DROP DATABASE', str(s.dbname), `drops database ${str(s.dbname)}`)];
    case 'DropRoleStmt':
      return [destroyEffect('permissions', 'DROP ROLE', undefined, 'drops database roles', { securityConfig: true })];
    case 'DropOwnedStmt':
      return [destroyEffect('delete', 'DROP OWNED', undefined, 'drops every object owned by the given roles')];
    case 'ReassignOwnedStmt':
    case 'GrantStmt':
    case 'GrantRoleStmt':
    case 'AlterDefaultPrivilegesStmt':
    case 'CreateRoleStmt':
    case 'AlterRoleStmt':
    case 'AlterRoleSetStmt':
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt': {
      const pub = arr(s.grantees).some((g) => obj(obj(g).RoleSpec).roletype === 'ROLESPEC_PUBLIC');
      const objs = arr(s.objects).map(nameList).filter(Boolean).join(', ') || undefined;
      const verb = type === 'GrantStmt' ? (s.is_grant ? 'grants' : 'revokes') : 'changes';
      const detail = type === 'GrantStmt' ? `${verb} privileges on ${objs ?? 'objects'}${pub ? ' to PUBLIC (every role)' : ''}` : `changes database roles or privileges (${src})`;
      return [destroyEffect('permissions', type === 'GrantStmt' ? (s.is_grant ? 'GRANT' : 'REVOKE') : src, objs, detail, { securityConfig: true })];
    }
    case 'AlterSystemStmt':
      return [destroyEffect('write', 'ALTER SYSTEM', str(obj(s.setstmt).name), `changes server configuration ${str(obj(s.setstmt).name)} (ALTER SYSTEM)`, { securityConfig: true })];
    case 'AlterTableStmt': {
      const t = rangeVarName(s.relation);
      const out: Effect[] = [];
      for (const c of arr(s.cmds)) {
        const cmd = obj(obj(c).AlterTableCmd);
        const sub = str(cmd.subtype);
        const name = str(cmd.name);
        if (sub === 'AT_AddColumn') out.push(writeEffect('create', 'ALTER TABLE ADD COLUMN', t, `adds column ${str(obj(obj(cmd.def).ColumnDef).colname)} to ${t}`));
        else if (sub === 'AT_DropColumn') out.push(destroyEffect('delete', 'ALTER TABLE DROP COLUMN', t, `drops column ${name} of ${t} and its data`));
        else if (sub === 'AT_DropConstraint') out.push(destroyEffect('delete', 'ALTER TABLE DROP CONSTRAINT', t, `drops constraint ${name} of ${t}`));
        else if (sub === 'AT_AlterColumnType') out.push(destroyEffect('overwrite', 'ALTER TABLE ALTER COLUMN TYPE', t, `converts the data of column ${name} of ${t} to a new type`));
        else if (/^AT_(Disable|Enable)(Trig|Rule|RowSecurity)|^AT_(NoForce|Force)RowSecurity|^AT_DisableRowSecurity/.test(sub))
          out.push(destroyEffect('write', 'ALTER TABLE', t, `changes triggers or row security of ${t} (${sub.replace('AT_', '')})`, { securityConfig: true }));
        else if (sub === 'AT_ChangeOwner') out.push(destroyEffect('permissions', 'ALTER TABLE OWNER', t, `changes the owner of ${t}`, { securityConfig: true }));
        else out.push(writeEffect('write', 'ALTER TABLE', t, `alters ${t} (${sub.replace('AT_', '')})`));
      }
      return out.length ? out : [writeEffect('write', 'ALTER TABLE', t, `alters ${t}`)];
    }
    case 'RenameStmt':
    case 'AlterObjectSchemaStmt':
    case 'AlterSeqStmt':
    case 'AlterEnumStmt':
    case 'AlterDomainStmt':
    case 'CommentStmt':
    case 'AlterOwnerStmt':
      return [writeEffect('write', src, rangeVarName(s.relation) || undefined, `changes database schema (${src})`)];
    case 'CreateStmt':
      return [writeEffect('create', 'CREATE TABLE', rangeVarName(s.relation), `creates table ${rangeVarName(s.relation)}`)];
    case 'CreateTableAsStmt': {
      const t = rangeVarName(obj(s.into).rel);
      return [writeEffect('create', 'CREATE TABLE AS', t, `creates ${s.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table'} ${t} from a query`), ...nestedEffects(obj(s.query), 'CREATE TABLE AS', ctx)];
    }
    case 'IndexStmt':
      return [writeEffect('create', 'CREATE INDEX', rangeVarName(s.relation), `creates index ${str(s.idxname) || ''} on ${rangeVarName(s.relation)}`.replace('  ', ' '))];
    case 'ViewStmt': {
      const v = rangeVarName(s.view);
      if (s.replace) return [destroyEffect('overwrite', 'CREATE OR REPLACE VIEW', v, `replaces view ${v} (the old definition is lost)`)];
      return [writeEffect('create', 'CREATE VIEW', v, `creates view ${v}`)];
    }
    case 'CreateFunctionStmt': {
      const f = arr(s.funcname).map((i) => str(obj(obj(i).String).sval)).join('.');
      const what = s.is_procedure ? 'procedure' : 'function';
      if (s.replace) return [destroyEffect('overwrite', `CREATE OR REPLACE ${what.toUpperCase()}`, f, `replaces ${what} ${f} (the old body is lost; callers run new code)`, { exec: true })];
      return [writeEffect('create', `CREATE ${what.toUpperCase()}`, f, `creates ${what} ${f}`)];
    }
    case 'CreateTrigStmt':
    case 'CreateEventTrigStmt':
      return [destroyEffect('exec', 'CREATE TRIGGER', rangeVarName(s.relation) || undefined, `creates trigger ${str(s.trigname)}: code that runs on later writes`, { exec: true })];
    case 'CreateExtensionStmt':
      return [destroyEffect('exec', 'CREATE EXTENSION', str(s.extname), `installs extension ${str(s.extname)} (native code in the server)`, { exec: true })];
    case 'CreateSchemaStmt':
    case 'CreateSeqStmt':
    case 'CreatedbStmt':
    case 'CreateDomainStmt':
    case 'CompositeTypeStmt':
    case 'CreateEnumStmt':
    case 'DefineStmt':
    case 'CreateRangeStmt':
      return [writeEffect('create', src.replace(/^CREATE/, 'CREATE '), str(s.schemaname) || str(s.dbname) || rangeVarName(s.sequence) || undefined, `creates a database object (${src})`)];
    case 'CopyStmt': {
      const t = rangeVarName(s.relation) || 'a query';
      const file = str(s.filename);
      if (s.is_program) return [destroyEffect('exec', 'COPY PROGRAM', file, `runs a shell command on the database server: ${file}`, { exec: true })];
      if (s.is_from) {
        if (file) return [destroyEffect('read', 'COPY FROM FILE', file, `reads server file ${file} into ${t}`, { secrets: true })];
        return [writeEffect('create', 'COPY FROM', t, `inserts rows into ${t} from the client`)];
      }
      if (file) return [destroyEffect('overwrite', 'COPY TO FILE', file, `writes ${t} to server file ${file}`)];
      return [readEffect('COPY TO', rangeVarName(s.relation) ? [t] : [], `reads ${t} to the client`), ...nestedEffects(obj(s.query), 'COPY', ctx)];
    }
    case 'ExplainStmt': {
      const analyze = arr(s.options).some((o) => {
        const d = obj(obj(o).DefElem);
        const v = obj(d.arg);
        return d.defname === 'analyze' && !(str(obj(v.String).sval).toLowerCase() === 'false' || str(obj(v.String).sval).toLowerCase() === 'off' || (isObj(v.Boolean) && !v.Boolean.boolval));
      });
      const inner = classifyPgStatement(s.query, ctx);
      if (!analyze) return [readEffect('EXPLAIN', [], 'shows a query plan without running it')];
      const writes = inner.filter((e) => e.reversibility !== 'read');
      if (writes.length === 0) return [readEffect('EXPLAIN ANALYZE', [], 'runs a read-only query to measure it')];
      return [
        destroyEffect('write', 'EXPLAIN ANALYZE', writes.map((e) => e.target).filter(Boolean).join(', ') || undefined, 'EXPLAIN ANALYZE really executes the statement it explains'),
        ...inner.map((e) => ({ ...e, reversibility: e.reversibility === 'unknown' ? ('unknown' as const) : ('irreversible' as const), snapshotable: false })),
      ];
    }
    case 'PrepareStmt': {
      const inner = classifyPgStatement(s.query, ctx);
      ctx.prepared.set(str(s.name), inner);
      return inner.map((e) => ({ ...e, detail: `${e.detail} (when prepared statement ${str(s.name)} is executed)` }));
    }
    case 'ExecuteStmt': {
      const p = ctx.prepared.get(str(s.name));
      if (p) return p;
      return [opaqueEffect('exec', 'EXECUTE', str(s.name), `executes prepared statement ${str(s.name)}, whose text is not in this batch`)];
    }
    case 'DoStmt':
      return [opaqueEffect('exec', 'DO', undefined, 'runs an anonymous code block (DO), whose effect cannot be known')];
    case 'CallStmt': {
      const f = obj(obj(s.funccall).FuncCall);
      const name = arr(f.funcname).map((i) => str(obj(obj(i).String).sval)).join('.');
      return [opaqueEffect('unknown', 'CALL', name, `calls procedure ${name}, whose effect cannot be known`)];
    }
    case 'VariableSetStmt': {
      const name = str(s.name).toLowerCase();
      if (name === 'session_replication_role')
        return [destroyEffect('write', 'SET', name, 'SET session_replication_role disables triggers and foreign-key checks', { securityConfig: true })];
      return [readEffect('SET', [], `changes session setting ${name || s.kind} (this session only)`)];
    }
    case 'VariableShowStmt':
      return [readEffect('SHOW', [], `shows setting ${str(s.name)}`)];
    case 'TransactionStmt':
      return [readEffect(str(s.kind).replace('TRANS_STMT_', '').replace('_', ' '), [], 'transaction control')];
    case 'LockStmt': {
      const t = arr(s.relations).map(rangeVarName).join(', ');
      return [lockEffect('LOCK', t, `locks ${t} until the transaction ends`)];
    }
    case 'VacuumStmt': {
      const t = arr(s.rels).map((r) => rangeVarName(obj(obj(r).VacuumRelation).relation)).join(', ') || undefined;
      return [writeEffect('write', s.is_vacuumcmd ? 'VACUUM' : 'ANALYZE', t, `${s.is_vacuumcmd ? 'vacuums' : 'gathers statistics for'} ${t ?? 'the database'}`, false)];
    }
    case 'ReindexStmt':
      return [writeEffect('write', 'REINDEX', rangeVarName(s.relation) || str(s.name) || undefined, 'rebuilds indexes', false)];
    case 'ClusterStmt':
    case 'RefreshMatViewStmt':
    case 'CheckPointStmt':
      return [writeEffect('write', src, rangeVarName(s.relation) || undefined, `rewrites stored data (${src})`, false)];
    case 'NotifyStmt':
      return [writeEffect('write', 'NOTIFY', str(s.conditionname), `sends notification ${str(s.conditionname)} to listeners`, false)];
    case 'ListenStmt':
    case 'UnlistenStmt':
    case 'DeallocateStmt':
    case 'ClosePortalStmt':
    case 'FetchStmt':
      return [readEffect(src, [], `session-only statement (${src})`)];
    case 'DeclareCursorStmt':
      return classifyPgStatement(s.query, ctx);
    case 'DiscardStmt':
      return [destroyEffect('delete', 'DISCARD', undefined, 'discards session state, including temporary tables')];
    default:
      return [opaqueEffect('unknown', src || 'UNKNOWN', undefined, `statement type ${type || 'unknown'} is not classified`)];
  }
}
