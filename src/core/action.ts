/**
 * The normalized action model: one zod schema per action kind, one discriminated union.
 *
 * Every gateway (hook shim, MCP server, LM tools, `airlock check`) turns what it receives into an
 * Action before anything is classified. Schemas are strict: unknown keys are rejected, so a payload
 * cannot smuggle fields the classifier would ignore.
 *
 * Size limits here are hard input limits (protect the process). Classifiers apply their own, lower
 * complexity bounds and answer `unknown` above them, so a large input is judged, not crashed on.
 */
import { z } from 'zod';
import { lazySchema } from './lazySchema';

/** Hard cap on any text field of an action (1 MiB). Classifiers bound complexity far below this. */
export const MAX_TEXT = 1024 * 1024;

const text = lazySchema(() => z.string().max(MAX_TEXT));
const path = lazySchema(() => z.string().min(1).max(4096));
const roots = lazySchema(() => z.array(path).max(64));

export const ShellAction = lazySchema(() => z.strictObject({
  kind: z.literal('shell'),
  command: text,
  cwd: path,
  workspaceRoots: roots,
  /** Agent's own description of the command: shown as an unverified claim, never classified. */
  description: z.string().max(4096).optional(),
}));
export type ShellAction = z.infer<typeof ShellAction>;

export const FILE_OPS = ['read', 'create', 'write', 'edit', 'delete', 'rename', 'chmod'] as const;
export const FileOp = lazySchema(() => z.enum(FILE_OPS));
export type FileOp = z.infer<typeof FileOp>;

export const FileAction = lazySchema(() => z.strictObject({
  kind: z.literal('file'),
  op: FileOp,
  path,
  cwd: path,
  workspaceRoots: roots,
  /** rename: the destination. */
  newPath: path.optional(),
  /** create/write: the proposed content (for diffs and classification of what is written). */
  content: text.optional(),
  /** edit: the text replaced and its replacement. */
  oldString: text.optional(),
  newString: text.optional(),
  /** chmod: the mode requested, as given (e.g. "755", "+x"). */
  mode: z.string().max(64).optional(),
}));
export type FileAction = z.infer<typeof FileAction>;

export const SQL_DIALECTS = ['postgres', 'sqlite', 'mysql'] as const;
export const SqlDialect = lazySchema(() => z.enum(SQL_DIALECTS));
export type SqlDialect = z.infer<typeof SqlDialect>;

export const SqlAction = lazySchema(() => z.strictObject({
  kind: z.literal('sql'),
  sql: text,
  dialect: SqlDialect,
  /** The Airlock connection name the statement targets (never a connection string). */
  connection: z.string().max(200).optional(),
  /** The database login the statement runs as, when Airlock created one for the run (a role name, never a password). */
  login: z.string().max(63).optional(),
}));
export type SqlAction = z.infer<typeof SqlAction>;

export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const HttpAction = lazySchema(() => z.strictObject({
  kind: z.literal('http'),
  method: z.enum(HTTP_METHODS),
  url: z.string().min(1).max(8192),
  body: text.optional(),
}));
export type HttpAction = z.infer<typeof HttpAction>;

export const McpAction = lazySchema(() => z.strictObject({
  kind: z.literal('mcp'),
  server: z.string().min(1).max(200),
  tool: z.string().min(1).max(200),
  args: z.record(z.string(), z.unknown()),
  cwd: path.optional(),
  workspaceRoots: roots.optional(),
}));
export type McpAction = z.infer<typeof McpAction>;

export const Action = lazySchema(() => z.discriminatedUnion('kind', [ShellAction, FileAction, SqlAction, HttpAction, McpAction]));
export type Action = z.infer<typeof Action>;
export type ActionKind = Action['kind'];
