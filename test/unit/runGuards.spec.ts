import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Effect } from '../../src/core/effects';
import { findDuplicate } from '../../src/core/run/duplicates';
import { changedTargets, matchEscalation, overlaps } from '../../src/core/run/escalation';
import { applyRunGuards, emptyMemory, rememberDecision, rememberOutcome, resolveAskForMode } from '../../src/core/run/runMemory';

const WS = '/home/user/project';
const del = (target: string): Effect => ({ kind: 'delete', reversibility: 'irreversible', detail: `deletes ${target}`, target });
const create = (target: string): Effect => ({ kind: 'create', reversibility: 'reversible', detail: `creates ${target}`, target });
const exec: Effect = { kind: 'exec', reversibility: 'unknown', detail: 'runs clean.py', exec: true };
const read = (target: string): Effect => ({ kind: 'read', reversibility: 'read', detail: 'reads', target });
const allow = (effects: Effect[], actionHash = 'h1', reversibility: 'read' | 'reversible' | 'irreversible' | 'unknown' = 'reversible') => ({ decision: 'allow' as const, reasons: ['ok'], rules: [], effects, actionHash, reversibility });

describe('escalation matching', () => {
  it('matches overlapping targets in both directions, not siblings with a common prefix', () => {
    assert.ok(overlaps(`${WS}/build`, `${WS}/build`));
    assert.ok(overlaps(`${WS}/build/x.o`, `${WS}/build`));
    assert.ok(overlaps(`${WS}`, `${WS}/build`));
    assert.ok(!overlaps(`${WS}/build2`, `${WS}/build`));
  });

  it('rm -rf build denied, then find build -delete, then a script: each matches with the history', () => {
    const denied = [{ seq: 1, summary: 'rm -rf build', targets: changedTargets([del(`${WS}/build`)]) }];
    assert.equal(matchEscalation(denied, [del(`${WS}/build`)]).length, 1);
    assert.equal(matchEscalation(denied, [del(`${WS}/build/obj`)]).length, 1);
    assert.match(matchEscalation(denied, [exec])[0]!.why, /cannot be known/);
    const w = matchEscalation(denied, [create(`${WS}/clean.py`)], { text: "import shutil\nshutil.rmtree('build')", cwd: WS });
    assert.match(w[0]!.why, /naming build/);
    assert.deepEqual(matchEscalation(denied, [create(`${WS}/src/a.ts`)], { text: 'export {}', cwd: WS }), []);
    assert.deepEqual(matchEscalation(denied, [read(`${WS}/build`)]), []);
    assert.deepEqual(matchEscalation([], [exec]), []);
  });
});

describe('duplicate detection', () => {
  it('finds only succeeded non-read steps with the same hash', () => {
    const h = [
      { seq: 1, actionHash: 'a', succeeded: true },
      { seq: 2, actionHash: 'b', succeeded: false },
    ];
    assert.equal(findDuplicate(h, 'a', 'reversible')?.seq, 1);
    assert.equal(findDuplicate(h, 'b', 'reversible'), undefined);
    assert.equal(findDuplicate(h, 'a', 'read'), undefined);
    assert.equal(findDuplicate(h, '', 'reversible'), undefined);
  });
});

describe('run memory', () => {
  it('escalates an allowed route to a denied effect to ask, listing the denial', () => {
    const mem = emptyMemory();
    rememberDecision(mem, { seq: 1, summary: 'rm -rf build', decision: 'deny', rules: ['floor.irreversible'], effects: [del(`${WS}/build`)], reversibility: 'irreversible', actionHash: 'x' }, 3);
    const g = applyRunGuards(allow([del(`${WS}/build`)], 'y', 'irreversible'), mem);
    assert.equal(g.decision, 'ask');
    assert.ok(g.rules.includes('run.escalation'));
    assert.ok(g.reasons.some((r) => r.includes('step 1 (rm -rf build)')));
  });

  it('guards never loosen a deny, but attach the history to it', () => {
    const mem = emptyMemory();
    assert.equal(applyRunGuards({ ...allow([]), decision: 'deny' }, mem).decision, 'deny');
    rememberDecision(mem, { seq: 1, summary: 'rm -rf build', decision: 'deny', rules: ['floor.irreversible'], effects: [del(`${WS}/build`)], reversibility: 'irreversible', actionHash: 'x' }, 3);
    const g = applyRunGuards({ ...allow([del(`${WS}/build`)], 'z', 'irreversible'), decision: 'deny' }, mem);
    assert.equal(g.decision, 'deny');
    assert.ok(g.rules.includes('run.escalation'));
  });

  it('pauses after maxDenialsInARow denials; kill/pause denials do not count; allowed changes reset, reads do not', () => {
    const mem = emptyMemory();
    const deny = (seq: number, rules: string[] = ['floor.irreversible']) => rememberDecision(mem, { seq, summary: `cmd${seq}`, decision: 'deny', rules, effects: [], reversibility: 'irreversible', actionHash: `d${seq}` }, 3);
    deny(1);
    deny(2, ['gate.killed']);
    rememberDecision(mem, { seq: 3, summary: 'ls', decision: 'allow', rules: [], effects: [], reversibility: 'read', actionHash: 'r' }, 3);
    deny(4);
    assert.equal(mem.paused, undefined);
    rememberDecision(mem, { seq: 5, summary: 'touch a', decision: 'allow', rules: [], effects: [], reversibility: 'reversible', actionHash: 't' }, 3);
    assert.equal(mem.denialsInARow, 0);
    deny(6);
    deny(7);
    const p = deny(8);
    assert.match(p ?? '', /3 denials in a row/);
    assert.equal(mem.paused, p);
  });

  it('flags a retry of a step that succeeded, by tool-use id or by hash', () => {
    const mem = emptyMemory();
    rememberDecision(mem, { seq: 1, summary: 'write a', decision: 'allow', rules: [], effects: [create(`${WS}/a`)], reversibility: 'reversible', actionHash: 'H', toolUseId: 'tu1' }, 3);
    assert.equal(applyRunGuards(allow([create(`${WS}/a`)], 'H'), mem).decision, 'allow', 'no outcome yet: not a duplicate');
    assert.equal(rememberOutcome(mem, { toolUseId: 'tu1', exitCode: 0 }), 1);
    const g = applyRunGuards(allow([create(`${WS}/a`)], 'H'), mem);
    assert.equal(g.decision, 'ask');
    assert.ok(g.reasons.some((r) => r.startsWith('probable retry of step 1')));
    rememberDecision(mem, { seq: 2, summary: 'write b', decision: 'allow', rules: [], effects: [], reversibility: 'reversible', actionHash: 'B' }, 3);
    assert.equal(rememberOutcome(mem, { actionHash: 'B', exitCode: 1 }), 2);
    assert.equal(applyRunGuards(allow([], 'B'), mem).decision, 'allow', 'a failed step is not a duplicate');
  });

  it('an ask added by a guard is a deny in CI (policy ci.ask = deny) and offline', () => {
    const g = { decision: 'ask' as const, reasons: ['r'], rules: ['run.duplicate'] };
    assert.equal(resolveAskForMode(g, 'ci', 'deny').decision, 'deny');
    assert.equal(resolveAskForMode(g, 'ci', 'ask').decision, 'ask');
    assert.equal(resolveAskForMode(g, 'offline', 'ask').decision, 'deny');
    assert.equal(resolveAskForMode(g, 'interactive', 'deny').decision, 'ask');
  });
});
