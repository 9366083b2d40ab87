/**
 * Validated policy files are remembered (src/node/policy/policyStore.ts, ValidatedCopy) so that a
 * short-lived process whose policy file has not changed does not load zod and node:crypto again.
 * What must hold: the remembered policy is exactly what validating the text gives; it is used only
 * for the same build, path and whole text (an edit that keeps the size and the time stamps is still
 * seen); anything else in its place is ignored; and the installed hook (dist/hook.js, a build with an
 * id) judges by the policy file as it is now, on its first call and on later ones.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePolicyText } from '../../src/core/policy/layers';
import { loadLayer } from '../../src/node/policy/policyStore';
import { ROOT, tempDir } from '../support/gateway';

const RICH = {
  version: 1,
  rules: [
    { id: 'no-cat', match: { kind: ['shell'], commands: ['cat'] }, decision: 'deny', reason: 'no cat here' },
    { id: 'review-src', match: { kind: ['file'], effects: ['create', 'write', 'overwrite', 'delete'], reversibility: ['recoverable', 'irreversible', 'unknown'], paths: ['src/**'] }, decision: 'ask', reason: 'reviewed' },
    { id: 'no-net', match: { network: true, outsideWorkspace: false }, decision: 'ask', reason: 'network' },
  ],
};

function cacheFiles(home: string): string[] {
  const dir = join(home, 'policy-cache');
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
}

describe('validated policy files are remembered by build, path and whole text', () => {
  it('the remembered policy equals the validated one, for the policies the tests and the e2e shop use', () => {
    const home = join(tempDir('airlock-polcache-'), 'home');
    const shop = join(ROOT, '.cache', 'e2e', 'start', 'shop', '.airlock', 'policy.json');
    const texts = [JSON.stringify(RICH, null, 2), JSON.stringify({ version: 1 }), ...(existsSync(shop) ? [readFileSync(shop, 'utf8')] : [])];
    texts.forEach((text, i) => {
      const file = join(home, `p${i}.json`);
      mkdirSync(home, { recursive: true });
      writeFileSync(file, text);
      const parsed = parsePolicyText(text);
      assert.ok(parsed.ok);
      const first = loadLayer(file, 'workspace', home, 'build-a');
      const second = loadLayer(file, 'workspace', home, 'build-a');
      assert.deepEqual(first, { policy: parsed.policy, hash: parsed.hash, path: file, warnings: [] });
      assert.deepEqual(second, first);
    });
  });

  it('is what a later call uses, and only for the same build, path and text', () => {
    const home = join(tempDir('airlock-polcache-'), 'home');
    mkdirSync(home, { recursive: true });
    const file = join(home, 'ws-policy.json');
    writeFileSync(file, JSON.stringify(RICH));
    loadLayer(file, 'workspace', home, 'build-a');
    const [entry] = cacheFiles(home);
    assert.ok(entry);
    assert.equal(statSync(entry).mode & 0o777, 0o600);
    // Mark the remembered copy: a later call that returns the mark took it from there.
    const marked = JSON.parse(readFileSync(entry, 'utf8'));
    marked.policy.rules[0].reason = 'MARK';
    writeFileSync(entry, JSON.stringify(marked));
    assert.equal(loadLayer(file, 'workspace', home, 'build-a').policy?.rules?.[0]?.reason, 'MARK');
    // Another build validates the text again (its schema may read it differently).
    assert.equal(loadLayer(file, 'workspace', home, 'build-b').policy?.rules?.[0]?.reason, 'no cat here');
    // Back on build-a: build-b's record replaced the mark, so it is validated again.
    assert.equal(loadLayer(file, 'workspace', home, 'build-a').policy?.rules?.[0]?.reason, 'no cat here');
    // Run from source (no build id): nothing remembered is used.
    writeFileSync(entry, JSON.stringify({ ...marked, build: 'build-a' }));
    assert.equal(loadLayer(file, 'workspace', home, undefined).policy?.rules?.[0]?.reason, 'no cat here');
  });

  it('an edit that keeps the size and both time stamps is still seen', () => {
    const home = join(tempDir('airlock-polcache-'), 'home');
    mkdirSync(home, { recursive: true });
    const file = join(home, 'policy.json');
    const before = JSON.stringify(RICH);
    writeFileSync(file, before);
    const st = statSync(file);
    assert.equal(loadLayer(file, 'workspace', home, 'build-a').policy?.rules?.[0]?.decision, 'deny');
    const after = before.replace('"decision":"deny"', '"decision":"ask" ');
    assert.equal(after.length, before.length);
    writeFileSync(file, after);
    utimesSync(file, st.atime, st.mtime);
    const r = loadLayer(file, 'workspace', home, 'build-a');
    assert.equal(r.policy?.rules?.[0]?.decision, 'ask');
    assert.equal(r.hash, parsePolicyText(after).ok ? (parsePolicyText(after) as { hash: string }).hash : '');
  });

  it('anything else in the record\'s place is ignored, and an invalid file is never remembered', () => {
    const home = join(tempDir('airlock-polcache-'), 'home');
    mkdirSync(home, { recursive: true });
    const file = join(home, 'policy.json');
    writeFileSync(file, JSON.stringify(RICH));
    loadLayer(file, 'workspace', home, 'build-a');
    const [entry] = cacheFiles(home);
    const good = JSON.parse(readFileSync(entry!, 'utf8'));
    for (const bad of ['not json', 'null', '[]', JSON.stringify({ ...good, v: 2 }), JSON.stringify({ ...good, path: '/elsewhere' }), JSON.stringify({ ...good, hash: 7 }), JSON.stringify({ ...good, policy: 'x' }), JSON.stringify({ ...good, text: `${good.text} ` })]) {
      writeFileSync(entry!, bad);
      const r = loadLayer(file, 'workspace', home, 'build-a');
      assert.equal(r.policy?.rules?.[0]?.reason, 'no cat here', bad.slice(0, 40));
      assert.deepEqual(r.warnings, []);
    }
    const home2 = join(tempDir('airlock-polcache-'), 'home');
    mkdirSync(home2, { recursive: true });
    const broken = join(home2, 'policy.json');
    writeFileSync(broken, JSON.stringify({ version: 1, rules: [{ id: 'x', match: {}, decision: 'deny ' }] }));
    const r = loadLayer(broken, 'workspace', home2, 'build-a');
    assert.equal(r.policy, undefined);
    assert.match(r.warnings.join(' '), /invalid/);
    assert.deepEqual(cacheFiles(home2), []);
  });
});

describe('the installed hook (dist/hook.js) judges by the policy file as it is now, call after call', () => {
  it('a workspace rule that denies a read applies on the first and later calls, and stops applying once removed', () => {
    const dir = tempDir('airlock-polcache-hook-');
    const ws = join(dir, 'ws');
    mkdirSync(join(ws, '.airlock'), { recursive: true });
    writeFileSync(join(ws, 'README.md'), '# demo\n');
    writeFileSync(join(ws, '.airlock', 'policy.json'), JSON.stringify(RICH, null, 2));
    const env: NodeJS.ProcessEnv = { ...process.env, AIRLOCK_HOME: join(dir, 'home'), HOME: join(dir, 'userhome') };
    delete env.AIRLOCK_DISCOVERY;
    const hook = (command: string) => {
      const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'hook.js'), 'hook', 'claude'], { env, cwd: ws, encoding: 'utf8', input: JSON.stringify({ session_id: 's', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command } }) });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout).hookSpecificOutput as { permissionDecision: string; permissionDecisionReason: string };
    };
    for (let i = 0; i < 3; i++) {
      const d = hook('cat README.md');
      assert.equal(d.permissionDecision, 'deny', `call ${i}`);
      assert.match(d.permissionDecisionReason, /no cat here/);
    }
    assert.equal(cacheFiles(join(dir, 'home')).length, 1, 'the built hook remembers the validated file');
    writeFileSync(join(ws, '.airlock', 'policy.json'), JSON.stringify({ ...RICH, rules: RICH.rules.slice(1) }, null, 2));
    const d = hook('cat README.md');
    assert.equal(d.permissionDecision, 'allow', d.permissionDecisionReason);
  });
});
