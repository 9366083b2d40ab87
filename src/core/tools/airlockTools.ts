/**
 * Airlock's own tools: file, shell and database tools, each with its contract (strict input schema,
 * output schema, description, honest annotations). Shared by the MCP server (`airlock mcp`) and, for
 * the editor integrator, the VS Code language model tools (`airlockToolListings()`).
 *
 * Every call goes through the gate; see docs/mcp.md for the flow.
 */
import { z } from 'zod';
import { listingOf, type ToolContract, type ToolListing } from './contract';

const absPath = z.string().min(1).max(4096).describe('Path of the file or folder; relative paths are resolved against the first workspace root.');
const sha = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
export const IdempotencyKey = z
  .string()
  .min(8)
  .max(200)
  .regex(/^[\w.:-]+$/, 'letters, digits, _ . : -')
  .describe('Optional. The same key with the same arguments returns the stored result instead of acting twice (safe retries). Without it the key is derived from the session, tool and arguments.');
const connection = z.string().min(1).max(200).regex(/^[\w.-]+$/).describe('The name of a database connection configured in Airlock (see db_connections).');
const sqlParam = z.union([z.string().max(1024 * 1024), z.number(), z.boolean(), z.null()]);
const params = z.array(sqlParam).max(1000).describe('Bound parameters ($1/? placeholders).');

const GATED = ' Every call is judged by the Airlock gate first: reversible work runs, destructive or unknown effects wait for a person (or are denied when nobody approves in time), and every step is recorded in the run ledger.';
const ENVELOPE = ' Returns the Airlock envelope {ok, data | error {code, message, retryable}, traceId, decision}.';

export const ReadFileInput = z.strictObject({ path: absPath });
export const ReadFileOutput = z.strictObject({ path: z.string(), content: z.string(), sha256: sha, bytes: z.number().int().nonnegative() });

export const WriteFileInput = z.strictObject({
  path: absPath,
  content: z.string().max(1024 * 1024),
  expectedSha256: sha.nullable().describe('Compare-and-swap: the SHA-256 of the file as you last read it (read_file returns it), or null when the file must not exist yet. The write fails with "conflict" when the file changed.'),
  idempotencyKey: IdempotencyKey.optional(),
});
export const WriteFileOutput = z.strictObject({ path: z.string(), sha256: sha, bytes: z.number().int().nonnegative(), created: z.boolean() });

export const EditFileInput = z.strictObject({
  path: absPath,
  oldString: z.string().min(1).max(1024 * 1024),
  newString: z.string().max(1024 * 1024),
  replaceAll: z.boolean().optional().describe('Replace every occurrence (default: oldString must occur exactly once).'),
  expectedSha256: sha.optional().describe('Optional compare-and-swap on the whole file.'),
  idempotencyKey: IdempotencyKey.optional(),
});
export const EditFileOutput = z.strictObject({ path: z.string(), sha256: sha, replacements: z.number().int().positive() });

export const DeleteFileInput = z.strictObject({
  path: absPath,
  expectedSha256: sha.optional().describe('Optional compare-and-swap: delete only if the file still has this hash.'),
  idempotencyKey: IdempotencyKey.optional(),
});
export const DeleteFileOutput = z.strictObject({ path: z.string(), deleted: z.literal(true), sha256: sha });

export const ListDirectoryInput = z.strictObject({ path: absPath });
export const ListDirectoryOutput = z.strictObject({
  path: z.string(),
  entries: z.array(z.strictObject({ name: z.string(), type: z.enum(['file', 'directory', 'symlink', 'other']), size: z.number().int().nonnegative() })),
  truncated: z.boolean(),
});

export const RunShellInput = z.strictObject({
  command: z.string().min(1).max(64 * 1024),
  cwd: absPath.optional().describe('Working directory (default: the first workspace root).'),
  timeoutMs: z.number().int().min(100).max(600_000).optional().describe('Kill the command after this many ms (default 30000).'),
  idempotencyKey: IdempotencyKey.optional(),
});
export const RunShellOutput = z.strictObject({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  timedOut: z.boolean(),
  truncated: z.boolean(),
  durationMs: z.number().nonnegative(),
});

