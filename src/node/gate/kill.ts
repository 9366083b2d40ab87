/**
 * The kill switch's steps that reach outside the gate: ending the agents' process trees (hook
 * sessions, then agents found under the editor's terminal shells) and asking a gate that owns the
 * default discovery file to stop. The order of the whole procedure lives in GateHost.kill.
 */
import { rmSync } from 'node:fs';
import type { EndedTree } from '../../core/gateControl';
import { agentsUnder, killTree, listProcesses } from './processTree';
import { postJson } from '../bridge/client';
import { readDiscovery } from '../bridge/discovery';

/** An agent process the gate learned of from its hook session. */
export interface AgentRecord {
  agent: string;
  sessionId: string;
  pid: number;
  label: string;
}

/** End each agent's process tree once (or, when `end` is off, say what is left running). */
export async function endAgentTrees(agents: readonly AgentRecord[], terminalShellPids: readonly number[], end: boolean, log: (l: string) => void): Promise<EndedTree[]> {
  const trees: EndedTree[] = [];
    const done = new Set<number>();
    const table = listProcesses();
    const targets: { pid: number; label: string }[] = [];
    for (const a of agents) targets.push({ pid: a.pid, label: `${a.label}, from its hook session` });
    for (const shell of terminalShellPids) for (const pid of agentsUnder(table, shell)) {
      const p = table.find((x) => x.pid === pid);
      targets.push({ pid, label: `${p?.comm ?? 'agent'} (pid ${pid}) in a terminal (shell ${shell})` });
    }
    if (!end && targets.length) log(`kill: leaving ${targets.length} agent process tree(s) running (airlock.kill.endAgentProcesses is off); the flag denies their actions`);
    for (const t of !end ? [] : targets) {
      if (done.has(t.pid)) continue;
      done.add(t.pid);
      const r = await killTree(t.pid, t.label);
      trees.push(r);
      log(r.skipped ? `kill: left ${t.label} running: ${r.skipped}` : `kill: ended ${t.label}: ${r.killed.length} process(es)${r.survivors.length ? `, SURVIVORS ${r.survivors.join(',')}` : ''}`);
    }
    return trees;
}

/** Ask a gate owning the default discovery file (another window, `airlock serve`) to stop; what happened, or undefined when there is none. */
export async function stopOtherGate(defaultDiscovery: string, reason: string): Promise<string | undefined> {
  const other = readDiscovery(defaultDiscovery);
  if (!other.ok || other.discovery.pid === process.pid) return undefined;
  const r = await postJson(other.discovery, '/v1/stop', { reason: `kill switch: ${reason}` }, 2000);
  rmSync(defaultDiscovery, { force: true });
  return 'error' in r ? `could not reach the gate of pid ${other.discovery.pid} (${r.reason}); it denies everything anyway while the flag is latched` : `asked the gate of pid ${other.discovery.pid} to stop (HTTP ${r.status})`;
}
