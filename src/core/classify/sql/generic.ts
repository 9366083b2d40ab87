/**
 * MySQL and SQLite statements (and PostgreSQL when the real PostgreSQL parser is not loaded) as
 * parsed by node-sql-parser, plus the few simple statements its grammars lack (SQLite PRAGMA,
 * VACUUM, transaction control…), read from lexer tokens, where comments and strings are already
 * separate tokens.
 */
import type { SqlDialect } from '../../action';
import type { Effect } from '../../effects';
import type { Token } from './lexer';
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
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : x === null || x === undefined ? [] : [x]);
const str = (x: unknown): string => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : '');

function tableName(t: unknown): string {
  const n = obj(t);
  return [str(n.db), str(n.schema), str(n.table)].filter(Boolean).join('.');
}
function tableNames(x: unknown): string {
  return arr(x).map(tableName).filter(Boolean).join(', ');
}

function toExpr(x: unknown, depth = 0): Expr {
  if (depth > 64 || !isObj(x)) return otherExpr;
  switch (x.type) {
    case 'number':
      return typeof x.value === 'number' ? { t: 'const', v: x.value } : { t: 'const', v: Number(x.value) };
    case 'bool':
    case 'boolean':
      return { t: 'const', v: x.value === true || x.value === 'TRUE' || x.value === 'true' };
    case 'null':
      return { t: 'const', v: null };
    case 'single_quote_string':
    case 'string':
    case 'double_quote_string':
    case 'natural_string':
      return { t: 'const', v: str(x.value) };
    case 'column_ref': {
      const col = isObj(x.column) ? str(obj(obj(x.column).expr).value) : str(x.column);
      return { t: 'col', name: [str(x.table), col].filter(Boolean).join('.').toLowerCase() };
    }
    case 'unary_expr':
      if (str(x.operator).toUpperCase() === 'NOT' || x.operator === '!') return { t: 'not', e: toExpr(x.expr, depth + 1) };
      return otherExpr;
    case 'binary_expr': {
      const op = str(x.operator).toUpperCase();
      const l = toExpr(x.left, depth + 1);
      const r = toExpr(x.right, depth + 1);
      // MySQL reads `||` as OR (unless PIPES_AS_CONCAT); folding it as OR is only ever stricter.
      if (op === 'OR' || op === '||') return { t: 'or', args: [l, r] };
      if (op === 'AND' || op === '&&') return { t: 'and', args: [l, r] };
      if (op === 'XOR') return otherExpr;
      return { t: 'bin', op, l, r };
    }
    case 'expr_list': {
      const v = arr(x.value);
      return v.length === 1 ? toExpr(v[0], depth + 1) : otherExpr;
    }
    default:
      return otherExpr;
  }
}

function unbounded(where: unknown, dialect: SqlDialect): boolean {
  if (where === undefined || where === null) return true;
  // node-sql-parser binds MySQL's `||` (logical OR) tighter than `=`, so `id = 3 || 1 = 1` comes out
  // wrong: a WHERE that uses it is not trusted to bound anything.
  let pipes = false;
  if (dialect === 'mysql')
    visit(where, (n) => {
      if (n.type === 'binary_expr' && n.operator === '||') pipes = true;
    });
  return pipes || isTautology(toExpr(where));
}

function visit(x: unknown, f: (n: Node) => boolean | void, depth = 0): void {
  if (depth > 400) throw new Error('statement nested too deeply');
  if (Array.isArray(x)) {
    for (const i of x) visit(i, f, depth + 1);
    return;
  }
  if (!isObj(x)) return;
  if (f(x) === false) return;
  for (const v of Object.values(x)) if (typeof v === 'object' && v !== null) visit(v, f, depth + 1);
}

function functionName(n: Node): string {
  if (isObj(n.name)) return arr(obj(n.name).name).map((p) => str(obj(p).value)).join('.');
  return str(n.name);
}