export const DbConnectionsInput = z.strictObject({});
export const NamedQueryListing = z.strictObject({
  query: z.string(),
  tool: z.string().describe('The MCP tool of its own that runs it (db_<connection>_<query>); named_query runs it too.'),
  description: z.string().optional(),
  params: z.record(z.string(), z.enum(['integer', 'number', 'string', 'boolean'])),
  columns: z.array(z.string()),
  rowCap: z.number().int().positive(),
});
export const DbConnectionsOutput = z.strictObject({
  connections: z.array(z.strictObject({ name: z.string(), dialect: z.enum(['sqlite', 'postgres']), readOnly: z.boolean(), freeForm: z.boolean().optional(), namedQueries: z.array(NamedQueryListing).optional() })),
});

export const NamedQueryInput = z.strictObject({
  connection,
  query: z.string().regex(/^[a-z][a-z0-9_]{0,47}$/).describe('The name of a query the connection declares (db_connections lists them with their parameters).'),
  args: z.record(z.string().max(48), z.union([z.string().max(100_000), z.number(), z.boolean()])).default({}).describe("The query's parameters by name; only its declared ones, each of its declared type."),
});

export const DbQueryInput = z.strictObject({ connection, sql: z.string().min(1).max(256 * 1024), params: params.optional(), rowCap: z.number().int().min(1).max(10_000).optional() });
export const DbQueryOutput = z.strictObject({ columns: z.array(z.string()), rows: z.array(z.record(z.string(), z.unknown())), truncated: z.boolean() });

export const DbExecuteInput = z.strictObject({ connection, sql: z.string().min(1).max(256 * 1024), params: params.optional(), idempotencyKey: IdempotencyKey.optional() });
export const DryRunSummary = z.strictObject({
  possible: z.boolean(),
  reason: z.string().optional(),
  rowsAffected: z.number().int().nonnegative(),
  tables: z.array(z.strictObject({ table: z.string(), rowsAffected: z.number().int().nonnegative(), before: z.array(z.record(z.string(), z.unknown())), after: z.array(z.record(z.string(), z.unknown())) })),
  durationMs: z.number().nonnegative(),
  /** What the report could not cover (samples unavailable, sequences advanced, ...). */
  notes: z.array(z.string()).optional(),
});
export type DryRunSummary = z.infer<typeof DryRunSummary>;
export const DbExecuteOutput = z.strictObject({
  rowsAffected: z.number().int().nonnegative(),
  /** Rows saved before an UPDATE/DELETE (per table) so a person can undo it from the panel. */
  beforeImages: z.array(z.strictObject({ table: z.string(), rows: z.number().int().nonnegative(), truncated: z.boolean() })).optional(),
  /** Why no (complete) before-image was taken. */
  beforeImageNote: z.string().optional(),
  dryRun: DryRunSummary.optional(),
  durationMs: z.number().nonnegative(),
});

const t = <I extends z.ZodType, O extends z.ZodType>(c: ToolContract<I, O>): ToolContract<I, O> => c;

