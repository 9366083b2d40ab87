/**
 * The hook shim runs once per agent tool call, so what its bundle loads is a start-up cost on every
 * call (bench: hook round trip vs `node -e 0`, target ratio <= 2). zod alone cost about 40 ms, so
 * the online path is zod-free: bundle src/cli/hookMain.ts as esbuild.config.mjs does and check its
 * inputs. The offline judge stays a separate bundle (dist/offline.js), loaded on demand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from '../support/gateway';

describe('dist/shim.js (the shim, loaded by dist/hook.js)', () => {
  it('bundles no zod, no action schemas, no classifiers, no policy loader', async () => {
    const r = await build({
      entryPoints: [join(ROOT, 'src', 'cli', 'hookMain.ts')],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode', 'better-sqlite3'],
      write: false,
      metafile: true,
      outfile: 'hook.js',
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile.inputs);
    const heavy = inputs.filter((p) => /node_modules\/zod\/|src\/core\/(action|judge)\.ts|src\/core\/classify\/|src\/core\/policy\/|src\/node\/(policyStore|offlineJudge|ledger|gate)\.ts/.test(p));
    assert.deepEqual(heavy, [], `the shim's online path loads: ${heavy.slice(0, 6).join(', ')}${heavy.length > 6 ? ` and ${heavy.length - 6} more` : ''}`);
    assert.ok(inputs.some((p) => p.endsWith('src/node/agents/shim.ts')), 'sanity: the shim itself is in the bundle');
    const bytes = r.outputFiles.find((f) => f.path.endsWith('hook.js'))!.contents.length;
    assert.ok(bytes < 200 * 1024, `hook.js is ${bytes} bytes`);
  });
});

describe('dist/hook.js (the installed command) only loads the shim', () => {
  it('bundles its own entry and the code cache loader, nothing else: the shim itself is dist/shim.js', async () => {
    const r = await build({
      entryPoints: [join(ROOT, 'src', 'cli', 'hookEntry.ts')],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode', 'better-sqlite3'],
      write: false,
      metafile: true,
      outfile: 'hook.js',
      logLevel: 'silent',
    });
    assert.deepEqual(Object.keys(r.metafile.inputs).sort(), ['src/cli/codeCache.ts', 'src/cli/hookEntry.ts']);
  });
});

describe('bundles compiled through the code cache (dist/check.js, commands.js, offline.js, shim.js)', () => {
  it('hold no import(): a vm.Script has no loader for it (the build turns it into require)', async () => {
    const { readFileSync } = await import('node:fs');
    for (const f of ['check.js', 'commands.js', 'offline.js', 'shim.js', 'hook.js', 'cli.js']) {
      const text = readFileSync(join(ROOT, 'dist', f), 'utf8');
      // (A data: URL import is text of a script run by a separate node process, not this bundle's code.)
      const at = text.search(/(?<![\w$.])import\(\s*["'`](?!data:)/);
      assert.equal(at, -1, `dist/${f} calls import() at ${at}: ${text.slice(Math.max(0, at - 60), at + 40)} (run npm run build; see esbuild.config.mjs "supported")`);
    }
  });
});
