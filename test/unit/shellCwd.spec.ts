/**
 * Where it runs: the working-directory corpus (every directory-changing form × sensitive places)
 * must never be allowed, and what the person reads must name the real resolved path. Plus the
 * scoping rules one by one, and the temp-space rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, type RunState } from '../../src/core/judge.js';
import { buildEffectivePolicy } from '../../src/core/policy/layers.js';
import { makeEnvironment, NO_FS, type PathFacts } from '../../src/core/paths.js';
import { classifyShell } from '../../src/core/classify/shell/classifyShell.js';
import { cwdCases } from '../fixtures/cwdCases.js';

const WS = '/home/user/project';
const env = makeEnvironment({ cwd: WS, workspaceRoots: [WS], home: '/home/user', vars: { HOME: '/home/user', TMPDIR: '/tmp' }, fs: NO_FS });
const policy = buildEffectivePolicy({});
const state: RunState = { killed: false, mode: 'interactive', canSnapshot: true };

test('cwd corpus: every case is asked or denied, and the reason names the real path', () => {
  const cases = cwdCases();
  assert.ok(cases.length >= 500, `corpus has ${cases.length} cases`);
  const bad: string[] = [];
  for (const c of cases) {
    const d = judge({ kind: 'shell', command: c.command, cwd: WS, workspaceRoots: [WS] }, policy, state, env);
    const shown = [...d.reasons, ...d.effects.map((e) => e.detail)].join(' | ');
    const named = c.path === 'unknown' ? /cannot tell|could be anywhere|could expand anywhere|unknown directory/.test(shown) : d.reasons.join(' | ').includes(c.path);
    if (d.decision === 'allow' || !named) bad.push(`${c.id}: ${JSON.stringify(c.command)} → ${d.decision}: ${d.reasons.join(' | ').slice(0, 300)}`);
  }
  assert.deepEqual(bad, []);
});

const effectsOf = (cmd: string, e = env) => classifyShell(cmd, e).effects.filter((x) => x.kind !== 'read').map((x) => x.target ?? x.detail);

test('cd scoping: subshells, pipelines and substitutions do not leak; groups and eval do', () => {
  assert.deepEqual(effectsOf('(cd /etc); touch x'), [`${WS}/x`]);
  assert.deepEqual(effectsOf('{ cd /etc; }; touch x'), ['/etc/x']);
  assert.deepEqual(effectsOf('cd /etc | cat; touch x'), [`${WS}/x`]);
  assert.deepEqual(effectsOf('echo $(cd /etc); touch x'), [`${WS}/x`]);
  assert.deepEqual(effectsOf("bash -c 'cd /etc'; touch x"), [`${WS}/x`]);
  assert.deepEqual(effectsOf("eval 'cd /etc'; touch x"), ['/etc/x']);
  assert.deepEqual(effectsOf('cd /etc & touch x'), [`${WS}/x`]);
  assert.deepEqual(effectsOf('cd sub && touch x'), [`${WS}/sub/x`]);
  assert.deepEqual(effectsOf('cd && touch x'), ['/home/user/x']);
  assert.deepEqual(effectsOf('cd /etc && cd - && touch x'), [`${WS}/x`]);
  assert.deepEqual(effectsOf('pushd /etc; pushd /var; popd; touch x; popd; touch y'), ['/etc/x', `${WS}/y`]);
  assert.deepEqual(effectsOf('cd /etc && cd ../home && touch x'), ['/home/x']);
});

test('functions move their caller; prefix assignments steer cd; a function named cd is followed', () => {
  assert.deepEqual(effectsOf('f() { cd /etc; }; cd ~/project; f; touch b'), ['/etc/b']);
  assert.deepEqual(effectsOf('g() { echo hi; }; g; touch z'), [`${WS}/z`]);
  assert.deepEqual(effectsOf('cd() { builtin cd /etc; }; cd x; touch y'), ['/etc/y']);
  assert.deepEqual(effectsOf('HOME=/etc cd && touch hosts'), ['/etc/hosts']);
  assert.ok(classifyShell('CDPATH=/etc cd ssh && touch x', env).flags.outsideWorkspace);
});

test('cd to a place Airlock cannot resolve makes later relative targets "could be anywhere"; an absolute cd brings it back', () => {
  const c = classifyShell('cd "$X" && rm -f notes.txt', env);
  assert.equal(c.reversibility, 'irreversible');
  assert.ok(c.flags.outsideWorkspace);
  assert.match(c.effects.find((e) => e.kind === 'delete')!.detail, /cannot tell after `cd \$X`/);
  assert.deepEqual(effectsOf('cd $X; cd /etc; touch x'), ['/etc/x']);
  const cdpath = makeEnvironment({ ...env, vars: { HOME: '/home/user', CDPATH: '/srv' } });
  assert.ok(classifyShell('cd conf && touch x', cdpath).flags.outsideWorkspace);
  assert.deepEqual(effectsOf('cd ./conf && touch x', cdpath), [`${WS}/conf/x`]);
});

test('per-program directory options set where that program works', () => {
  const g = classifyShell('git -C /srv/app reset --hard', env);
  assert.ok(g.effects.some((e) => e.target === '/srv/app' && e.outsideWorkspace));
  assert.ok(classifyShell('git -C sub reset --hard', env).effects.some((e) => e.target === `${WS}/sub` && !e.outsideWorkspace));
  assert.ok(classifyShell('tar -C ~ -xf a.tar', env).effects.some((e) => e.target === '/home/user' && e.kind === 'overwrite'));
  // No package.json can be read in /srv/x (outside the workspace, anything may put one there before
  // npm runs): what the script does cannot be established, so it is unknown and asks.
  const pre = classifyShell('npm --prefix /srv/x test', env);
  assert.equal(pre.reversibility, 'unknown');
  assert.match(pre.effects[0]!.detail, /no package\.json in \/srv\/x/);
  assert.equal(classifyShell('npm --prefix web test', env).flags.exec, false);
  assert.deepEqual(effectsOf('env -C /etc touch x'), ['/etc/x']);
  assert.deepEqual(effectsOf('sudo -u root -D /etc touch x'), ['/etc/x']);
  assert.deepEqual(effectsOf('git -C a -C b add x').length, 1);
});

test('temp space: only what this command line created, a scratch folder, or nothing that exists is recoverable', () => {
  const files = new Set(['/tmp/shared-cache', '/tmp/other-user/data']);
  const fs: PathFacts = { realpath: () => undefined, kind: (p) => (files.has(p) ? 'dir' : p === '/tmp' ? 'dir' : undefined) };
  const e = makeEnvironment({ ...env, fs });
  const rev = (cmd: string, en = e) => classifyShell(cmd, en).reversibility;
  assert.equal(rev('rm -rf /tmp/shared-cache'), 'irreversible');
  assert.equal(rev('rm -rf /tmp/other-user/data'), 'irreversible');
  assert.equal(rev('rm -rf /tmp/*'), 'irreversible');
  assert.equal(rev('rm -rf /tmp/not-there'), 'recoverable');
  assert.equal(rev('mkdir /tmp/build-1 && cp -r src /tmp/build-1 && rm -rf /tmp/build-1'), 'recoverable');
  assert.equal(rev('mkdir -p /tmp/shared-cache && rm -rf /tmp/shared-cache'), 'irreversible');
  const scratch = makeEnvironment({ ...e, scratchDirs: ['/tmp/shared-cache'] });
  assert.equal(rev('rm -rf /tmp/shared-cache/x', scratch), 'recoverable');
  assert.match(classifyShell('rm -rf /tmp/shared-cache', e).effects[0]!.detail, /existing data in a temp folder/);
});
