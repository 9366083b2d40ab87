/**
 * FileTokens (src/node/gate/fileTokens.ts), on real files: the content hash of a policy file is
 * reused while the file's identity (device, inode, size, modification and change times) is the same
 * and was read when the file was already older than RACY_NS; a file touched within that window (or
 * dated in the future) is read again on every call, so a second write in the same timestamp tick
 * cannot be missed. Edits that keep the size and the modification time, and replacements by rename,
 * are seen; missing and unreadable paths give the error code reading them gives.
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sha256 } from '../../src/core/hash';
import { FileTokens, RACY_NS } from '../../src/node/gate/fileTokens';
import { GatePolicies } from '../../src/node/gate/gatePolicies';
import { tempDir } from '../support/gateway';

const dir = tempDir('airlock-filetokens-');
let n = 0;
const fresh = (): string => join(dir, `policy${++n}.json`);
/** A clock `ahead` ns past the real one. */
const clock = (ahead: bigint) => () => BigInt(Date.now()) * 1_000_000n + ahead;
/** A whole second a little in the past, so utimes can set it back exactly. */
const second = (ago: number): number => Math.floor(Date.now() / 1000) - ago;
const idOf = (f: string) => {
  const s = statSync(f, { bigint: true });
  return { ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs };
};

describe('policy file tokens', () => {
  it('a file just written is read on every call (racy); once older than RACY_NS, its identity is enough', () => {
    const f = fresh();
    writeFileSync(f, '{"version":1}');
    const now = new FileTokens();
    assert.equal(now.token(f), sha256('{"version":1}'));
    assert.equal(now.token(f), sha256('{"version":1}'));
    assert.equal(now.reads, 2, 'racy: read again although nothing changed');
    // The same file seen RACY_NS + 1 s later: read once, then trusted.
    const later = new FileTokens(clock(RACY_NS + 1_000_000_000n));
    later.token(f);
    later.token(f);
    later.token(f);
    assert.equal(later.reads, 1);
  });

  it('a modification time in the future is never trusted', () => {
    const f = fresh();
    writeFileSync(f, '{"version":1}');
    const ahead = second(-3600);
    utimesSync(f, ahead, ahead);
    const t = new FileTokens(clock(RACY_NS * 10n));
    t.token(f);
    t.token(f);
    assert.equal(t.reads, 2);
  });

  it('an edit that keeps the size and the modification time is seen, racy or not', () => {
    for (const ahead of [0n, RACY_NS * 5n]) {
      const f = fresh();
      const old = second(1);
      writeFileSync(f, '{"mode":"aaaa"}');
      utimesSync(f, old, old);
      const t = new FileTokens(clock(ahead));
      assert.equal(t.token(f), sha256('{"mode":"aaaa"}'));
      const before = idOf(f);
      writeFileSync(f, '{"mode":"bbbb"}');
      utimesSync(f, old, old);
      const after = idOf(f);
      assert.equal(after.size, before.size);
      assert.equal(after.mtimeNs, before.mtimeNs, 'the modification time was set back exactly');
      assert.equal(t.token(f), sha256('{"mode":"bbbb"}'), `seen (clock ahead ${ahead} ns)`);
    }
  });

  it('a file replaced by rename (a new inode, same size and modification time) is seen', () => {
    const f = fresh();
    const old = second(10);
    writeFileSync(f, '{"mode":"aaaa"}');
    utimesSync(f, old, old);
    const t = new FileTokens(clock(RACY_NS * 5n));
    assert.equal(t.token(f), sha256('{"mode":"aaaa"}'));
    assert.equal(t.token(f), sha256('{"mode":"aaaa"}'));
    assert.equal(t.reads, 1, 'trusted');
    const before = idOf(f);
    const tmp = `${f}.tmp`;
    writeFileSync(tmp, '{"mode":"bbbb"}');
    utimesSync(tmp, old, old);
    renameSync(tmp, f);
    assert.notEqual(idOf(f).ino, before.ino);
    assert.equal(t.token(f), sha256('{"mode":"bbbb"}'));
  });

  it('missing, created, removed; a folder, a path through a file: the code reading gives', () => {
    const f = fresh();
    const t = new FileTokens(clock(RACY_NS * 5n));
    assert.equal(t.token(f), 'ENOENT');
    assert.equal(t.reads, 0, 'a missing file costs a stat, no read');
    writeFileSync(f, '{}');
    assert.equal(t.token(f), sha256('{}'));
    rmSync(f);
    assert.equal(t.token(f), 'ENOENT');
    writeFileSync(f, '{}');
    assert.equal(t.token(f), sha256('{}'), 'created again: read again');
    const d = join(dir, 'a-folder.json');
    mkdirSync(d);
    assert.equal(t.token(d), 'EISDIR');
    assert.equal(t.token(join(f, 'policy.json')), 'ENOTDIR');
  });

  it("the gate's policies: a same-size edit with the modification time set back changes the policy in force", () => {
    const home = join(dir, 'home');
    const ws = join(dir, 'ws');
    mkdirSync(ws, { recursive: true });
    const p = fresh();
    const rule = (reason: string): string => JSON.stringify({ version: 1, rules: [{ id: 'team.readme', match: { paths: ['README.md'] }, decision: 'deny', reason }] });
    const old = second(30);
    writeFileSync(p, rule('frozen-a'));
    utimesSync(p, old, old);
    const logs: string[] = [];
    const g = new GatePolicies({ home, workspaceRoots: [ws], workspacePolicy: p, log: (l) => logs.push(l) });
    const first = g.current(ws);
    assert.equal(g.current(ws), first, 'unchanged: the cached policy');
    writeFileSync(p, rule('frozen-b'));
    utimesSync(p, old, old);
    const again = g.current(ws);
    assert.notEqual(again.hash, first.hash);
    assert.equal(logs.filter((l) => l.startsWith('policy loaded')).length, 2);
  });

});
