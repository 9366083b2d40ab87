/**
 * Effect builders, constant folding of WHERE clauses and the function lists shared by the
 * PostgreSQL and the generic (MySQL/SQLite) walkers.
 */
import type { Effect } from '../../effects';

export function readEffect(source: string, targets: string[], detail?: string): Effect {
  const target = targets.length ? targets.join(', ') : undefined;
  return { kind: 'read', reversibility: 'read', source, detail: detail ?? (target ? `reads ${target}` : 'reads no table'), ...(target ? { target } : {}) };
}

/** A write Airlock can take a before-image of or run inside a transaction first. */
export function writeEffect(kind: 'create' | 'write' | 'delete', source: string, target: string | undefined, detail: string, snapshotable = true): Effect {
  return { kind, reversibility: 'recoverable', source, detail, snapshotable, ...(target ? { target } : {}) };
}

export function lockEffect(source: string, target: string | undefined, detail: string): Effect {
  return { kind: 'write', reversibility: 'reversible', source, detail, ...(target ? { target } : {}) };
}

export function destroyEffect(
  kind: 'delete' | 'overwrite' | 'write' | 'permissions' | 'exec' | 'process' | 'network' | 'read',
  source: string,
  target: string | undefined,
  detail: string,
  extra: Partial<Effect> = {},
): Effect {
  return { kind, reversibility: 'irreversible', source, detail, ...(target ? { target } : {}), ...extra };
}

