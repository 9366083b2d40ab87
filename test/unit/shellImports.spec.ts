/**
 * The shell classifier's modules form no import cycle, counting type-only imports: the dispatcher
 * imports the tool tables, and the tools get runners as parameters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, '..', '..', 'src', 'core', 'classify', 'shell');

test('no import cycle among src/core/classify/shell modules (type imports included)', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const src = readFileSync(join(dir, f), 'utf8');
    const deps = [...src.matchAll(/(?:import|export)[^'";]*?from\s+'\.\/([\w-]+)\.js'/g)].map((m) => `${m[1]}.ts`);
    graph.set(f, deps.filter((d) => files.includes(d)));
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'open') assert.fail(`import cycle: ${[...path.slice(path.indexOf(n)), n].join(' -> ')}`);
    state.set(n, 'open');
    path.push(n);
    for (const d of graph.get(n) ?? []) visit(d);
    path.pop();
    state.set(n, 'done');
  };
  for (const f of files) visit(f);
  assert.ok(graph.size > 5);
});
