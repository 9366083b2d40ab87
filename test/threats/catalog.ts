/**
 * Reads the THREATS suite's own source: which classes have probes in which files, how many, and
 * which probes are `todo` (and for whom). Used by test/unit/threatsDoc.spec.ts to keep
 * docs/threats.md in step with the tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const THREATS_DIR = join(__dirname);

export interface ClassProbes {
  files: Set<string>;
  probes: number;
  todos: Set<string>;
  notTestable: string[];
}

const CALL = /\b(probe|probeCase|notTestable)\(\s*'(T\d{2})'|\[\s*'(T\d{2})',/g;

export function scanProbes(dir = THREATS_DIR): Map<string, ClassProbes> {
  const out = new Map<string, ClassProbes>();
  const owners = ownerTexts(dir);
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.test.ts')).sort()) {
    const src = readFileSync(join(dir, f), 'utf8');
    const hits = [...src.matchAll(CALL)];
    hits.forEach((m, i) => {
      const id = (m[2] ?? m[3])!;
      const seg = src.slice(m.index, hits[i + 1]?.index ?? src.length);
      const c = out.get(id) ?? { files: new Set(), probes: 0, todos: new Set(), notTestable: [] };
      c.files.add(f);
      c.probes++;
      if (m[1] === 'notTestable') c.notTestable.push(/'[^']*',\s*'([^']*)'\s*\)/.exec(seg)?.[1] ?? '');
      const todo = /todo:\s*(TODO\.(\w+)|'([^']*)')/.exec(seg);
      if (todo) c.todos.add(todo[2] ? owners[todo[2]] ?? todo[2] : todo[3]!);
      out.set(id, c);
    });
  }
  return out;
}

function ownerTexts(dir: string): Record<string, string> {
  const src = readFileSync(join(dir, 'owners.ts'), 'utf8');
  return Object.fromEntries([...src.matchAll(/(\w+):\s*'([^']*)'/g)].map((m) => [m[1]!, m[2]!]));
}
