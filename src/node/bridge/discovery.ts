/**
 * The two files Airlock keeps in its state directory (outside any workspace) for processes that
 * cannot ask the editor: the bridge discovery file and the kill flag.
 *
 * - `<home>/bridge.json` (0600, directory 0700): where the gate listens and its bearer token.
 *   Agents started by the editor get only the PATH of this file (AIRLOCK_DISCOVERY), never the token.
 * - `<home>/bridge-<pid>-<random>.sock` (0600): the same bridge on a Unix domain socket (POSIX),
 *   named in the discovery file's `socket`; removed when its gate stops, or by the next gate to
 *   start when its process is gone.
 * - `<home>/killed`: present = the kill switch is latched. Read by the gate before every decision
 *   and by the hook shim even when no gate runs.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiscoveryFile, KillFlag } from '../../core/protocol/bridge';
import { MAX_SOCKET_PATH } from '../../core/protocol/bridgeConsts';
import { checkDiscoveryFile, checkKillFlag } from '../../core/protocol/bridgeGuards';
import { airlockHome } from '../environment';

export const DISCOVERY_ENV = 'AIRLOCK_DISCOVERY';

export function discoveryPath(env: NodeJS.ProcessEnv = process.env): string {
  const p = env[DISCOVERY_ENV];
  return p && p.length > 0 ? p : join(airlockHome(env), 'bridge.json');
}

export function killFlagPath(home = airlockHome()): string {
  return join(home, 'killed');
}

/** Create the state directory 0700 (and tighten it if it already exists: it is Airlock's own). */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function writePrivate(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/**
 * Where a gate in `home` listens on a Unix domain socket, or undefined where it does not: on
 * Windows, with AIRLOCK_BRIDGE_SOCKET=0, or when the path is too long for a socket address (callers
 * then use the TCP bridge alone).
 */
export function bridgeSocketPath(home: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'win32' || env.AIRLOCK_BRIDGE_SOCKET === '0') return undefined;
  const path = join(home, `bridge-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
  return path.startsWith('/') && Buffer.byteLength(path) <= MAX_SOCKET_PATH ? path : undefined;
}

/** Remove bridge sockets in `home` left by gates whose process is gone (a crash leaves its file). */
export function sweepBridgeSockets(home: string, log: (l: string) => void, isAlive: (pid: number) => boolean): void {
  sweepByPid(home, /^bridge-(\d+)-[0-9a-f]+\.sock$/, isAlive, (pid) => log(`removed the bridge socket of gate pid ${pid}, which is gone`));
}

/** Remove the files in `dir` whose name (matching `re`, the pid its first group) names a process that is gone. */
function sweepByPid(dir: string, re: RegExp, isAlive: (pid: number) => boolean, removed: (pid: number) => void): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const m = re.exec(e);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    rmSync(join(dir, e), { force: true });
    removed(pid);
  }
}

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

export function writeDiscovery(path: string, d: DiscoveryFile): void {
  ensurePrivateDir(join(path, '..'));
  writePrivate(path, `${JSON.stringify(d)}\n`);
}

export type DiscoveryRead = { ok: true; discovery: DiscoveryFile } | { ok: false; reason: string };

/** Read and validate the discovery file. Never throws. */
export function readDiscovery(path: string): DiscoveryRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, reason: `no discovery file at ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `discovery file ${path} is not JSON (${(e as Error).message})` };
  }
  // Checked without zod: the hook shim reads this file on every tool call (bridgeGuards.ts).
  const p = checkDiscoveryFile(raw);
  if (!p.ok) return { ok: false, reason: `discovery file ${path} is invalid (${p.issues[0]?.message ?? 'schema'})` };
  return { ok: true, discovery: p.value };
}

/** Remove the discovery file only if it is still ours (another gate may have started since). */
export function removeDiscoveryIfOurs(path: string, token: string): boolean {
  const r = readDiscovery(path);
  if (!r.ok || r.discovery.token !== token) return false;
  rmSync(path, { force: true });
  return true;
}

export type KillState = { killed: false } | { killed: true; flag: KillFlag };

/**
 * Is the kill switch latched? The flag's presence latches it; a flag that cannot be read or parsed
 * still counts as latched (fail closed), with a reason saying so.
 */
export function readKillFlag(home = airlockHome()): KillState {
  const path = killFlagPath(home);
  if (!existsSync(path)) return { killed: false };
  try {
    const p = checkKillFlag(JSON.parse(readFileSync(path, 'utf8')));
    if (p.ok) return { killed: true, flag: p.value };
    return { killed: true, flag: { at: '', reason: `kill flag ${path} is present but malformed: treated as latched` } };
  } catch (e) {
    return { killed: true, flag: { at: '', reason: `kill flag ${path} is present but unreadable (${(e as Error).message}): treated as latched` } };
  }
}

export function latchKill(reason: string, home = airlockHome(), at = new Date().toISOString()): void {
  ensurePrivateDir(home);
  writePrivate(killFlagPath(home), `${JSON.stringify({ at, reason })}\n`);
}

export function unlatchKill(home = airlockHome()): boolean {
  const path = killFlagPath(home);
  if (!existsSync(path)) return false;
  rmSync(path, { force: true });
  return true;
}

/** Remove per-window discovery files of windows that are gone. */
export function sweepEditorDiscovery(dir: string, log: (l: string) => void, isAlive: (pid: number) => boolean): void {
  sweepByPid(dir, /^(\d+)\.json$/, isAlive, (pid) => log(`removed stale discovery file of window pid ${pid}`));
}
