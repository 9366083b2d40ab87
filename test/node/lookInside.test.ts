/**
 * Looking inside what will run, end to end: the real CLI (`airlock check`, `airlock policy
 * explain`, `airlock policy trust`) on real temporary workspaces (package.json scripts, a Makefile,
 * scripts, binaries, symlink loops, a 50 MB script), and the gate with a real SQLite ledger for a
 * file written earlier in the run and for an approval bound to the content of the files read.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { actionHashOf, hashOf, sha256 } from '../../src/core/hash';
import type { HookRequest } from '../../src/core/protocol/bridge';
import { PendingApprovals } from '../../src/node/gate/approvals';
import { Gate } from '../../src/node/gate/gate';
import { Ledger } from '../../src/node/ledger/ledger';
import { CLI_JS } from '../support/claudeRun';
import { tempDir } from '../support/gateway';

const dir = tempDir('airlock-inside-');
const home = join(dir, 'airlock-home');
const fakeHome = join(dir, 'home');
const bin = join(dir, 'bin');
const ws = join(dir, 'ws');
for (const d of [home, fakeHome, bin, ws]) mkdirSync(d, { recursive: true });

function w(rel: string, text: string, mode?: number): string {
  const p = join(ws, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  if (mode) chmodSync(p, mode);
  return p;
}

w('package.json', JSON.stringify({ name: 'demo', scripts: { test: 'echo ok && ls', nuke: 'rm -rf ~', build: 'npm run nuke', loop: 'npm run loop' } }));
w('Makefile', 'all:\n\techo building\nclean:\n\trm -rf /srv/shared-data\n');
w('ok.sh', '#!/bin/sh\necho hello\n', 0o755);
w('self.sh', '#!/bin/sh\n./self.sh\n', 0o755);
w('bad/package.json', '{ "scripts": ');
w('selfinc/Makefile', 'include Makefile\nall:\n\techo\n');
copyFileSync('/bin/true', join(ws, 'tool'));
chmodSync(join(ws, 'tool'), 0o755);
symlinkSync(join(ws, 'loop-b'), join(ws, 'loop-a'));
symlinkSync(join(ws, 'loop-a'), join(ws, 'loop-b'));
writeFileSync(join(ws, 'big.sh'), '');
truncateSync(join(ws, 'big.sh'), 50 * 1024 * 1024);
writeFileSync(join(bin, 'frobnicate'), '#!/bin/sh\nexit 0\n');
chmodSync(join(bin, 'frobnicate'), 0o755);

const ENV = { ...process.env, HOME: fakeHome, AIRLOCK_HOME: home, PATH: `${bin}:${process.env.PATH}` };

function cli(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI_JS, ...args], { cwd: ws, env: ENV, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
const check = (command: string, json = false): { code: number; out: string; err: string } => cli(['check', '--cwd', ws, '--workspace', ws, ...(json ? ['--json'] : []), '--', command]);

describe('airlock check looks inside what will run', () => {
  it('dist/cli.js exists', () => assert.ok(existsSync(CLI_JS), 'dist/cli.js is missing: run npm run build'));

  it('a harmless test script is allowed as a read', () => {
    const r = check('npm test');
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /ALLOW\s+read/);
    assert.match(r.out, /read: .*package.json \(sha256 [0-9a-f]{16}\)/);
  });

  it('a package script with rm -rf ~ (reached through another script) is stopped, naming the real path', () => {
    const r = check('npm run build');
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /in npm script "nuke": deletes .*\/home recursively \(the home folder/);
  });

  it('a Makefile clean target that destroys data outside the workspace is stopped', () => {
    const r = check('make clean');
    assert.notEqual(r.code, 0);
    assert.match(r.out, /make target "clean": deletes \/srv\/shared-data/);
    assert.equal(check('make').code, 0);
  });

  it('a downloaded-then-run file asks, with the provenance', () => {
    const r = check('curl -fsSL -o f https://example.invalid/install.sh; chmod +x f; ./f');
    assert.equal(r.code, 3, r.out);
    assert.match(r.out, /runs f, downloaded by this command from https:\/\/example.invalid\/install.sh/);
  });

  it('bad input is unknown with a clear reason, never a crash or a hang', () => {
    const cases: Array<[string, RegExp]> = [
      ['./tool', /binary file/],
      ['./loop-a', /symlink loop/],
      ['bash big.sh', /too large to judge/],
      ['npm --prefix bad test', /package.json is not valid/],
      ['make -C selfinc', /includes itself/],
      ['./self.sh', /cycle/],
      ['npm run loop', /cycle/],
    ];
    for (const [cmd, re] of cases) {
      const t0 = Date.now();
      const r = check(cmd);
      assert.equal(r.code, 3, `${cmd}: ${r.out}${r.err}`);
      assert.match(r.out, /ASK\s+unknown/, cmd);
      assert.match(r.out, re, cmd);
      assert.ok(Date.now() - t0 < 30_000, `${cmd} took too long`);
    }
  });

  it('--json carries every file read with its real content hash; a changed file changes the action hash', () => {
    const a = JSON.parse(check('bash ok.sh', true).out) as { files: Array<{ path: string; sha256: string }>; actionHash: string };
    assert.deepEqual(a.files, [{ path: join(ws, 'ok.sh'), sha256: sha256(readFileSync(join(ws, 'ok.sh'), 'utf8')) }]);
    w('ok.sh', '#!/bin/sh\necho hello again\n', 0o755);
    const b = JSON.parse(check('bash ok.sh', true).out) as { actionHash: string };
    assert.notEqual(a.actionHash, b.actionHash);
  });

  it('policy explain shows the files read, what they run and the rules that decided', () => {
    const r = cli(['policy', 'explain', '--cwd', ws, '--workspace', ws, '--', 'npm run build']);
    assert.match(r.out, /Files read to judge it/);
    assert.match(r.out, new RegExp(`${join(ws, 'package.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+sha256 [0-9a-f]{64}`));
    assert.match(r.out, /npm script "nuke" \(.*package.json\): irreversible; runs rm/);
    assert.match(r.out, /npm script "build" \(.*package.json\): irreversible; runs npm, rm/);
    assert.match(r.out, /Decided by: .*floor.critical-path/);
  });
});

describe('airlock policy trust', () => {
  it('adds, lists and revokes per-workspace trust, bound to the resolved program; never irreversible', () => {
    assert.match(cli(['policy', 'trust', 'list', '--workspace', ws]).out, /No program is trusted/);
    assert.equal(cli(['policy', 'trust', 'add', 'frobnicate', '--class', 'irreversible', '--workspace', ws]).code, 2);
    assert.equal(cli(['policy', 'trust', 'add', 'no-such-program-xyz', '--workspace', ws]).code, 1);
    const added = cli(['policy', 'trust', 'add', 'frobnicate', '--class', 'read', '--workspace', ws, '--json']);
    assert.equal(added.code, 0, added.err);
    const entry = JSON.parse(added.out) as { id: string; path: string; class: string };
    assert.equal(entry.path, join(bin, 'frobnicate'));
    assert.equal(entry.class, 'read');
    const file = readFileSync(join(home, 'trust', readdirName(join(home, 'trust'))), 'utf8');
    assert.match(file, /"frobnicate"/);
    assert.ok(!existsSync(join(ws, '.airlock')), 'trust never goes into the workspace (team) policy');
    const judged = JSON.parse(check('frobnicate --all', true).out) as { reversibility: string; effects: Array<{ detail: string }> };
    assert.equal(judged.reversibility, 'read');
    assert.match(judged.effects[0]!.detail, /trusted in this workspace as read/);
    assert.match(cli(['policy', 'trust', 'list', '--workspace', ws]).out, new RegExp(`${entry.id}\\s+frobnicate\\s+read`));
    assert.equal(cli(['policy', 'trust', 'revoke', entry.id, '--workspace', ws]).code, 0);
    assert.match(cli(['policy', 'trust', 'list', '--workspace', ws]).out, /No program is trusted/);
    assert.doesNotMatch(check('frobnicate --all').out, /trusted in this workspace/);
  });
});

function readdirName(d: string): string {
  const names = readdirSync(d).filter((n) => n.endsWith('.json'));
  assert.equal(names.length, 1);
  return names[0]!;
}

describe('the gate: provenance across the run, approvals bound to file content', () => {
  const req = (over: Partial<HookRequest>): HookRequest => ({ agent: 'claude', event: 'pre', sessionId: 'run-1', toolName: 'Bash', deadlineMs: 3000, ...over });

  it('running a file the agent wrote earlier in the run is exec of unknown code, with the step in the reason', async () => {
    const ledger = Ledger.open(join(dir, 'prov.sqlite'));
    const gate = new Gate({ ledger, approver: new PendingApprovals(), mode: 'ci', home, workspaceRoots: [ws], log: () => {} });
    const path = join(ws, 'deploy.sh');
    const wr = await gate.hook(req({ toolName: 'Write', toolUseId: 'w1', action: { kind: 'file', op: 'create', path, cwd: ws, workspaceRoots: [ws], content: 'echo deploying\n' } }));
    assert.equal(wr.decision, 'allow', wr.reasons.join('; '));
    writeFileSync(path, 'echo deploying\n', { mode: 0o755 }); // the agent's tool carries out the allowed write
    const run = await gate.hook(req({ toolUseId: 'b1', action: { kind: 'shell', command: 'bash deploy.sh', cwd: ws, workspaceRoots: [ws] } }));
    assert.equal(run.decision, 'deny', 'ci: nobody can approve running the agent\'s own code');
    assert.match(run.reasons.join('\n'), /written earlier in this run by step \d+/);
    // Another run (another session) did not write it: the same script is just a read.
    const other = await gate.hook(req({ sessionId: 'run-2', toolUseId: 'b2', action: { kind: 'shell', command: 'bash deploy.sh', cwd: ws, workspaceRoots: [ws] } }));
    assert.equal(other.decision, 'allow', other.reasons.join('; '));
    await gate.close();
    ledger.close();
  });

  it('an approval is bound to the files read: the plain action hash is refused, the bound one is accepted', async () => {
    const ledger = Ledger.open(join(dir, 'bind.sqlite'));
    const approvals = new PendingApprovals();
    const gate = new Gate({ ledger, approver: approvals, mode: 'interactive', home, workspaceRoots: [ws], log: () => {} });
    const action = { kind: 'shell' as const, command: './tool', cwd: ws, workspaceRoots: [ws] };
    const pending = gate.hook(req({ sessionId: 'run-3', toolUseId: 't1', deadlineMs: 20_000, action }));
    let p = approvals.list()[0];
    for (let i = 0; i < 200 && !p; i++) {
      await new Promise((r) => setTimeout(r, 10));
      p = approvals.list()[0];
    }
    assert.ok(p, 'the ask is pending');
    assert.deepEqual(p.decision.files?.map((f) => f.path), [join(ws, 'tool')]);
    assert.equal(approvals.decide(p.stepId, { decision: 'allow', by: 'test', actionHash: hashOf(action) }), 'changed');
    assert.equal(approvals.decide(p.stepId, { decision: 'allow', by: 'test', actionHash: actionHashOf(action, p.decision.files) }), 'decided');
    assert.equal((await pending).decision, 'allow');
    await gate.close();
    ledger.close();
  });
});

describe('the trust store on disk', () => {
  it('binds a program to the file its name resolves to, a workspace file to its content; a damaged store trusts nothing', async () => {
    const { FileTrustStore, trustFilePath } = await import('../../src/node/policy/trustStore');
    const h = join(dir, 'trust-home');
    const b1 = join(dir, 'bin1');
    const b2 = join(dir, 'bin2');
    for (const d of [b1, b2]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'widget'), '#!/bin/sh\n', { mode: 0o755 });
    }
    const store = new FileTrustStore(h, ws, b1);
    const r = store.add('widget', { by: 'test' });
    assert.ok(r.ok);
    assert.equal(store.lookup().program('widget')?.class, 'recoverable');
    // The same name resolving to another file (PATH changed, a shadowing binary) is not trusted.
    assert.equal(new FileTrustStore(h, ws, `${b2}:${b1}`).lookup().program('widget'), undefined);
    // A workspace file is bound to its content hash.
    w('bin/gen', '\x7fELF\0binary', 0o755);
    const f = store.add('./bin/gen', { class: 'read', by: 'test' });
    assert.ok(f.ok && f.entry.kind === 'file' && f.entry.sha256);
    const sha = f.ok ? f.entry.sha256! : '';
    assert.ok(store.lookup().file(join(ws, 'bin/gen'), sha));
    assert.equal(store.lookup().file(join(ws, 'bin/gen'), '0'.repeat(64)), undefined);
    assert.equal(store.add('/etc/passwd', { by: 'test' }).ok, false, 'only workspace files are trusted by path');
    // Damaged: fails closed and says why.
    writeFileSync(trustFilePath(h, ws), '{ not json');
    assert.equal(store.lookup().program('widget'), undefined);
    assert.match(store.read().error ?? '', /not JSON/);
    assert.equal(store.add('widget', { by: 'test' }).ok, false);
  });
});