function nested(stmt: Node, source: string, dialect: SqlDialect): Effect[] {
  const out: Effect[] = [];
  visit(stmt, (n) => {
    if (n !== stmt && ['insert', 'update', 'delete', 'replace'].includes(str(n.type)) && (isObj(n.table) || Array.isArray(n.table))) {
      out.push(destroyEffect('write', source, tableNames(n.table) || undefined, `a nested ${str(n.type).toUpperCase()} hides a write inside a query`));
      out.push(...classifyGenericStatement(n, dialect));
      return false;
    }
    if (n.type === 'function' || n.type === 'aggr_func') {
      const name = functionName(n);
      if (name) {
        const e = functionEffectToEffect(name, source);
        if (e) out.push(e);
      }
    }
    return undefined;
  });
  return out;
}

function readTables(stmt: Node): string[] {
  const names = new Set<string>();
  visit(stmt, (n) => {
    if (typeof n.table === 'string' && n.table && !('column' in n)) names.add(tableName(n));
  });
  return [...names];
}

export function classifyGenericStatement(raw: unknown, dialect: SqlDialect): Effect[] {
  const s = obj(raw);
  const type = str(s.type).toLowerCase();
  const kw = str(s.keyword).toLowerCase();
  switch (type) {
    case 'select': {
      const out: Effect[] = [];
      const into = obj(s.into);
      if (into.keyword || (into.position && into.expr)) {
        const k = str(into.keyword).toUpperCase();
        const dest = str(obj(into.expr).value) || str(into.expr);
        if (k === 'OUTFILE' || k === 'DUMPFILE') out.push(destroyEffect('overwrite', `SELECT INTO ${k}`, dest, `writes query results to server file ${dest}`));
        else if (k === 'VAR' || str(obj(into.expr).type) === 'var' || arr(into.expr).some((e) => str(obj(e).type) === 'var'))
          out.push(readEffect('SELECT INTO', readTables(s), 'reads into session variables'));
        else out.push(writeEffect('create', 'SELECT INTO', dest || undefined, `creates table ${dest} from a query (SELECT INTO)`));
      }
      const lock = str(s.locking_read) || str(s.for_update);
      if (lock) out.push(lockEffect('SELECT FOR UPDATE', readTables(s).join(', ') || undefined, `locks the selected rows until the transaction ends (${lock})`));
      out.push(...nested(s, 'SELECT', dialect));
      if (out.length === 0) out.push(readEffect('SELECT', readTables(s)));
      return out;
    }
    case 'insert':
    case 'replace': {
      const t = tableNames(s.table);
      const orReplace = arr(s.or).some((o) => str(obj(o).value).toUpperCase() === 'REPLACE');
      const upsert = s.on_duplicate_update || orReplace || type === 'replace' || (isObj(s.conflict) && /update/i.test(JSON.stringify(s.conflict).slice(0, 2000)));
      const main = upsert
        ? writeEffect('write', type === 'replace' || orReplace ? 'REPLACE' : 'INSERT', t, `inserts rows into ${t}, replacing or updating rows with the same key`)
        : writeEffect('create', 'INSERT', t, `inserts rows into ${t}`);
      return [main, ...nested(s, 'INSERT', dialect)];
    }
    case 'update': {
      const t = tableNames(s.table);
      const cols = arr(s.set).map((x) => str(obj(x).column)).filter(Boolean).join(', ');
      const main = unbounded(s.where, dialect)
        ? destroyEffect('overwrite', 'UPDATE', t, `overwrites ${cols || 'columns'} in every row of ${t} (${s.where ? 'WHERE is always true' : 'no WHERE'})`)
        : writeEffect('write', 'UPDATE', t, `updates ${cols || 'columns'} in the rows of ${t} that match the WHERE`);
      return [main, ...nested(s, 'UPDATE', dialect)];
    }
    case 'delete': {
      const t = tableNames(s.table) || tableNames(s.from);
      const main = unbounded(s.where, dialect)
        ? destroyEffect('delete', 'DELETE', t, `deletes every row of ${t} (${s.where ? 'WHERE is always true' : 'no WHERE'})`)
        : writeEffect('delete', 'DELETE', t, `deletes the rows of ${t} that match the WHERE`);
      return [main, ...nested(s, 'DELETE', dialect)];
    }
    case 'truncate': {
      const t = tableNames(s.name);
      return [destroyEffect('delete', 'TRUNCATE', t, `deletes every row of ${t} (TRUNCATE)`)];
    }
    case 'drop': {
      const names = (tableNames(s.name) || str(s.name) || str(obj(s.name).column) || arr(s.name).map((n) => str(obj(obj(n).name).value) || str(obj(n).value)).join(', ')) || undefined;
      if (kw === 'user' || kw === 'role') return [destroyEffect('permissions', `DROP ${kw.toUpperCase()}`, names, `drops database ${kw}s`, { securityConfig: true })];
      const noun = kw === 'schema' && dialect === 'mysql' ? 'database' : kw || 'object';
      const on = s.table ? ` on ${tableName(s.table)}` : '';
      return [destroyEffect('delete', `DROP ${noun.toUpperCase()}`, names, `drops ${noun} ${names ?? ''}${on}`.trim())];
    }
    case 'alter': {
      const t = tableNames(s.table);
      const out: Effect[] = [];
      for (const e of arr(s.expr)) {
        const a = obj(e);
        const action = str(a.action).toLowerCase();
        const col = str(obj(a.column).column) || str(a.column);
        if (action === 'add' && (a.resource === 'column' || !a.resource)) out.push(writeEffect('create', 'ALTER TABLE ADD COLUMN', t, `adds column ${col} to ${t}`));
        else if (action === 'drop') out.push(destroyEffect('delete', `ALTER TABLE DROP ${str(a.resource).toUpperCase() || 'COLUMN'}`, t, `drops ${str(a.resource) || 'column'} ${col} of ${t}${a.resource === 'column' || !a.resource ? ' and its data' : ''}`));
        else if (action === 'add') out.push(writeEffect('create', `ALTER TABLE ADD ${str(a.resource).toUpperCase()}`, t, `adds ${str(a.resource)} to ${t}`));
        else if (action === 'modify' || action === 'change') out.push(destroyEffect('overwrite', 'ALTER TABLE MODIFY', t, `changes the type of column ${col} of ${t} (data may be converted or truncated)`));
        else out.push(writeEffect('write', 'ALTER TABLE', t, `alters ${t} (${action || 'change'})`));
      }
      return out.length ? out : [writeEffect('write', 'ALTER TABLE', t, `alters ${t}`)];
    }
    case 'create': {
      const name = tableNames(s.table) || str(obj(s.index).name) || str(s.index) || str(s.database) || str(s.name) || tableNames(s.view) || undefined;
      if (kw === 'user' || kw === 'role') return [destroyEffect('permissions', `CREATE ${kw.toUpperCase()}`, undefined, `creates database ${kw}s`, { securityConfig: true })];
      if (kw === 'trigger') return [destroyEffect('exec', 'CREATE TRIGGER', name, 'creates a trigger: code that runs on later writes', { exec: true })];
      if (kw === 'extension') return [destroyEffect('exec', 'CREATE EXTENSION', name, `installs extension ${name ?? ''} (native code in the server)`.trim(), { exec: true })];
      if (kw === 'function' || kw === 'procedure') return [destroyEffect('exec', `CREATE ${kw.toUpperCase()}`, name, `creates ${kw} code`, { exec: true })];
      const replace = s.replace || str(s.or_replace) || str(s.ignore_replace).toLowerCase() === 'replace';
      if (replace) return [destroyEffect('overwrite', `CREATE OR REPLACE ${kw.toUpperCase()}`, name, `replaces ${kw} ${name ?? ''} (the old definition is lost)`.trim())];
      const out: Effect[] = [writeEffect('create', `CREATE ${kw.toUpperCase()}`, name, `creates ${kw} ${name ?? ''}`.trim())];
      if (s.query_expr || s.select) out.push(...nested(obj(s.query_expr ?? s.select), `CREATE ${kw.toUpperCase()}`, dialect));
      return out;
    }
    case 'show':
      return [readEffect('SHOW', [], `shows ${kw || 'server information'}`)];
    case 'desc':
    case 'describe':
      return [readEffect('DESCRIBE', [str(s.table)].filter(Boolean), `describes table ${str(s.table)}`)];
    case 'explain':
      return [readEffect('EXPLAIN', [], 'shows a query plan without running it')];
    case 'use':
      return [readEffect('USE', [], `switches the session to database ${str(s.db)}`)];
    case 'set': {
      const vars = arr(s.expr).map((e) => str(obj(obj(e).left).name)).join(', ');
      if (/sql_log_bin|foreign_key_checks|global|persist/i.test(vars + ' ' + kw))
        return [destroyEffect('write', 'SET', vars, `changes ${kw ? kw + ' ' : ''}setting ${vars}`, { securityConfig: true })];
      return [readEffect('SET', [], `changes session setting ${vars}`)];
    }
    case 'transaction':
      return [readEffect(str(obj(obj(s.expr).action).value).toUpperCase() || 'TRANSACTION', [], 'transaction control')];
    case 'lock':
      return [lockEffect('LOCK', arr(s.tables).map((t) => tableName(obj(t).table)).join(', '), 'locks tables until they are unlocked')];
    case 'unlock':
      return [readEffect('UNLOCK', [], 'releases table locks')];
    case 'call': {
      const name = functionName(obj(s.expr));
      return [opaqueEffect('unknown', 'CALL', name || undefined, `calls procedure ${name}, whose effect cannot be known`)];
    }
    case 'load_data': {
      const t = tableName(s.table);
      const file = str(obj(s.file).value);
      return [destroyEffect('read', 'LOAD DATA', file, `loads file ${file} into ${t}${s.local ? '' : ' (a file on the database server)'}`, { secrets: true })];
    }
    case 'attach':
      return [destroyEffect('write', 'ATTACH', str(obj(s.expr).value), `attaches database file ${str(obj(s.expr).value)} as ${str(s.schema)} (can create or write another file)`)];
    case 'grant':
    case 'revoke':
      return [destroyEffect('permissions', type.toUpperCase(), undefined, `${type}s privileges`, { securityConfig: true })];
    case 'rename':
      return [writeEffect('write', 'RENAME', undefined, 'renames tables')];
    default:
      return [opaqueEffect('unknown', type.toUpperCase() || 'UNKNOWN', undefined, `statement type ${type || 'unknown'} is not classified`)];
  }
}

