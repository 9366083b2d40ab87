/**
 * Editor CLIs opening workspace files (`code .`, `code -g f:12`, `code --diff a b`) are reads; a path
 * outside the workspace, a secret, a subcommand (`code tunnel`), an unreadable word or an option
 * that is not about opening stays with the closed world or the extension rules (T65).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, type RunState } from '../../src/core/judge.js';
import { buildEffectivePolicy } from '../../src/core/policy/layers.js';
import { makeEnvironment, NO_FS } from '../../src/core/paths.js';

const WS = '/home/user/project';
const env = makeEnvironment({ cwd: WS, workspaceRoots: [WS], home: '/home/user', vars: { HOME: '/home/user' }, fs: NO_FS });
const policy = buildEffectivePolicy({});
const state: RunState = { killed: false, mode: 'interactive', canSnapshot: true };
const decide = (cmd: string) => judge({ kind: 'shell', command: cmd, cwd: WS, workspaceRoots: [WS] }, policy, state, env).decision;

test('opening workspace files in the editor reads', () => {
  for (const cmd of ['code .', 'code -g src/app.ts:12', 'code --diff a.ts b.ts', 'cursor -r README.md', 'code ./tunnel', 'code -n src docs']) assert.equal(decide(cmd), 'allow', cmd);
});

test('the rest still asks', () => {
  for (const cmd of ['code tunnel', 'code serve-web', 'code ~/.ssh', 'code /etc', 'code ../other', 'code .env', 'code $X', 'code --remote ssh-remote+h /x', 'code --install-extension x.y', 'code --disable-extensions .', 'code --extensions-dir /tmp/e .', 'code --uninstall-extension airlock.airlock']) {
    assert.notEqual(decide(cmd), 'allow', cmd);
  }
});
