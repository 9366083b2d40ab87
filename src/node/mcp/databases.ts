/**
 * The database connections of `airlock mcp --db NAME=URL`: opened by Airlock through the database
 * port (src/node/db); agents only ever see the names. A connection that cannot be opened stops the
 * server from starting (with the port's error, which never contains the URL).
 *
 * A connection whose policy scope has `runLogin` is opened through a login created for this run
 * (src/node/db/runLogin.ts). When that login cannot be created the server does not start, unless the
 * policy says `fallbackToOwner: true` (then the configured credentials are used, and logged).
 */
import { runAccess } from '../../core/policy/runLogin';
import type { DatabaseScope } from '../../core/policy/namedQueries';
import type { DbConnection, DbSpec } from '../db/types';

export type { DbSpec } from '../db/types';

export interface OpenDatabasesOptions {
  /** The policy's per-connection scopes (runLogin is read from them). */
  scopes?: Record<string, DatabaseScope>;
  /** The run the per-run logins are for. */
  runId?: string;
  log?: (line: string) => void;
}

export async function openDatabases(specs: DbSpec[], o: OpenDatabasesOptions = {}): Promise<Map<string, DbConnection>> {
  const out = new Map<string, DbConnection>();
  if (specs.length === 0) return out;
  const { openConnection } = await import('../db/index');
  try {
    for (const s of specs) {
      const rl = o.scopes?.[s.name]?.runLogin;
      if (!rl) {
        out.set(s.name, await openConnection({ name: s.name, url: s.url, readOnly: s.readOnly }));
        continue;
      }
      const { openWithRunLogin } = await import('../db/runLogin');
      try {
        out.set(s.name, await openWithRunLogin(s, { runId: o.runId ?? `run-${process.pid}`, access: runAccess(s.readOnly, rl), config: rl, ...(o.log ? { log: o.log } : {}) }));
      } catch (e) {
        if (!rl.fallbackToOwner) throw e;
        o.log?.(`database ${s.name}: ${(e as Error).message}; the policy allows the fallback, so the run uses the configured credentials`);
        out.set(s.name, await openConnection({ name: s.name, url: s.url, readOnly: s.readOnly }));
      }
    }
  } catch (e) {
    for (const c of out.values()) await c.close().catch(() => undefined);
    throw new Error(`cannot open database connection: ${(e as Error).message}`);
  }
  return out;
}
