/**
 * Database connections configured in Airlock (issue 6), without the editor:
 *
 * - `ConnectionRegistry`: the non-secret list (name, dialect, readOnly) in one store (VS Code's
 *   globalState) and each URL in a secret store (VS Code's SecretStorage) under a key per name.
 *   Adding validates the name and the URL and opens the connection once (then closes it); a URL is
 *   never returned by anything an agent can reach, and never appears in an error.
 * - The MCP server the editor registers gets the connections through ONE environment variable of
 *   its own process (`AIRLOCK_DB_CONNECTIONS`, JSON), never its command line: `airlock mcp` reads it,
 *   then deletes it from its environment so nothing it starts (run_shell) inherits it.
 */
import type { DbSpec } from './types';
import type { DbDialect } from './types';

export const DB_CONNECTIONS_ENV = 'AIRLOCK_DB_CONNECTIONS';
export const SECRET_PREFIX = 'airlock.db.';
export const LIST_KEY = 'airlock.dbConnections';

export interface ConnectionInfo {
  name: string;
  dialect: DbDialect;
  readOnly: boolean;
}

/** The part of VS Code's SecretStorage the registry uses. */
export interface SecretPort {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}
/** The part of a Memento (globalState) the registry uses. */
export interface ListPort {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

const NAME = /^[A-Za-z][\w.-]{0,63}$/;

/** A connection name agents will use: letters, digits, _ . - (starting with a letter), at most 64. */
export function checkConnectionName(name: string): string | undefined {
  if (!NAME.test(name)) return 'a connection name starts with a letter and has at most 64 letters, digits, _ . or -';
  return undefined;
}

/** The dialect of a URL Airlock can open, or why not (the message never repeats the URL). */
export function dialectOf(url: string): { dialect: DbDialect } | { error: string } {
  if (/^sqlite:\/\//i.test(url)) {
    if (!/^sqlite:\/\/\//i.test(url)) return { error: 'a SQLite URL is sqlite:///absolute/path.db' };
    return { dialect: 'sqlite' };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres' };
  return { error: 'the URL must start with sqlite:/// or postgres:// (postgresql://)' };
}

/** Encode the specs for the MCP server's environment. */
export function encodeConnectionsEnv(specs: readonly DbSpec[]): string {
  return JSON.stringify(specs.map((s) => ({ name: s.name, url: s.url, readOnly: s.readOnly })));
}

/** Decode (strictly) what `encodeConnectionsEnv` wrote. Throws with a message that never contains a URL. */
export function decodeConnectionsEnv(text: string): DbSpec[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${DB_CONNECTIONS_ENV} is not valid JSON`);
  }
  if (!Array.isArray(v)) throw new Error(`${DB_CONNECTIONS_ENV} must be a JSON array of {name, url, readOnly}`);
  const out: DbSpec[] = [];
  v.forEach((e, i) => {
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new Error(`${DB_CONNECTIONS_ENV}[${i}] is not an object`);
    const o = e as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'name' && k !== 'url' && k !== 'readOnly');
    if (extra.length) throw new Error(`${DB_CONNECTIONS_ENV}[${i}] has unknown keys: ${extra.join(', ')}`);
    if (typeof o.name !== 'string' || checkConnectionName(o.name)) throw new Error(`${DB_CONNECTIONS_ENV}[${i}].name: ${checkConnectionName(String(o.name)) ?? 'must be a string'}`);
    if (typeof o.url !== 'string') throw new Error(`${DB_CONNECTIONS_ENV}[${i}].url must be a string`);
    const d = dialectOf(o.url);
    if ('error' in d) throw new Error(`${DB_CONNECTIONS_ENV}[${i}] (${o.name}): ${d.error}`);
    if (o.readOnly !== undefined && typeof o.readOnly !== 'boolean') throw new Error(`${DB_CONNECTIONS_ENV}[${i}].readOnly must be true or false`);
    out.push({ name: o.name, url: o.url, readOnly: o.readOnly === true });
  });
  if (new Set(out.map((s) => s.name)).size !== out.length) throw new Error(`${DB_CONNECTIONS_ENV}: each connection name once`);
  return out;
}

/**
 * Read the connections from the environment and remove the variable (so a child process, the
 * agent's shell included, never inherits it). Absent or empty: none.
 */
export function takeConnectionsFromEnv(env: NodeJS.ProcessEnv = process.env): DbSpec[] {
  const text = env[DB_CONNECTIONS_ENV];
  delete env[DB_CONNECTIONS_ENV];
  if (text === undefined || text.trim() === '') return [];
  return decodeConnectionsEnv(text);
}

/** --db specs and environment specs together; a name given both ways is an error (which one wins would be a guess). */
export function mergeSpecs(fromArgs: readonly DbSpec[], fromEnv: readonly DbSpec[]): DbSpec[] {
  const clash = fromArgs.filter((a) => fromEnv.some((e) => e.name === a.name)).map((a) => a.name);
  if (clash.length) throw new Error(`database connection ${clash.join(', ')} is given both by --db and by ${DB_CONNECTIONS_ENV}; give each name once`);
  return [...fromArgs, ...fromEnv];
}

export type Opener = (spec: DbSpec) => Promise<{ close(): Promise<void> }>;

export class ConnectionRegistry {
  constructor(
    private readonly secrets: SecretPort,
    private readonly list: ListPort,
    /** Opens a connection to validate it (default: the database port's openConnection). */
    private readonly open: Opener = async (s) => (await import('./')).openConnection({ name: s.name, url: s.url, readOnly: s.readOnly }),
  ) {}

  /** The non-secret list (what pickers and the agent may see). */
  connections(): ConnectionInfo[] {
    const v = this.list.get<unknown>(LIST_KEY);
    if (!Array.isArray(v)) return [];
    return v.filter((c): c is ConnectionInfo => !!c && typeof c === 'object' && typeof (c as ConnectionInfo).name === 'string' && ((c as ConnectionInfo).dialect === 'sqlite' || (c as ConnectionInfo).dialect === 'postgres') && typeof (c as ConnectionInfo).readOnly === 'boolean');
  }

  /** Validate, open once, close, then store. Returns the stored info, or the reason it was refused (nothing stored then). */
  async add(name: string, url: string, readOnly: boolean): Promise<{ ok: true; info: ConnectionInfo } | { ok: false; error: string }> {
    const bad = checkConnectionName(name);
    if (bad) return { ok: false, error: bad };
    if (this.connections().some((c) => c.name === name)) return { ok: false, error: `a connection named ${name} exists already; remove it first` };
    const d = dialectOf(url);
    if ('error' in d) return { ok: false, error: d.error };
    try {
      const c = await this.open({ name, url, readOnly });
      await c.close();
    } catch (e) {
      // The database port's errors never contain the URL.
      return { ok: false, error: `cannot open it: ${(e as Error)?.message ?? String(e)}` };
    }
    const info: ConnectionInfo = { name, dialect: d.dialect, readOnly };
    await this.secrets.store(SECRET_PREFIX + name, url);
    await this.list.update(LIST_KEY, [...this.connections(), info]);
    return { ok: true, info };
  }

  async remove(name: string): Promise<boolean> {
    const before = this.connections();
    if (!before.some((c) => c.name === name)) return false;
    await this.list.update(LIST_KEY, before.filter((c) => c.name !== name));
    await this.secrets.delete(SECRET_PREFIX + name);
    return true;
  }

  /** The specs with their URLs (for opening them in this process, or the MCP server's environment). A listed name whose secret is gone is skipped and reported. */
  async specs(): Promise<{ specs: DbSpec[]; missing: string[] }> {
    const specs: DbSpec[] = [];
    const missing: string[] = [];
    for (const c of this.connections()) {
      const url = await this.secrets.get(SECRET_PREFIX + c.name);
      if (url === undefined) missing.push(c.name);
      else specs.push({ name: c.name, url, readOnly: c.readOnly });
    }
    return { specs, missing };
  }
}
