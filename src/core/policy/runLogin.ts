/**
 * Per-run database logins (PostgreSQL): instead of handing the agent's queries the configured
 * credentials, Airlock creates a login of the run's own for the length of the run
 * (`CREATE ROLE airlock_run_<id> LOGIN PASSWORD <random> VALID UNTIL <now + validForMinutes>`), with
 * only the privileges the run's access level needs, and drops it when the run closes. The kill
 * switch disables that login (NOLOGIN) and terminates every session it has, wherever it was opened.
 *
 *   databases: { app: { runLogin: { access: 'read', validForMinutes: 120 } } }
 *   databases: { app: { runLogin: { grantRoles: { read: 'app_reader', write: 'app_writer' } } } }
 *
 * Architecture Invariants:
 * - Pure: the schema and the decisions only; creating and dropping logins is src/node/db/runLogin.ts.
 * - A failure to create the login fails closed: the connection is not opened, unless
 *   `fallbackToOwner` is true (then the configured credentials are used and the reason is logged).
 * - An unacknowledged workspace policy can turn per-run logins on and shorten or narrow them, never
 *   name group roles or allow the fallback (those loosen).
 */
import { z } from 'zod';
import { lazySchema } from '../lazySchema';

/** A PostgreSQL role name Airlock will quote: letters, digits, _ (no quoting games). */
const PgRoleName = lazySchema(() => z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a PostgreSQL role name: letters, digits and _, starting with a letter or _'));

export const RUN_ACCESS = ['read', 'write'] as const;
export type RunAccess = (typeof RUN_ACCESS)[number];

export const RunLogin = lazySchema(() => z
  .strictObject({
    access: z.enum(RUN_ACCESS).optional().describe('The most the run\'s login may do: read (SELECT only) or write (SELECT, INSERT, UPDATE, DELETE). Absent: the connection\'s own (a read-only connection is always read).'),
    grantRoles: z
      .strictObject({
        read: PgRoleName.optional().describe('A group role the login joins for read access (IN ROLE). Absent: Airlock grants SELECT on the tables of every schema itself.'),
        write: PgRoleName.optional().describe('A group role the login joins for write access. Absent: Airlock grants SELECT, INSERT, UPDATE, DELETE, TRIGGER on tables and USAGE on sequences itself.'),
      })
      .optional(),
    validForMinutes: z.number().int().min(1).max(7 * 24 * 60).default(480).describe('VALID UNTIL: how long the login can be used at most, from the start of the run (the login is dropped when the run closes, earlier).'),
    fallbackToOwner: z.boolean().default(false).describe('true: when the login cannot be created, use the configured credentials (logged). false: the connection is not opened (fail closed).'),
  })
  .describe('A short-lived login of its own for each run on this connection (PostgreSQL).'));
export type RunLogin = z.infer<typeof RunLogin>;

/** The access the run's login gets: the lower of the connection's and the configured one. */
export function runAccess(connectionReadOnly: boolean, cfg: Pick<RunLogin, 'access'>): RunAccess {
  return connectionReadOnly || cfg.access === 'read' ? 'read' : 'write';
}

/**
 * Merge a workspace's runLogin into the user's. Acknowledged: the workspace's replaces it.
 * Otherwise only what tightens applies: turning it on, lower access, a shorter life; group roles and
 * the fallback are ignored (returned in `ignored`).
 */
export function mergeRunLogin(user: RunLogin | undefined, ws: RunLogin | undefined, acknowledged: boolean): { runLogin: RunLogin | undefined; ignored: string[] } {
  if (!ws) return { runLogin: user, ignored: [] };
  if (acknowledged) return { runLogin: ws, ignored: [] };
  const ignored: string[] = [];
  if (ws.grantRoles && Object.keys(ws.grantRoles).length) ignored.push('runLogin.grantRoles');
  if (ws.fallbackToOwner && !user?.fallbackToOwner) ignored.push('runLogin.fallbackToOwner');
  const base: RunLogin = user ?? { validForMinutes: ws.validForMinutes, fallbackToOwner: false };
  const access = base.access === 'read' || ws.access === 'read' ? 'read' : base.access ?? ws.access;
  const out: RunLogin = { ...base, validForMinutes: Math.min(base.validForMinutes, ws.validForMinutes) };
  if (access) out.access = access;
  return { runLogin: out, ignored };
}
