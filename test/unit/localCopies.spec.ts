/**
 * A copy into a folder named with a trailing slash lands inside it (`cp f /tmp/` creates /tmp/f,
 * not "/tmp"), and scp between two local paths is a cp. What lands on something that exists, in a
 * protected folder or on another host still asks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, type RunState } from '../../src/core/judge.js';
import { buildEffectivePolicy } from '../../src/core/policy/layers.js';
import { makeEnvironment, NO_FS, type PathFacts } from '../../src/core/paths.js';
import { classifyShell } from '../../src/core/classify/shell/classifyShell.js';

const WS = '/home/user/project';
const env = makeEnvironment({ cwd: WS, workspaceRoots: [WS], home: '/home/user', vars: { HOME: '/home/user', TMPDIR: '/tmp' }, fs: NO_FS });
const policy = buildEffectivePolicy({});
const state: RunState = { killed: false, mode: 'interactive', canSnapshot: true };
const decide = (cmd: string, e = env) => judge({ kind: 'shell', command: cmd, cwd: WS, workspaceRoots: [WS] }, policy, state, e);

test('into a folder named with a trailing slash', () => {
  const targets = classifyShell('cp file.txt /tmp/', env).effects.filter((e) => e.kind !== 'read').map((e) => e.target);
  assert.deepEqual(targets, ['/tmp/file.txt']);
  for (const cmd of ['cp file.txt /tmp/', 'scp file.txt /tmp/', 'scp -r docs /tmp/', 'cp a.ts src/']) assert.equal(decide(cmd).decision, 'allow', cmd);
});

test('what still asks', () => {
  const existing: PathFacts = { realpath: () => undefined, kind: (p) => (p === '/tmp' ? 'dir' : p === '/tmp/file.txt' ? 'file' : undefined) };
  assert.notEqual(decide('cp file.txt /tmp/', makeEnvironment({ ...env, fs: existing })).decision, 'allow', 'overwrites someone\'s /tmp/file.txt');
  for (const cmd of ['scp -r src /etc/', 'scp ~/.ssh/id_rsa /tmp/', 'scp file.txt host:/tmp/', 'cp x /etc/cron.d/', 'scp x ~/.bashrc', 'cp -T a /tmp/']) {
    assert.notEqual(decide(cmd).decision, 'allow', cmd);
  }
});
