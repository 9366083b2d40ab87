/**
 * Process trees for the kill switch: find the agents Airlock knows about and end them with every
 * process they started.
 *
 * Sources of agent PIDs: the hook shim's parent (sent as `agentPid` in each hook request, resolved
 * past a transient `sh -c` that ran the hook), and agent CLIs found under the shells of the editor's
 * terminals. Ending a tree: SIGSTOP every process in it (rescanning until no new child appears, so
 * nothing forks away while we work), then SIGKILL them all, then wait until they are gone.
 *
 * Never ended: this process, its ancestors (an agent that runs inside the editor, like Copilot or
 * Cline, is the editor: the kill flag stops it instead), PID 1, and processes of another user.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Process group (absent where the platform does not say). */
  pgid?: number;
  uid: number | undefined;
  /** Process state letter on Linux ('Z' = zombie: already dead). */
  state: string;
  comm: string;
  /** argv joined by spaces. */
  cmdline: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may contain spaces or parentheses: split at the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const rest = stat.slice(close + 2).split(' ');
    const state = rest[0] ?? '?';
    const ppid = Number(rest[1]);
    const pgid = Number(rest[2]);
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((x) => x).join(' ');
    } catch {
      /* exited between reads */
    }
    let uid: number | undefined;
    try {
      const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) uid = Number(m[1]);
    } catch {
      /* exited */
    }
    return { pid, ppid, ...(Number.isFinite(pgid) ? { pgid } : {}), uid, state, comm, cmdline };
  } catch {
    return undefined;
  }
}

/** A snapshot of the process table (Linux /proc; `ps` elsewhere). */
export function listProcesses(): ProcInfo[] {
  if (process.platform === 'linux') {
    return readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .map((e) => readProc(Number(e)))
      .filter((p): p is ProcInfo => !!p);
  }
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,uid=,state=,comm=,args='], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  return out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), uid: Number(m[4]), state: m[5]!.slice(0, 1), comm: m[6]!.split('/').pop()!, cmdline: m[7] ?? '' }));
}

export function isAlive(pid: number): boolean {
  if (process.platform === 'linux') {
    const p = readProc(pid);
    return !!p && p.state !== 'Z' && p.state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** All descendants of `root` (not root itself), parents before children. */
export function descendants(table: readonly ProcInfo[], root: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of table) if (p.pid !== p.ppid) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const seen = new Set<number>([root]);
  const queue = [root];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const c of children.get(cur) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export function ancestors(table: readonly ProcInfo[], pid: number): number[] {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const out: number[] = [];
  let cur = byPid.get(pid);
  while (cur && cur.ppid > 0 && !out.includes(cur.ppid)) {
    out.push(cur.ppid);
    cur = byPid.get(cur.ppid);
  }
  return out;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh', 'fish']);

/**
 * The agent behind a hook's parent PID: agents often run the hook through `sh -c "<hook command>"`,
 * so when the parent is a shell whose command line runs Airlock's hook, the agent is its parent.
 */
export function resolveAgentPid(table: readonly ProcInfo[], pid: number): number {
  const p = table.find((x) => x.pid === pid);
  if (p && SHELLS.has(p.comm) && /\bhook(\.js)?\b/.test(p.cmdline) && p.ppid > 1) return p.ppid;
  return pid;
}

/** Agent CLIs Airlock can recognise by command line (for agents found under terminals). */
const AGENT_CMD = /(^|[\s/])(claude|codex|gemini|cursor-agent|copilot|cline|aider|opencode)(\s|$)|@anthropic-ai\/claude-code\/|@openai\/codex\/|@google\/gemini-cli\/|@github\/copilot\//;

export function looksLikeAgent(p: Pick<ProcInfo, 'cmdline' | 'comm'>): boolean {
  return AGENT_CMD.test(p.cmdline) || AGENT_CMD.test(` ${p.comm} `);
}

/** The topmost agent processes in the tree under `root` (a terminal's shell). */
export function agentsUnder(table: readonly ProcInfo[], root: number): number[] {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const hits = descendants(table, root).filter((pid) => {
    const p = byPid.get(pid);
    return !!p && looksLikeAgent(p);
  });
  const set = new Set(hits);
  // Keep only the topmost: an agent's own node child is part of its tree anyway.
  return hits.filter((pid) => !ancestors(table, pid).some((a) => set.has(a)));
}

export interface TreeKill {
  root: number;
  label: string;
  /** PIDs sent SIGKILL (root included unless skipped). */
  killed: number[];
  /** PIDs still alive after the wait (should be empty). */
  survivors: number[];
  skipped?: string;
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  let alive = pids.filter(isAlive);
  while (alive.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** Why a PID must not be ended, or undefined when it may. */
export function protectedReason(table: readonly ProcInfo[], pid: number, self = process.pid): string | undefined {
  if (pid <= 1) return 'PID 1 / invalid';
  if (pid === self) return 'it is Airlock itself';
  if (ancestors(table, self).includes(pid)) return 'it is the editor running Airlock (an agent inside the editor is stopped by the kill flag instead)';
  const p = table.find((x) => x.pid === pid);
  if (!p) return 'no longer running';
  const myUid = process.getuid?.();
  if (myUid !== undefined && p.uid !== undefined && p.uid !== myUid) return `it belongs to another user (uid ${p.uid})`;
  return undefined;
}

/**
 * The processes that belong to `root`'s work: its descendants, and every member of a process group
 * led by one of them. A background job whose shell exited (`cmd &` run by `bash -c`, `(cmd &)`) is
 * re-parented to PID 1 or a subreaper, out of the parent tree, but keeps the agent's process group
 * (T55). A group led by anything outside the tree (the person's terminal, the editor) is not taken.
 */
export function workOf(table: readonly ProcInfo[], root: number): number[] {
  const tree = new Set([root, ...descendants(table, root)]);
  const groups = new Set(table.filter((p) => tree.has(p.pid) && p.pgid === p.pid).map((p) => p.pid));
  if (groups.size === 0) return [...tree];
  for (const p of table) if (p.pgid !== undefined && groups.has(p.pgid) && !tree.has(p.pid)) for (const q of [p.pid, ...descendants(table, p.pid)]) tree.add(q);
  return [...tree];
}

/** End `root` and everything under it: freeze (SIGSTOP) until the tree stops growing, then SIGKILL. */
export async function killTree(root: number, label: string, waitMs = 3000): Promise<TreeKill> {
  let table = listProcesses();
  const why = protectedReason(table, root);
  if (why) return { root, label, killed: [], survivors: [], skipped: why };
  const mine = new Set([process.pid, ...ancestors(table, process.pid)]);
  const frozen = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const myUid = process.getuid?.();
    const byPid = new Map(table.map((p) => [p.pid, p]));
    const tree = workOf(table, root).filter((p) => !mine.has(p) && p > 1 && (myUid === undefined || byPid.get(p)?.uid === undefined || byPid.get(p)!.uid === myUid));
    const fresh = tree.filter((p) => !frozen.has(p));
    if (fresh.length === 0) break;
    for (const p of fresh) {
      signal(p, 'SIGSTOP');
      frozen.add(p);
    }
    table = listProcesses();
  }
  const all = [...frozen];
  for (const p of all) signal(p, 'SIGKILL');
  const survivors = await waitGone(all, waitMs);
  return { root, label, killed: all, survivors };
}