const READ_PRAGMAS = new Set(
  `table_info table_xinfo table_list index_info index_xinfo index_list foreign_key_list foreign_key_check integrity_check
  quick_check database_list collation_list compile_options function_list module_list pragma_list data_version
  freelist_count page_count schema_version`.split(/\s+/),
);
const SETTING_PRAGMAS = new Set(
  `foreign_keys user_version application_id cache_size busy_timeout recursive_triggers case_sensitive_like query_only
  temp_store automatic_index defer_foreign_keys ignore_check_constraints optimize analysis_limit cache_spill
  mmap_size threads soft_heap_limit hard_heap_limit wal_autocheckpoint wal_checkpoint incremental_vacuum shrink_memory
  reverse_unordered_selects encoding`.split(/\s+/),
);

/**
 * Simple statements node-sql-parser's grammars do not cover, read from tokens. Returns undefined
 * when the statement is not one of them (the caller then answers unknown).
 */
export function classifyByTokens(tokens: Token[], dialect: SqlDialect): Effect[] | undefined {
  const words = tokens.map((t) => (t.type === 'word' ? t.text.toUpperCase() : t.type === 'ident' ? t.text : t.type === 'string' ? "'" : t.text));
  const [w0 = '', w1 = ''] = words;
  const n = words.length;
  if (['BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT', 'RELEASE'].includes(w0) && tokens.every((t) => t.type === 'word' || t.type === 'ident')) {
    if (n <= 4) return [readEffect(w0, [], 'transaction control')];
  }
  if (dialect === 'mysql' && w0 === 'SET' && w1 === 'NAMES' && n <= 5) return [readEffect('SET', [], 'sets the connection character set')];
  // Statements whose effect is severe whatever their details: recognised by their first keywords
  // so that the person sees what they are, never to make them pass.
  if (w0 === 'GRANT' || w0 === 'REVOKE') return [destroyEffect('permissions', w0, undefined, `${w0 === 'GRANT' ? 'grants' : 'revokes'} privileges`, { securityConfig: true })];
  if ((w0 === 'DROP' || w0 === 'CREATE' || w0 === 'ALTER' || w0 === 'RENAME') && (w1 === 'USER' || w1 === 'ROLE'))
    return [destroyEffect('permissions', `${w0} ${w1}`, undefined, `${w0.toLowerCase()}s database ${w1.toLowerCase()}s`, { securityConfig: true })];
  if (dialect === 'mysql' && w0 === 'PREPARE') return [opaqueEffect('exec', 'PREPARE', tokens[1]?.text, 'prepares dynamic SQL from a string or variable, whose effect cannot be known')];
  if (dialect === 'mysql' && w0 === 'EXECUTE') return [opaqueEffect('exec', 'EXECUTE', tokens[1]?.text, `executes prepared statement ${tokens[1]?.text ?? ''}, whose text is not known here`)];
  if (dialect !== 'sqlite') return undefined;
  if (w0 === 'PRAGMA') {
    // PRAGMA [schema.]name [= value | (arg)]
    let i = 1;
    if (words[i + 1] === '.') i += 2;
    const name = (tokens[i]?.text ?? '').toLowerCase().replace(/^["`[]|["`\]]$/g, '');
    const rest = words.slice(i + 1);
    if (!/^[a-z_]+$/.test(name)) return undefined;
    const hasValue = rest[0] === '=' || rest[0] === '(';
    if (rest.length > 0 && !hasValue) return undefined;
    if (rest.length > 4) return undefined;
    if (!hasValue || READ_PRAGMAS.has(name) || (rest[0] === '(' && !SETTING_PRAGMAS.has(name) && !['journal_mode', 'synchronous', 'writable_schema', 'locking_mode', 'secure_delete', 'auto_vacuum'].includes(name)))
      return [readEffect('PRAGMA', [], `reads PRAGMA ${name}`)];
    if (SETTING_PRAGMAS.has(name)) return [writeEffect('write', 'PRAGMA', name, `changes setting PRAGMA ${name}`, false)];
    return [destroyEffect('write', 'PRAGMA', name, `changes PRAGMA ${name}, which affects durability or schema integrity`, { securityConfig: true })];
  }
  if (w0 === 'VACUUM') {
    const intoAt = words.indexOf('INTO');
    if (intoAt >= 0) {
      const dest = tokens[intoAt + 1]?.text ?? '';
      return [destroyEffect('overwrite', 'VACUUM INTO', dest, `writes a copy of the database to ${dest}`)];
    }
    if (n <= 2) return [writeEffect('write', 'VACUUM', undefined, 'rebuilds the database file', false)];
    return undefined;
  }
  if ((w0 === 'REINDEX' || w0 === 'ANALYZE') && n <= 4 && tokens.every((t) => t.type !== 'string')) return [writeEffect('write', w0, tokens[1]?.text, w0 === 'REINDEX' ? 'rebuilds indexes' : 'gathers statistics', false)];
  if (w0 === 'DETACH') return [readEffect('DETACH', [], 'detaches an attached database')];
  if (w0 === 'ATTACH') return [destroyEffect('write', 'ATTACH', tokens.find((t) => t.type === 'string')?.text, 'attaches another database file (can create or write another file)')];
  if (w0 === 'EXPLAIN' && w1 === 'QUERY' && words[2] === 'PLAN') return [readEffect('EXPLAIN', [], 'shows a query plan without running it')];
  if (w0 === 'DROP' && (w1 === 'INDEX' || w1 === 'TRIGGER' || w1 === 'VIEW' || w1 === 'TABLE')) {
    const rest = words.slice(2).filter((w) => w !== 'IF' && w !== 'EXISTS');
    if (rest.length === 1 || (rest.length === 3 && rest[1] === '.')) {
      const name = tokens.slice(tokens.length - rest.length).map((t) => t.text).join('');
      return [destroyEffect('delete', `DROP ${w1}`, name, `drops ${w1.toLowerCase()} ${name}`)];
    }
  }
  return undefined;
}
