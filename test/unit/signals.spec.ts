/**
 * Signals judged by which processes they reach: one process or one server by name is recoverable
 * (start it again) and runs; every process of the user or of the system, or PID 1, ends the editor,
 * the agent, Airlock's gate and unsaved work with them: irreversible, never run unattended.
 * Both directions, with the forms each tool accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signalEffect } from '../../src/core/classify/shell/signals.js';
import { shellJudge } from '../support/shellJudge';

const { decide } = shellJudge({ '/tmp': 'dir' }, { USER: 'user' });


test('a signal to one process, a job or a server by name runs (recoverable)', () => {
  for (const cmd of ['kill 12345', 'kill -9 4242', 'kill -TERM 4242 4243', 'kill -s KILL 4242', 'kill -n 9 4242', 'kill %1', 'kill -- 4242', 'kill -1 4242', 'pkill -f "vite --port 5173"', 'pkill node', 'pkill -9 -f jest', 'killall node', 'killall -9 webpack', 'pkill -u user vite', 'kill $(cat server.pid)', 'kill -0 4242']) {
    const d = decide(cmd);
    assert.equal(d.decision, 'allow', `${cmd}: ${d.reasons.join(' | ')}`);
  }
});

test('listing signal names reads', () => {
  for (const cmd of ['kill -l', 'kill -L', 'kill -l 9']) {
    const d = decide(cmd);
    assert.equal(d.decision, 'allow', cmd);
    assert.equal(d.reversibility, 'read', cmd);
  }
});

test('a signal to every process of the user or the system, or to PID 1, is irreversible and asks', () => {
  for (const cmd of [
    'kill -9 -1', 'kill -KILL -1', 'kill -s KILL -1', 'kill -n 9 -1', 'kill -- -1', 'kill -15 -- -1', 'kill -1 -1', 'kill 1', 'kill -9 1', 'kill -SIGKILL 1',
    'pkill -u user', 'pkill -9 -u "$USER"', 'pkill --euid user', 'pkill -U 1000', 'pkill -uuser', 'pkill --uid=1000', 'killall -u user', 'pkill -f .', "pkill -f ''", 'pkill -9 -f ".*"', 'pkill "^"', 'killall5', 'killall5 -9',
    'sudo kill -9 -1', 'timeout 5 kill -9 -1', 'echo x && kill -- -1', 'bash -c "kill -9 -1"',
  ]) {
    const d = decide(cmd);
    assert.notEqual(d.decision, 'allow', `${cmd}: ${d.reasons.join(' | ')}`);
    assert.equal(d.reversibility, 'irreversible', cmd);
  }
});

test('the reason says what the signal reaches', () => {
  assert.match(signalEffect('kill', ['-9', '-1']).detail, /every process the user may signal/);
  assert.match(signalEffect('kill', ['1']).detail, /PID 1/);
  assert.match(signalEffect('pkill', ['-u', 'bob']).detail, /every process of that user/);
  assert.equal(signalEffect('kill', ['-l']).rev, 'read');
  assert.equal(signalEffect('kill', ['-9', '4242']).rev, 'recoverable');
});
