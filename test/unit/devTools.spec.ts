/**
 * The development-tool table: every row classifies (no crash, its default is its class), and the
 * flags and subcommands that change a tool's class do so. Closing the world must not turn ordinary
 * build, test, lint and format calls into prompts; rewrites outside the workspace still ask.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyShell } from '../../src/core/classify/shell/classifyShell.js';
import { DEV_TOOLS, PYTHON_MODULES } from '../../src/core/classify/shell/devTools.js';
import { judge, type RunState } from '../../src/core/judge.js';
import { buildEffectivePolicy } from '../../src/core/policy/layers.js';
import { makeEnvironment, NO_FS } from '../../src/core/paths.js';

const WS = '/home/user/project';
const env = makeEnvironment({ cwd: WS, workspaceRoots: [WS], home: '/home/user', vars: { HOME: '/home/user' }, fs: NO_FS });
const state: RunState = { killed: false, mode: 'interactive', canSnapshot: false };
const decision = (cmd: string) => judge({ kind: 'shell', command: cmd, cwd: WS, workspaceRoots: [WS] }, buildEffectivePolicy({}), state, env);

test('every tool in the table classifies; tools whose default class is not unknown are never unknown bare', () => {
  assert.ok(Object.keys(DEV_TOOLS).length > 200);
  for (const [name, spec] of Object.entries(DEV_TOOLS)) {
    const c = classifyShell(name, env);
    if (/shell syntax error/.test(c.reasons.join(' '))) continue; // `let` alone does not parse
    if (spec.cls === 'unknown') assert.equal(c.reversibility, 'unknown', name);
    else assert.notEqual(c.reversibility, 'unknown', `${name}: ${c.effects.map((e) => e.detail).join(' | ')}`);
  }
});

test('classes: checks read, formatters and builds write in the workspace, tests run project code', () => {
  const rows: Array<[string, string, string?]> = [
    ['tsc --noEmit', 'read'], ['tsc -p tsconfig.json', 'reversible', 'write'], ['eslint src', 'read'], ['eslint --fix src', 'reversible', 'write'],
    ['prettier --check .', 'read'], ['prettier --write .', 'reversible', 'write'], ['black --check .', 'read'], ['black .', 'reversible', 'write'],
    ['ruff check .', 'read'], ['ruff check --fix .', 'reversible', 'write'], ['ruff format .', 'reversible', 'write'], ['gofmt -l .', 'read'], ['gofmt -w x.go', 'reversible', 'write'],
    ['rustfmt --check src/lib.rs', 'read'], ['jest', 'recoverable', 'exec'], ['vitest run', 'recoverable', 'exec'], ['pytest -q', 'recoverable', 'exec'], ['rspec', 'recoverable', 'exec'],
    ['bazel test //...', 'recoverable', 'exec'], ['bazel query //...', 'read'], ['cmake -S . -B build', 'reversible', 'write'], ['ninja -C build', 'reversible', 'write'],
    ['vite build', 'reversible', 'write'], ['webpack', 'reversible', 'write'], ['esbuild src/index.ts --bundle --outfile=dist/out.js', 'reversible', 'create'],
    ['gcc -o app main.c', 'reversible', 'create'], ['mypy app', 'read'], ['python -m pytest', 'recoverable', 'exec'], ['python3 -m mypy app', 'read'],
    ['next build', 'reversible', 'write'], ['ng test', 'recoverable', 'exec'], ['flutter analyze', 'read'], ['mix test', 'recoverable', 'exec'], ['semantic-release --dry-run', 'read'],
    ['semantic-release', 'irreversible', 'network'], ['lerna publish', 'irreversible', 'network'], ['cargo frobnicate', 'recoverable'], ['mix ecto.drop', 'unknown'], ['next frob', 'unknown'],
    ['python -m notamodule', 'unknown'], ['java -jar tool.jar', 'unknown'], ['java -version', 'read'],
  ];
  for (const [cmd, rev, kind] of rows) {
    const c = classifyShell(cmd, env);
    const why = `${cmd} → ${c.reversibility}: ${c.effects.map((e) => `${e.kind} ${e.detail}`).join(' | ')}`;
    assert.equal(c.reversibility, rev, why);
    if (kind) assert.ok(c.effects.some((e) => e.kind === kind), why);
  }
});

test('ordinary tool calls in the workspace are allowed; the same rewrite outside the workspace or from an unknown directory asks', () => {
  for (const cmd of ['prettier --write .', 'eslint --fix src', 'cargo fmt', 'jest --coverage', 'tsc --noEmit', 'black app', 'go test ./...', 'bazel build //...', 'cd web && vite build']) {
    assert.equal(decision(cmd).decision, 'allow', cmd);
  }
  for (const cmd of ['cd /etc && prettier --write .', 'cd ~ && black .', 'cd $X && jest', 'cd /srv/other && pytest', 'pnpm -C /srv/site run build']) {
    assert.notEqual(decision(cmd).decision, 'allow', cmd);
  }
});

test('python -m modules map to the same classes', () => {
  for (const [mod, cls] of Object.entries(PYTHON_MODULES)) {
    if (DEV_TOOLS[mod]) continue; // the tool's own row decides (`python -m mkdocs` alone prints help)
    const c = classifyShell(`python3 -m ${mod}`, env);
    if (cls === 'unknown') assert.equal(c.reversibility, 'unknown', mod);
    else assert.notEqual(c.reversibility, 'unknown', `${mod}: ${c.effects.map((e) => e.detail).join(' | ')}`);
  }
});
