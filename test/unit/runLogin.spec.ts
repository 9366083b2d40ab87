// Per-run login policy (pure): the schema, the access a run gets, and how a workspace layer merges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEffectivePolicy } from '../../src/core/policy/layers';
import { RunLogin, mergeRunLogin, runAccess } from '../../src/core/policy/runLogin';
import { Policy } from '../../src/core/policy/schema';

describe('runLogin policy', () => {
  it('is strict: unknown keys, quoted role names and out-of-range lives are refused', () => {
    assert.equal(RunLogin.safeParse({ acces: 'read' }).success, false);
    assert.equal(RunLogin.safeParse({ grantRoles: { read: 'x"; DROP ROLE y; --' } }).success, false);
    assert.equal(RunLogin.safeParse({ validForMinutes: 0 }).success, false);
    assert.deepEqual(RunLogin.parse({}), { validForMinutes: 480, fallbackToOwner: false });
    assert.ok(Policy.safeParse({ version: 1, databases: { shop: { runLogin: { access: 'read' } } } }).success);
  });

  it('the run gets the lower of the connection\'s access and the configured one', () => {
    assert.equal(runAccess(true, { access: 'write' }), 'read');
    assert.equal(runAccess(false, {}), 'write');
    assert.equal(runAccess(false, { access: 'read' }), 'read');
  });

  it('an unacknowledged workspace can turn it on and tighten it, never name group roles or allow the fallback', () => {
    const ws = RunLogin.parse({ access: 'write', validForMinutes: 60, grantRoles: { write: 'owner_role' }, fallbackToOwner: true });
    const m = mergeRunLogin(undefined, ws, false);
    assert.deepEqual(m.runLogin, { access: 'write', validForMinutes: 60, fallbackToOwner: false });
    assert.deepEqual(m.ignored, ['runLogin.grantRoles', 'runLogin.fallbackToOwner']);
    const user = RunLogin.parse({ access: 'read', validForMinutes: 30 });
    assert.deepEqual(mergeRunLogin(user, ws, false).runLogin, { access: 'read', validForMinutes: 30, fallbackToOwner: false });
    assert.deepEqual(mergeRunLogin(user, ws, true).runLogin, ws);
  });

  it('reaches the effective policy, with what an unacknowledged workspace could not change listed', () => {
    const user = Policy.parse({ version: 1 });
    const workspace = Policy.parse({ version: 1, databases: { shop: { runLogin: { access: 'read', fallbackToOwner: true } } } });
    const e = buildEffectivePolicy({ user, workspace: { policy: workspace, hash: 'h' } });
    assert.deepEqual(e.databases.shop?.runLogin, { access: 'read', validForMinutes: 480, fallbackToOwner: false });
    assert.ok(e.ignored.some((i) => /runLogin\.fallbackToOwner of connection shop/.test(i)), e.ignored.join('; '));
  });
});
