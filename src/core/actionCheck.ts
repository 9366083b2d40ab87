/**
 * The Action schema (core/action.ts) as a zod-free check, for the offline hook: the shim judges one
 * action and exits, and building and running the zod discriminated union was the largest single
 * item of its start-up (~18 M instructions, a fifth of Airlock's part of the process). It accepts
 * exactly what `Action` accepts, strict where that is strict, with the same limits;
 * test/unit/actionCheck.spec.ts runs both on the same valid and broken actions, so a schema edited
 * on one side only fails there. Everywhere else (the bridge, MCP, `airlock check`, the LM tools) the
 * zod schema stays the boundary.
 *
 * The hook payload itself is checked before this, at the shim's boundary, by the dialect
 * (node/agents/dialects, core/check); this checks the action the shim built from it.
 */
import { FAIL, arr, check, lit, obj, oneOf, opt, record, str, type Check, type Checked } from './check';
import type { Action } from './action';

// The value lists and limits of core/action.ts (that module imports zod, so they are repeated here;
// the spec holds them equal).
export const ACTION_CHECK_LISTS = {
  FILE_OPS: ['read', 'create', 'write', 'edit', 'delete', 'rename', 'chmod'] as const,
  SQL_DIALECTS: ['postgres', 'sqlite', 'mysql'] as const,
  HTTP_METHODS: ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const,
  MAX_TEXT: 1024 * 1024,
};
const L = ACTION_CHECK_LISTS;

const text = str(0, L.MAX_TEXT);
const path = str(1, 4096);
const roots = arr(path, 64);

/**
 * An object of any keys and values (zod: z.record(z.string(), z.unknown())), passed on as it came:
 * a copy would turn an own `__proto__` key of parsed JSON into the copy's prototype.
 */
const args: Check<Record<string, unknown>> = {
  run: (v, p, issues) => (record.run(v, p, issues) === FAIL ? FAIL : (v as Record<string, unknown>)),
};

const VARIANTS: Record<Action['kind'], Check<unknown>> = {
  shell: obj({ kind: lit('shell'), command: text, cwd: path, workspaceRoots: roots, description: opt(str(0, 4096)) }, { strict: true }),
  file: obj(
    {
      kind: lit('file'),
      op: oneOf(L.FILE_OPS),
      path,
      cwd: path,
      workspaceRoots: roots,
      newPath: opt(path),
      content: opt(text),
      oldString: opt(text),
      newString: opt(text),
      mode: opt(str(0, 64)),
    },
    { strict: true },
  ),
  sql: obj({ kind: lit('sql'), sql: text, dialect: oneOf(L.SQL_DIALECTS), connection: opt(str(0, 200)), login: opt(str(0, 63)) }, { strict: true }),
  http: obj({ kind: lit('http'), method: oneOf(L.HTTP_METHODS), url: str(1, 8192), body: opt(text) }, { strict: true }),
  mcp: obj({ kind: lit('mcp'), server: str(1, 200), tool: str(1, 200), args, cwd: opt(path), workspaceRoots: opt(roots) }, { strict: true }),
};
const KINDS = Object.keys(VARIANTS) as Array<Action['kind']>;

/** The discriminated union on `kind` (zod: z.discriminatedUnion('kind', …)). */
const ActionCheck: Check<Action> = {
  run(v, p, issues) {
    if (record.run(v, p, issues) === FAIL) return FAIL; // "expected object, received …"
    const kind = (v as Record<string, unknown>).kind;
    const variant = typeof kind === 'string' && Object.prototype.hasOwnProperty.call(VARIANTS, kind) ? VARIANTS[kind as Action['kind']] : undefined;
    if (!variant) {
      oneOf(KINDS).run(kind, p ? `${p}.kind` : 'kind', issues); // records "expected one of …"
      return FAIL;
    }
    return variant.run(v, p, issues) as Action | typeof FAIL;
  },
};

export const checkAction = (v: unknown): Checked<Action> => check(ActionCheck, v);
