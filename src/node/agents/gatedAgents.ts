/**
 * Which agents are gated here: those whose Airlock hooks are installed (user scope, or the
 * project's own) and would run, read from the agents' config files (agents/install/installer.ts
 * `installedAgents`). The judge uses it for sub-agents (T52): an agent CLI started in an unguarded
 * mode that is not gated escapes the gate (deny); a gated one still asks.
 *
 * Cached for a short while per (home, CODEX_HOME, project): hook installs are rare, and a stale
 * answer only moves an unguarded sub-agent between ask and deny, never to allow.
 */
import { resolve } from 'node:path';
import { homedir } from 'node:os';
import { installedAgents } from './install/status';

const TTL_MS = 2000;
const CACHE = new Map<string, { at: number; agents: readonly string[] }>();

export function gatedAgentsFor(projectDir: string, env: NodeJS.ProcessEnv = process.env, now = Date.now()): readonly string[] {
  const home = env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
  const codexHome = env.CODEX_HOME && env.CODEX_HOME.length > 0 ? env.CODEX_HOME : undefined;
  const key = `${home}\0${codexHome ?? ''}\0${resolve(projectDir)}`;
  const hit = CACHE.get(key);
  if (hit && now - hit.at < TTL_MS) return hit.agents;
  let agents: readonly string[];
  try {
    agents = Object.freeze(installedAgents({ home, projectDir: resolve(projectDir), ...(codexHome ? { codexHome } : {}) }));
  } catch {
    agents = Object.freeze([]);
  }
  if (CACHE.size > 64) CACHE.clear();
  CACHE.set(key, { at: now, agents });
  return agents;
}
