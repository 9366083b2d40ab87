/**
 * Loads the real PostgreSQL parser (libpg-query, compiled to wasm) and installs it into the core
 * SQL classifier. The wasm load is async (about 20 ms); after it, parsing is synchronous.
 * Until it has run, PostgreSQL SQL is classified with a stricter fallback grammar.
 */
import { loadModule, parseSync } from 'libpg-query';
import { setPostgresParser, type PostgresParser } from '../../core/classify/sql';

let loading: Promise<void> | undefined;

export async function loadSqlParsers(): Promise<void> {
  loading ??= loadModule();
  await loading;
  setPostgresParser({ parse: (sql: string) => parseSync(sql) as ReturnType<PostgresParser['parse']> });
}