/** An effect nobody can know from the text (procedure call, dynamic SQL). */
export function opaqueEffect(kind: 'unknown' | 'exec', source: string, target: string | undefined, detail: string): Effect {
  return { kind, reversibility: 'unknown', source, detail, ...(target ? { target } : {}), ...(kind === 'exec' ? { exec: true } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Constant folding: a tiny expression IR both walkers convert WHERE clauses into.

export type Expr =
  | { t: 'const'; v: number | string | boolean | null }
  | { t: 'col'; name: string }
  | { t: 'bin'; op: string; l: Expr; r: Expr }
  | { t: 'and' | 'or'; args: Expr[] }
  | { t: 'not'; e: Expr }
  | { t: 'other' };

const OTHER: Expr = { t: 'other' };
export { OTHER as otherExpr };

type Val = number | string | boolean | null | undefined; // undefined = not constant

function evalConst(e: Expr, depth = 0): Val {
  if (depth > 64) return undefined;
  switch (e.t) {
    case 'const':
      return e.v;
    case 'not': {
      const v = truth(evalConst(e.e, depth + 1));
      return v === undefined ? undefined : !v;
    }
    case 'and': {
      const vs = e.args.map((a) => truth(evalConst(a, depth + 1)));
      if (vs.some((v) => v === false)) return false;
      return vs.every((v) => v === true) ? true : undefined;
    }
    case 'or': {
      const vs = e.args.map((a) => truth(evalConst(a, depth + 1)));
      if (vs.some((v) => v === true)) return true;
      return vs.every((v) => v === false) ? false : undefined;
    }
    case 'bin': {
      if (e.l.t === 'col' && e.r.t === 'col' && e.l.name === e.r.name && ['=', '>=', '<=', '<=>', 'IS', 'LIKE'].includes(e.op)) return true;
      const l = evalConst(e.l, depth + 1);
      const r = evalConst(e.r, depth + 1);
      if (l === undefined || r === undefined || l === null || r === null) return undefined;
      const a = typeof l === 'boolean' ? Number(l) : l;
      const b = typeof r === 'boolean' ? Number(r) : r;
      if (typeof a !== typeof b) return undefined;
      switch (e.op) {
        case '=':
        case '==':
        case '<=>':
        case 'IS':
          return a === b;
        case '<>':
        case '!=':
        case 'IS NOT':
          return a !== b;
        case '<':
          return a < b;
        case '>':
          return a > b;
        case '<=':
          return a <= b;
        case '>=':
          return a >= b;
        default:
          return undefined;
      }
    }
    default:
      return undefined;
  }
}

function truth(v: Val): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  // A string in a boolean context: MySQL/SQLite convert to a number ('1abc' → 1); PostgreSQL
  // accepts 't', 'true', 'yes', 'on', '1'. Only the unambiguous forms fold.
  const s = v.trim().toLowerCase();
  if (['1', 't', 'true', 'y', 'yes', 'on'].includes(s)) return true;
  if (['0', 'f', 'false', 'n', 'no', 'off'].includes(s)) return false;
  return undefined;
}

/**
 * True when the predicate holds for every row (or every row with non-NULL columns): `1=1`, `true`,
 * `1`, `'a'='a'`, `x=x`, `… OR <tautology>`, `NOT false`, `1<2`.
 */
export function isTautology(e: Expr): boolean {
  return truth(evalConst(e)) === true;
}

// ---------------------------------------------------------------------------------------------
// Functions. Known side effects get a specific effect; a small allowlist of pure built-ins reads;
// any other function may be user code with side effects and is an opaque effect.

export interface FunctionEffect {
  kind: 'delete' | 'exec' | 'process' | 'network' | 'read' | 'write' | 'overwrite' | 'permissions';
  detail: string;
  secrets?: boolean;
  recoverable?: boolean;
}

const DANGEROUS: Record<string, FunctionEffect> = {
  pg_terminate_backend: { kind: 'process', detail: 'terminates database sessions' },
  pg_cancel_backend: { kind: 'process', detail: 'cancels running queries' },
  pg_reload_conf: { kind: 'process', detail: 'reloads the server configuration' },
  pg_rotate_logfile: { kind: 'process', detail: 'rotates the server log' },
  pg_promote: { kind: 'process', detail: 'promotes a standby server' },
  pg_switch_wal: { kind: 'process', detail: 'switches the WAL file' },
  pg_drop_replication_slot: { kind: 'delete', detail: 'drops a replication slot' },
  pg_replication_origin_drop: { kind: 'delete', detail: 'drops a replication origin' },
  lo_unlink: { kind: 'delete', detail: 'deletes a large object' },
  lo_import: { kind: 'read', detail: 'reads a server file into a large object', secrets: true },
  lo_export: { kind: 'overwrite', detail: 'writes a large object to a server file' },
  lo_from_bytea: { kind: 'write', detail: 'creates a large object', recoverable: true },
  lo_put: { kind: 'write', detail: 'writes into a large object' },
  pg_read_file: { kind: 'read', detail: 'reads a file on the database server', secrets: true },
  pg_read_binary_file: { kind: 'read', detail: 'reads a file on the database server', secrets: true },
  pg_ls_dir: { kind: 'read', detail: 'lists a directory on the database server', secrets: true },
  pg_stat_file: { kind: 'read', detail: 'inspects a file on the database server', secrets: true },
  pg_file_write: { kind: 'overwrite', detail: 'writes a file on the database server' },
  pg_file_unlink: { kind: 'delete', detail: 'deletes a file on the database server' },
  pg_file_rename: { kind: 'overwrite', detail: 'renames a file on the database server' },
  dblink: { kind: 'network', detail: 'runs SQL on a remote database' },
  dblink_exec: { kind: 'network', detail: 'runs SQL on a remote database' },
  dblink_connect: { kind: 'network', detail: 'opens a connection to a remote database' },
  dblink_send_query: { kind: 'network', detail: 'runs SQL on a remote database' },
  set_config: { kind: 'write', detail: 'changes a server setting', recoverable: true },
  setval: { kind: 'write', detail: 'resets a sequence' },
  nextval: { kind: 'write', detail: 'advances a sequence', recoverable: true },
  pg_advisory_lock: { kind: 'write', detail: 'takes an advisory lock', recoverable: true },
  pg_create_restore_point: { kind: 'write', detail: 'creates a restore point', recoverable: true },
  pg_sleep: { kind: 'process', detail: 'sleeps (holds the connection)', recoverable: true },
  // SQLite
  load_extension: { kind: 'exec', detail: 'loads native code into the database process' },
  writefile: { kind: 'overwrite', detail: 'writes a file (sqlite3 shell function)' },
  readfile: { kind: 'read', detail: 'reads a file (sqlite3 shell function)', secrets: true },
  edit: { kind: 'exec', detail: 'opens an editor (sqlite3 shell function)' },
  fts3_tokenizer: { kind: 'exec', detail: 'registers a native tokenizer pointer' },
  // MySQL
  load_file: { kind: 'read', detail: 'reads a file on the database server', secrets: true },
  sys_exec: { kind: 'exec', detail: 'runs a shell command on the database server' },
  sys_eval: { kind: 'exec', detail: 'runs a shell command on the database server' },
  sleep: { kind: 'process', detail: 'sleeps (holds the connection)', recoverable: true },
  benchmark: { kind: 'process', detail: 'burns CPU on the server', recoverable: true },
  get_lock: { kind: 'write', detail: 'takes a named lock', recoverable: true },
  release_lock: { kind: 'write', detail: 'releases a named lock', recoverable: true },
};

const PURE = new Set(
  `abs acos asin atan atan2 avg bit_and bit_or bit_xor bool_and bool_or ceil ceiling char char_length character_length
  chr coalesce concat concat_ws cos cot count cume_dist current_database current_date current_schema current_schemas
  current_setting current_time current_timestamp current_user date date_add date_format date_part date_sub date_trunc datediff
  day dayname dayofmonth dayofweek dayofyear degrees dense_rank encode decode every exp extract first_value floor format
  from_unixtime generate_series greatest group_concat hex hour if ifnull iif ilike initcap instr isnull json json_agg
  json_array json_array_length json_build_array json_build_object json_each json_extract json_group_array
  json_group_object json_object json_object_agg json_type json_valid jsonb_agg jsonb_array_elements jsonb_array_length
  jsonb_build_array jsonb_build_object jsonb_each jsonb_extract_path jsonb_object_agg jsonb_pretty jsonb_set
  jsonb_typeof julianday lag last_insert_id last_insert_rowid last_value lead least left length like likelihood ln
  localtime localtimestamp locate log log10 log2 lower lpad ltrim max md5 min minute mod month monthname now nth_value
  ntile nullif octet_length overlay percent_rank percentile_cont pi position power printf quote quote_ident
  quote_literal quote_nullable radians random rank regexp_like regexp_match regexp_matches regexp_replace
  regexp_split_to_array regexp_split_to_table repeat replace reverse right round row_number row_to_json rowid rpad rtrim
  second session_user sha1 sha2 sign sin soundex split_part sqlite_version sqrt stddev stddev_pop stddev_samp
  strftime string_agg string_to_array strpos substr substring sum tan time timestamp timestampdiff to_char to_date
  to_json to_jsonb to_number to_timestamp total trim trunc typeof unhex unicode unixepoch unnest upper user utc_timestamp
  uuid variance var_pop var_samp version week year array_agg array_length array_to_string cardinality array_position
  array_remove array_append array_cat age clock_timestamp statement_timestamp transaction_timestamp timezone
  make_date make_timestamp make_interval to_hex gen_random_uuid uuid_generate_v4 currval lastval has_table_privilege
  has_schema_privilege has_database_privilege pg_typeof pg_backend_pid pg_postmaster_start_time pg_table_size
  pg_total_relation_size pg_relation_size pg_database_size pg_size_pretty pg_get_viewdef pg_get_functiondef
  pg_get_indexdef pg_get_constraintdef pg_get_serial_sequence pg_is_in_recovery obj_description col_description
  format_type to_regclass txid_current pg_current_wal_lsn inet_server_addr char_length cast convert bin oct ascii
  field find_in_set insert elt space strcmp uuid_short database schema connection_id found_rows row_count
  any_value json_unquote json_contains json_keys json_length json_search json_arrayagg json_objectagg
  sqlite_source_id changes total_changes zeroblob randomblob glob match soundex char rtrim ltrim hex
  exists array row values excluded`.split(/\s+/).filter(Boolean),
);

export function functionEffect(name: string): FunctionEffect | 'pure' | 'unknown' {
  const n = name.toLowerCase().replace(/^(pg_catalog|public|sys|main)\./, '');
  const d = DANGEROUS[n];
  if (d) return d;
  if (PURE.has(n)) return 'pure';
  return 'unknown';
}

export function functionEffectToEffect(name: string, source: string): Effect | undefined {
  const f = functionEffect(name);
  if (f === 'pure') return undefined;
  if (f === 'unknown') return opaqueEffect('unknown', source, name, `calls function ${name}, whose effect is not known`);
  if (f.recoverable) return { kind: f.kind, reversibility: 'recoverable', source, target: name, detail: `${name}: ${f.detail}` };
  return destroyEffect(f.kind, source, name, `${name}: ${f.detail}`, {
    ...(f.secrets ? { secrets: true } : {}),
    ...(f.kind === 'exec' ? { exec: true } : {}),
    ...(f.kind === 'network' ? { network: true } : {}),
  });
}
