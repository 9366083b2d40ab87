/**
 * The database connections of `airlock mcp --db NAME=URL`: opened by Airlock through the database
 * port (src/node/db); agents only ever see the names. A connection that cannot be opened stops the
 * server from starting (with the port's error, which never contains the URL).
 */
import type { DbConnection, DbSpec } from '../db/types';

export type { DbSpec } from '../db/types';

export async function openDatabases(specs: DbSpec[]): Promise<Map<string, DbConnection>> {
  const out = new Map<string, DbConnection>();
  if (specs.length === 0) return out;
  const { openConnection } = await import('../db/index');
  try {
    for (const s of specs) out.set(s.name, await openConnection({ name: s.name, url: s.url, readOnly: s.readOnly }));
  } catch (e) {
    for (const c of out.values()) await c.close().catch(() => undefined);
    throw new Error(`cannot open database connection: ${(e as Error).message}`);
  }
  return out;
}
