/**
 * The layer rules and "no import cycles", checked by `npm run lint` (part of `npm test`).
 * Layers (ARCHITECTURE.md): core is pure; node and vscode use core and never each other; only
 * extension.ts (the composition root, the extension's full start, with editorAdapters.ts) and cli/ wire node adapters to the editor or the command line; the webview bundle
 * imports core only. Type-only imports count too: a cycle of types is still a tangle to read.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'Files that import each other in a loop: move the shared part into a module both import.', from: { path: '^src' }, to: { circular: true } },
    { name: 'core-is-pure', severity: 'error', comment: 'src/core imports nothing from node/, vscode/, cli/, webview/ or extension.ts.', from: { path: '^src/core' }, to: { path: '^src/(node|vscode|cli|webview)|^src/extension\\.ts$' } },
    { name: 'core-no-io', severity: 'error', comment: 'src/core performs no I/O: file-system facts come through the Environment port.', from: { path: '^src/core' }, to: { dependencyTypes: ['core'], pathNot: '^(node:)?(path|crypto|util)$' } },
    { name: 'core-no-vscode', severity: 'error', from: { path: '^src/(core|node|cli|webview)' }, to: { path: '^vscode$', dependencyTypes: ['core', 'npm-no-pkg', 'unknown', 'undetermined', 'npm'] } },
    { name: 'node-not-vscode', severity: 'error', comment: 'src/node never imports src/vscode.', from: { path: '^src/node' }, to: { path: '^src/(vscode|cli)|^src/extension\\.ts$' } },
    { name: 'vscode-not-node', severity: 'error', comment: 'src/vscode talks to node adapters only through core ports; extension.ts wires them (the entry, src/vscode/entry.ts, requires its bundle at run time).', from: { path: '^src/vscode' }, to: { path: '^src/(node|cli)|^src/extension\\.ts$' } },
    { name: 'webview-core-only', severity: 'error', comment: 'The webview bundle runs in a browser: it imports core (protocol, present) and its own files only.', from: { path: '^src/webview' }, to: { path: '^src/(node|vscode|cli)' } },
    { name: 'cli-not-vscode', severity: 'error', from: { path: '^src/cli' }, to: { path: '^src/vscode' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'] },
  },
};