export const AIRLOCK_TOOLS = {
  read_file: t({
    name: 'read_file',
    description: `Read a UTF-8 text file and get its content and SHA-256. Use before write_file/edit_file (their compare-and-swap takes this hash). Side effects: none. Errors: not_found, io_error, denied (e.g. secrets or files outside what the policy lets agents read).${GATED}${ENVELOPE}`,
    input: ReadFileInput,
    output: ReadFileOutput,
    annotations: { title: 'Read file', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    sideEffects: false,
  }),
  list_directory: t({
    name: 'list_directory',
    description: `List a folder's entries (name, type, size; at most 5000). Use to explore the workspace. Side effects: none. Errors: not_found, io_error, denied.${GATED}${ENVELOPE}`,
    input: ListDirectoryInput,
    output: ListDirectoryOutput,
    annotations: { title: 'List directory', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    sideEffects: false,
  }),
  write_file: t({
    name: 'write_file',
    description: `Create or replace a text file, with compare-and-swap: pass expectedSha256 = the hash read_file returned (or null to create a new file). Use for whole-file writes; use edit_file for small changes. Side effects: writes the file (atomically: temp file + rename). Errors: conflict (the file changed or exists; nothing written; details.currentSha256), denied, io_error, idempotency_conflict.${GATED}${ENVELOPE}`,
    input: WriteFileInput,
    output: WriteFileOutput,
    annotations: { title: 'Write file (compare-and-swap)', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    sideEffects: true,
  }),
  edit_file: t({
    name: 'edit_file',
    description: `Replace oldString with newString in a text file (exactly one occurrence unless replaceAll). Use for targeted changes. Side effects: rewrites the file atomically. Errors: not_found (file or oldString), ambiguous (oldString occurs more than once), conflict (expectedSha256 given and the file changed), denied, io_error.${GATED}${ENVELOPE}`,
    input: EditFileInput,
    output: EditFileOutput,
    annotations: { title: 'Edit file', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    sideEffects: true,
  }),
  delete_file: t({
    name: 'delete_file',
    description: `Delete one file (not folders). Use only when the file must go; deletions are irreversible and normally wait for a person's approval. Side effects: removes the file. Errors: not_found, conflict (expectedSha256 mismatch), denied (including "approval pending", retryable), io_error.${GATED}${ENVELOPE}`,
    input: DeleteFileInput,
    output: DeleteFileOutput,
    annotations: { title: 'Delete file', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    sideEffects: true,
  }),
  run_shell: t({
    name: 'run_shell',
    description: `Run a shell command (/bin/sh -c) with a timeout and capture stdout/stderr (1 MiB each at most). Use for builds, tests and inspection. Side effects: whatever the command does; the gate classifies the command (reads run, destructive commands wait for a person or are denied). A non-zero exit is a successful call with exitCode set. Errors: denied, timeout (killed; partial output in details), io_error.${GATED}${ENVELOPE}`,
    input: RunShellInput,
    output: RunShellOutput,
    annotations: { title: 'Run shell command', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    sideEffects: true,
  }),
  db_connections: t({
    name: 'db_connections',
    description: `List the database connections configured in Airlock (name, dialect, read-only, whether free-form SQL is allowed, and the named queries each declares with their parameters and columns). Connection strings are never shown. Side effects: none. Errors: none expected.${ENVELOPE}`,
    input: DbConnectionsInput,
    output: DbConnectionsOutput,
    annotations: { title: 'List database connections', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    sideEffects: false,
  }),
  db_query: t({
    name: 'db_query',
    description: `Run a read-only SQL statement (SELECT, WITH ... SELECT, EXPLAIN) on a named connection and get rows (capped; truncated tells when more existed). Use for reading data; writes go through db_execute. Side effects: none (statements the SQL classifier does not see as reads are refused, and the database session is read-only). Errors: unknown_connection, invalid_input (not a read), db_error, denied.${GATED}${ENVELOPE}`,
    input: DbQueryInput,
    output: DbQueryOutput,
    annotations: { title: 'Query database (read-only)', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    sideEffects: false,
  }),
  named_query: t({
    name: 'named_query',
    description: `Run a named query a database connection declares in Airlock's policy (a reviewed SELECT with typed parameters, returning only its listed columns, at most its row cap). Use it when db_connections lists named queries for a connection, and always when free-form SQL is switched off there. Side effects: none (judged as a read on that connection). Errors: unknown_connection, invalid_input (no such query, an undeclared or mistyped argument), db_error, denied.${GATED}${ENVELOPE}`,
    input: NamedQueryInput,
    output: DbQueryOutput,
    annotations: { title: 'Run a named database query', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    sideEffects: false,
  }),
  db_execute: t({
    name: 'db_execute',
    description: `Run a writing SQL statement (INSERT, UPDATE, DELETE, DDL) on a named connection. Destructive writes are first dry-run inside a rolled-back transaction; the person approving sees rows affected per table and sample rows; an approved UPDATE/DELETE saves a before-image for undo. Side effects: changes the database. Errors: denied (with the dry-run report in error.details.dryRun; "approval pending" is retryable), unknown_connection, db_error, dead_lettered (transient failures exhausted the retries), idempotency_conflict.${GATED}${ENVELOPE}`,
    input: DbExecuteInput,
    output: DbExecuteOutput,
    annotations: { title: 'Execute database write', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    sideEffects: true,
  }),
} as const;

export type AirlockToolName = keyof typeof AIRLOCK_TOOLS;
export const AIRLOCK_TOOL_NAMES = Object.keys(AIRLOCK_TOOLS) as AirlockToolName[];

export function isAirlockTool(name: string): name is AirlockToolName {
  return Object.prototype.hasOwnProperty.call(AIRLOCK_TOOLS, name);
}

/** Every Airlock tool as listed to clients (MCP tools/list, VS Code language model tools). */
export function airlockToolListings(): ToolListing[] {
  return AIRLOCK_TOOL_NAMES.map((n) => listingOf(AIRLOCK_TOOLS[n] as ToolContract));
}
