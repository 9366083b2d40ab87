/**
 * Judging shell command lines in a table-described workspace (test/support/env.ts), with the default
 * policy, as the editor's gate (checkpoints on) or without checkpoints: `decide` returns the
 * decision; `allows` / `blocks` assert it for a list of command lines, naming the line that failed.
 */
import assert from 'node:assert/strict';
import { judge, type RunState } from '../../src/core/judge';
import { buildEffectivePolicy } from '../../src/core/policy/layers';
import { HOME, WS, testEnv } from './env';

export const GATE: RunState = { killed: false, mode: 'interactive', canSnapshot: true };
export const BARE: RunState = { ...GATE, canSnapshot: false };

/** `entries`: the file table (path -> 'file' | 'dir'); `vars`: environment variables beyond HOME and TMPDIR. */
export function shellJudge(entries: Record<string, string> = {}, vars: Record<string, string> = {}) {
  const env = testEnv(entries, { vars: { HOME, TMPDIR: '/tmp', ...vars } });
  const policy = buildEffectivePolicy({});
  const decide = (cmd: string, state: RunState = GATE) => judge({ kind: 'shell', command: cmd, cwd: WS, workspaceRoots: [WS] }, policy, state, env);
  const allows = (cmds: string[], state: RunState = GATE): void => {
    for (const cmd of cmds) {
      const d = decide(cmd, state);
      assert.equal(d.decision, 'allow', `${cmd}: ${d.reasons.join(' | ')}`);
    }
  };
  const blocks = (cmds: string[], state: RunState = GATE): void => {
    for (const cmd of cmds) assert.notEqual(decide(cmd, state).decision, 'allow', cmd);
  };
  return { env, decide, allows, blocks };
}
