/**
 * Opens a named database connection for Airlock's own database tools (see ./types.ts):
 * `sqlite:///abs/path.db` (better-sqlite3) or `postgres://` / `postgresql://` (pg).
 * The URL never appears in an error or a result.
 */
import { DbError, parseDbUrl, toDbError } from './common';
import { loadPlanner } from './plan';
import type { DbConnection, DbConnectionConfig, OpenConnection } from './types';

export type * from './types';
export { DbError, parseDbUrl, type DbErrorCode } from './common';

export const openConnection: OpenConnection = async (config: DbConnectionConfig): Promise<DbConnection> => {
  if (!config || typeof config.name !== 'string' || config.name === '') throw new DbError('invalid_url', 'a connection needs a name');
  const url = parseDbUrl(config.url);
  try {
    await loadPlanner();
    if (url.dialect === 'sqlite') {
      const { openSqlite } = await import('./sqlite');
      return await openSqlite(config, url);
    }
    const { openPostgres } = await import('./postgres');
    return await openPostgres(config, url);
  } catch (e) {
    throw toDbError(e, url.secrets, e instanceof DbError ? e.code : 'connection');
  }
};
