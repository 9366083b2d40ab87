// Policy acknowledgement (node/workspacePolicyReview.ts) on real files: what a workspace policy would
// loosen is listed and ignored until a person accepts that exact content; a changed file is asked again.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { needsAcceptance, renderReview } from '../../src/core/policy/review';
import { GateHost } from '../../src/node/gate/gateHost';
import { loadEffectivePolicy } from '../../src/node/policy/policyStore';
import { acceptWorkspacePolicy, reviewWorkspacePolicy } from '../../src/node/policy/workspacePolicyReview';
import { tempDir } from '../support/gateway';

const LOOSE = {
  version: 1,
  rules: [
    { id: 'allow-rm-build', match: { commands: ['rm'], paths: ['build/**'] }, decision: 'allow', reason: 'build output is disposable' },
    { id: 'no-curl', match: { commands: ['curl'] }, decision: 'deny', reason: 'no network from scripts' },
  ],
  autonomy: { shell: 'autonomous' },
};

function fixture(user?: unknown) {
  const root = tempDir('airlock-ack-');
  const home = join(root, 'home');
  const ws = join(root, 'ws');
  mkdirSync(join(ws, '.airlock'), { recursive: true });
  mkdirSync(home, { recursive: true });
  if (user) writeFileSync(join(home, 'policy.json'), JSON.stringify(user));
  const file = join(ws, '.airlock', 'policy.json');
  writeFileSync(file, JSON.stringify(LOOSE, null, 2));
  return { home, ws, file, src: { home, workspaceRoots: [ws] } };
}

describe('workspace policy review', () => {
  it('lists exactly what the file would permit (rule ids, matches, decisions) and the gate ignores it until accepted', () => {
    const f = fixture({ version: 1, autonomy: { shell: 'approved' } });
    const r = reviewWorkspacePolicy(f.src)!;
    assert.ok(needsAcceptance(r));
    const rule = r.items.find((i) => i.ruleId === 'allow-rm-build');
    assert.ok(rule, JSON.stringify(r.items));
    assert.equal(rule.decision, 'allow');
    assert.match(rule.match!, /commands rm/);
    assert.match(rule.match!, /paths build\/\*\*/);
    assert.ok(r.items.some((i) => /autonomy for shell raised from approved to autonomous/.test(i.what)), JSON.stringify(r.items));
    assert.ok(!r.items.some((i) => i.ruleId === 'no-curl'), 'a deny only tightens: not listed');
    const doc = renderReview(r);
    assert.ok(doc.includes(r.hash));
    assert.match(doc, /Rule `allow-rm-build`: decision \*\*allow\*\*/);
    const eff = loadEffectivePolicy({ home: f.home, workspaceRoots: [f.ws] }).policy;
    assert.equal(eff.workspaceAcknowledged, false);
    assert.equal(eff.ignored.length, r.items.length);
    assert.ok(!eff.rules.some((x) => x.id === 'allow-rm-build'));
    assert.ok(eff.rules.some((x) => x.id === 'no-curl'), 'the tightening part applies now');
  });

  it('accepting records that exact hash; a changed file is ignored again and the old acceptance cannot be reused', () => {
    const f = fixture();
    const r = reviewWorkspacePolicy(f.src)!;
    assert.deepEqual(acceptWorkspacePolicy(f.src, 'f'.repeat(64)).ok, false);
    const ok = acceptWorkspacePolicy(f.src, r.hash);
    assert.equal(ok.ok, true);
    assert.deepEqual(JSON.parse(readFileSync(join(f.home, 'acknowledged.json'), 'utf8')), [r.hash]);
    const eff = loadEffectivePolicy({ home: f.home, workspaceRoots: [f.ws] }).policy;
    assert.equal(eff.workspaceAcknowledged, true);
    assert.deepEqual(eff.ignored, []);
    assert.ok(eff.rules.some((x) => x.id === 'allow-rm-build'));
    assert.equal(needsAcceptance(reviewWorkspacePolicy(f.src)!), false);

    // One more space: a different file.
    writeFileSync(f.file, `${JSON.stringify(LOOSE, null, 2)} `);
    const again = reviewWorkspacePolicy(f.src)!;
    assert.notEqual(again.hash, r.hash);
    assert.ok(needsAcceptance(again));
    const eff2 = loadEffectivePolicy({ home: f.home, workspaceRoots: [f.ws] }).policy;
    assert.equal(eff2.workspaceAcknowledged, false);
    assert.ok(eff2.ignored.length > 0);
    assert.ok(!eff2.rules.some((x) => x.id === 'allow-rm-build'));
    const stale = acceptWorkspacePolicy(f.src, r.hash);
    assert.equal(stale.ok, false);
    assert.match(!stale.ok ? stale.reason : '', /changed since you reviewed it/);
  });

  it('the running gate picks the acceptance up without a restart', async () => {
    const f = fixture();
    const host = new GateHost({ home: f.home, workspaceRoots: [f.ws], log: () => undefined, watchIntervalMs: 100 });
    try {
      await host.start();
      assert.ok(host.currentGate()!.currentPolicy().ignored.length > 0);
      assert.equal(acceptWorkspacePolicy(f.src, reviewWorkspacePolicy(f.src)!.hash).ok, true);
      const p = host.currentGate()!.currentPolicy();
      assert.equal(p.workspaceAcknowledged, true);
      assert.deepEqual(p.ignored, []);
    } finally {
      await host.dispose();
    }
  });

  it('an invalid file is reported and cannot be accepted; no file, no review', () => {
    const f = fixture();
    writeFileSync(f.file, '{"version": 1, "rules": [');
    const r = reviewWorkspacePolicy(f.src)!;
    assert.ok(r.error);
    assert.equal(needsAcceptance(r), false);
    assert.equal(acceptWorkspacePolicy(f.src, r.hash).ok, false);
    assert.equal(reviewWorkspacePolicy({ home: f.home, workspaceRoots: [join(f.ws, 'nothing')] }), undefined);
  });
});
