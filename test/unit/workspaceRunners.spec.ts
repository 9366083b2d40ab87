/**
 * Package runners inside a monorepo workspace: `npx vite build` run in a workspace package whose
 * dependencies are pinned in the root lockfile (the root lists the package in `workspaces`) runs
 * the project's own vite. Anything short of that (not listed, not declared, not pinned, a version
 * asked for) still downloads code and asks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyShell } from '../../src/core/classify/shell/classifyShell.js';
import { makeEnvironment } from '../../src/core/paths.js';
import { memFs, type MemEntry } from '../support/memFs.js';

const H = '/home/user';
const W = '/home/user/project';
const LOCK = JSON.stringify({ lockfileVersion: 3, packages: { '': { workspaces: ['web'] }, 'node_modules/vite': { version: '5.4.8' }, 'node_modules/acme-web': { resolved: 'web', link: true } } });

function execIn(cwd: string, cmd: string, files: Record<string, MemEntry>): boolean {
  const env = makeEnvironment({ cwd, workspaceRoots: [W], home: H, vars: { HOME: H }, fs: memFs({ [W]: { dir: true }, [`${W}/web`]: { dir: true }, [`${W}/apps`]: { dir: true }, [`${W}/apps/site`]: { dir: true }, ...files }) });
  return classifyShell(cmd, env).flags.exec;
}

const root = (workspaces: unknown, deps: Record<string, string> = {}) => JSON.stringify({ name: 'root', private: true, workspaces, devDependencies: deps });
const web = (deps: Record<string, string>) => JSON.stringify({ name: 'acme-web', devDependencies: deps });

test('a workspace package runs the tool pinned in the root lockfile', () => {
  const files = { [`${W}/package.json`]: root(['web']), [`${W}/package-lock.json`]: LOCK, [`${W}/web/package.json`]: web({ vite: '^5' }) };
  assert.equal(execIn(`${W}/web`, 'npx vite build', files), false);
  // The root declares it instead of the package (hoisted devDependencies).
  assert.equal(execIn(`${W}/web`, 'npx vite build', { ...files, [`${W}/package.json`]: root(['web'], { vite: '^5' }), [`${W}/web/package.json`]: web({}) }), false);
  // Glob patterns and the { packages: [...] } form.
  const glob = { [`${W}/package.json`]: root({ packages: ['apps/*'] }), [`${W}/package-lock.json`]: LOCK, [`${W}/apps/site/package.json`]: web({ vite: '^5' }) };
  assert.equal(execIn(`${W}/apps/site`, 'npx vite', glob), false);
});

test('short of that, npx downloads code and asks', () => {
  const base = { [`${W}/package-lock.json`]: LOCK, [`${W}/web/package.json`]: web({ vite: '^5' }) };
  assert.equal(execIn(`${W}/web`, 'npx vite build', { ...base, [`${W}/package.json`]: root([]) }), true, 'not listed as a workspace');
  assert.equal(execIn(`${W}/web`, 'npx vite build', { ...base, [`${W}/package.json`]: root(['apps/*']) }), true, 'another pattern');
  assert.equal(execIn(`${W}/web`, 'npx vite build', { ...base, [`${W}/package.json`]: root(['!web', 'web/../web']) }), true, 'negated or climbing patterns');
  assert.equal(execIn(`${W}/web`, 'npx vitest run', { ...base, [`${W}/package.json`]: root(['web']) }), true, 'declared nowhere');
  assert.equal(execIn(`${W}/web`, 'npx vite build', { [`${W}/web/package.json`]: web({ vite: '^5' }), [`${W}/package.json`]: root(['web']) }), true, 'no lockfile pins it');
  assert.equal(execIn(`${W}/web`, 'npx vite@6 build', { ...base, [`${W}/package.json`]: root(['web']) }), true, 'a version is asked for');
  assert.equal(execIn(`${W}/web`, 'npx --package evil vite', { ...base, [`${W}/package.json`]: root(['web']) }), true, 'another package');
  assert.equal(execIn(`${W}/web`, 'npx vite build', { ...base, [`${W}/package.json`]: '{ not json' }), true, 'unreadable root');
});
