// The webview bundle runs in the browser: it may import only the shared protocol and pure
// presentation code (and zod), never node/, vscode/, cli/ or Node builtins.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const dir = join(__dirname, '..', '..', 'src', 'webview');
const importsOf = (f: string): string[] => [...readFileSync(f, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);

describe('webview layering', () => {
  it('src/webview imports only ./*, core/protocol, core/present, core/effects and zod', () => {
    const allowed = /^(\.\/[\w]+|\.\.\/core\/protocol\/panel|\.\.\/core\/present|\.\.\/core\/effects|zod)$/;
    const bad = readdirSync(dir).filter((f) => f.endsWith('.ts')).flatMap((f) => importsOf(join(dir, f)).filter((i) => !allowed.test(i)).map((i) => `${f} -> ${i}`));
    assert.deepEqual(bad, []);
  });
});
