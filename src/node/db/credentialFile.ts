/**
 * Database credentials for the CLI: an owner-only file in Airlock's home (`db-connections.json`,
 * mode 0600 in a 0700 directory), written by `airlock db add`, read by `airlock mcp --db NAME`.
 * Agents only ever see the names; a URL (with its password) never appears in a listing or error.
 *
 * Architecture Invariants:
 * - The file is created 0600 and refused when group or others can read it (fail closed, with the fix).
 * - Writes are atomic (temporary file, then rename).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { checkConnectionName, dialectOf } from './connections';
import type { DbSpec } from './types';

export const CREDENTIAL_FILE = 'db-connections.json';

const Stored = z.strictObject({ version: z.literal(1), connections: z.record(z.string(), z.strictObject({ url: z.string().min(1), readOnly: z.boolean() })) });
type Stored = z.infer<typeof Stored>;

export const credentialPath = (home: string): string => join(home, CREDENTIAL_FILE);

function load(home: string): Stored {
  const p = credentialPath(home);
  if (!existsSync(p)) return { version: 1, connections: {} };
  const mode = statSync(p).mode & 0o777;
  if (mode & 0o077) throw new Error(`${p} can be read by others (mode ${mode.toString(8)}): refused; run chmod 600 ${p}`);
  const r = Stored.safeParse(JSON.parse(readFileSync(p, 'utf8')));
  if (!r.success) throw new Error(`${p} is not a valid Airlock connection file`);
  return r.data;
}

function save(home: string, s: Stored): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const p = credentialPath(home);
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, p);
}

export function addCredential(home: string, name: string, url: string, readOnly: boolean): void {
  const bad = checkConnectionName(name);
  if (bad) throw new Error(bad);
  const d = dialectOf(url);
  if ('error' in d) throw new Error(d.error);
  const s = load(home);
  s.connections[name] = { url, readOnly };
  save(home, s);
}

export function removeCredential(home: string, name: string): boolean {
  const s = load(home);
  if (!s.connections[name]) return false;
  delete s.connections[name];
  save(home, s);
  return true;
}

/** Names, dialects and the read-only flag: never the URL. */
export function listCredentials(home: string): { name: string; dialect: string; readOnly: boolean }[] {
  return Object.entries(load(home).connections).map(([name, c]) => {
    const d = dialectOf(c.url);
    return { name, dialect: 'dialect' in d ? d.dialect : 'unknown', readOnly: c.readOnly };
  });
}

/** The spec of a saved connection, for `airlock mcp --db NAME`. */
export function savedSpec(home: string, name: string, readOnly: boolean): DbSpec {
  const c = load(home).connections[name];
  if (!c) throw new Error(`no saved database connection named ${JSON.stringify(name)} (airlock db add ${name} URL)`);
  return { name, url: c.url, readOnly: readOnly || c.readOnly };
}
