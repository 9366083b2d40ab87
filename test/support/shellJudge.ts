/**
 * Judging shell command lines in a table-described workspace (test/support/env.ts), with the default
 * policy, as the editor's gate (checkpoints on) or without checkpoints: `decide` returns the
 * decision; `allows` / `blocks` / `asks` assert it for a list of command lines, naming the line that failed.
 */
import assert from 'node:assert/strict';
import { judge, type RunState } from '../../src/core/judge';
import { buildEffectivePolicy } from '../../src/core/policy/layers';
import type { Environment } from '../../src/core/paths';
import { HOME, WS, testEnv } from './env';

export const GATE: RunState = { killed: false, mode: 'interactive', canSnapshot: true };
export const BARE: RunState = { ...GATE, canSnapshot: false };

/** `entries`: the file table (path -> 'file' | 'dir'); `vars`: environment variables beyond HOME and TMPDIR. */
export function shellJudge(entries: Record<string, string> = {}, vars: Record<string, string> = {}) {
  return judgeIn(testEnv(entries, { vars: { HOME, TMPDIR: '/tmp', ...vars } }));
}

/** The same helpers in an environment of the caller's (an in-memory file system with contents, say). */
export function judgeIn(env: Environment) {
  const policy = buildEffectivePolicy({});
  const decide = (cmd: string, state: RunState = GATE) => judge({ kind: 'shell', command: cmd, cwd: WS, workspaceRoots: [WS] }, policy, state, env);
  const allows = (cmds: string[], state: RunState = GATE): void => {
    for (const cmd of cmds) {
      const d = decide(cmd, state);
      assert.equal(d.decision, 'allow', `${cmd}: ${d.reasons.join(' | ')}`);
    }
  };
  const blocks = (cmds: string[], state: RunState = GATE): void => {
    for (const cmd of cmds) {
      const d = decide(cmd, state);
      assert.notEqual(d.decision, 'allow', `${cmd}: ${d.reasons.join(' | ')}`);
    }
  };
  const asks = (cmds: string[], state: RunState = GATE): void => {
    for (const cmd of cmds) {
      const d = decide(cmd, state);
      assert.equal(d.decision, 'ask', `${cmd}: ${d.decision} ${d.reasons.join(' | ')}`);
    }
  };
  return { env, decide, allows, blocks, asks };
}
