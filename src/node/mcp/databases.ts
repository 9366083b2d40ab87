/**
 * The database connections of `airlock mcp --db NAME=URL`: opened by Airlock through the database
 * port (src/node/db); agents only ever see the names.
 */
import type { DbConnection } from '../db/types';

export interface DbSpec {
  name: string;
  url: string;
  readOnly: boolean;
}

export async function openDatabases(specs: DbSpec[]): Promise<Map<string, DbConnection>> {
  const out = new Map<string, DbConnection>();
  if (specs.length === 0) return out;
  throw new Error('database connections need the database port implementation (src/node/db/index.ts), which this build does not have yet');
}
