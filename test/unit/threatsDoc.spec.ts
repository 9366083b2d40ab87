/**
 * docs/threats.md stays in step with the THREATS suite (test/threats/): every class of the
 * catalogue has a row, at least three probe calls in the files the row names, and a status that
 * agrees with the `todo` probes in those files.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scanProbes } from '../threats/catalog';

const ROOT = join(__dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'threats.md'), 'utf8');
const rows = [...doc.matchAll(/^\| (T\d{2}) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| (\d+) \| ([^\n]+) \|$/gm)].map((m) => ({ id: m[1]!, files: [...m[4]!.matchAll(/`([^`]+)`/g)].map((f) => f[1]!), calls: Number(m[5]), status: m[6]!.trim() }));
const probes = scanProbes();

/** The catalogue's class ids: from ../shared/THREATS.md when it is next to the repository, else T01–T71. */
function catalogueIds(): string[] {
  const shared = join(ROOT, '..', 'shared', 'THREATS.md');
  const alt = '/work/shared/THREATS.md';
  const path = existsSync(shared) ? shared : existsSync(alt) ? alt : undefined;
  if (!path) return Array.from({ length: 71 }, (_, i) => `T${String(i + 1).padStart(2, '0')}`);
  const text = readFileSync(path, 'utf8');
  return [...new Set([...text.matchAll(/^\| (T\d{2}) \|/gm), ...text.matchAll(/\*\*(T\d{2}) –/g)].map((m) => m[1]!))].sort();
}

describe('docs/threats.md and the THREATS suite', () => {
  it('has one row per class of the catalogue, in order', () => {
    const ids = catalogueIds();
    assert.ok(ids.length >= 71, `catalogue ids: ${ids.length}`);
    assert.deepEqual(rows.map((r) => r.id), ids);
  });

  it('every class has at least three probe calls of its own, in the files its row names', () => {
    for (const r of rows) {
      const p = probes.get(r.id);
      assert.ok(p, `${r.id}: no probe in test/threats`);
      assert.ok(p.probes >= 3 || r.status.startsWith('not testable here'), `${r.id}: ${p.probes} probe calls`);
      assert.deepEqual([...p.files].sort(), [...r.files].sort(), `${r.id}: files`);
      assert.equal(p.probes, r.calls, `${r.id}: probe calls`);
      for (const f of r.files) assert.ok(existsSync(join(ROOT, 'test', 'threats', f)), `${r.id}: ${f} exists`);
    }
  });

  it('the status agrees with the todo probes and the stated reasons', () => {
    for (const r of rows) {
      const p = probes.get(r.id)!;
      const todos = [...p.todos];
      if (todos.length === 0) assert.match(r.status, /^(covered|not testable here)/, r.id);
      else {
        assert.match(r.status, /^covered-with-todo \(/, `${r.id}: has todo probes (${todos.join('; ')})`);
        for (const t of todos) assert.ok(r.status.includes(t), `${r.id}: status names ${t}`);
      }
      for (const reason of p.notTestable) assert.ok(reason.length > 20 && r.status.includes(reason), `${r.id}: the reason it cannot be tested is stated`);
    }
  });
});
