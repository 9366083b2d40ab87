// The canary's recorded payloads (src/core/hooks/recorded.ts) are the test fixtures
// (test/fixtures/hooks/<agent>-<version>.json), byte for byte as data; and the Cline / tool table
// mapping of what those agents really send.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RECORDED, fillRecorded } from '../../src/core/hooks/recorded';
import { normalizeTool } from '../../src/node/agents/dialects/tools';

const DIR = join(__dirname, '..', 'fixtures', 'hooks');

describe('recorded hook payloads', () => {
  it('every recorded payload is a fixture named <agent>-<version>.json with the same data, and every fixture is used', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(files, RECORDED.map((r) => `${r.agent}-${r.version}.json`).sort());
    for (const r of RECORDED) {
      const fx = JSON.parse(readFileSync(join(DIR, `${r.agent}-${r.version}.json`), 'utf8')) as { agent: string; version: string; entry: string; payload: unknown };
      assert.equal(fx.agent, r.agent);
      assert.equal(fx.version, r.version);
      assert.equal(fx.entry, r.entry);
      assert.deepEqual(r.payload, fx.payload, `${r.agent} ${r.version}`);
    }
  });

  it('the canary puts its folder and command where the agent put them, and nothing else changes', () => {
    for (const r of RECORDED) {
      const filled = JSON.stringify(fillRecorded(r, '/canary/dir', 'rm -rf ~'));
      assert.ok(filled.includes('rm -rf ~'), r.agent);
      assert.ok(!filled.includes(r.fill.cwd) || r.fill.cwd === '', `${r.agent}: the recorded folder is replaced`);
      const again = JSON.stringify(fillRecorded(r, r.fill.cwd, 'X'));
      assert.equal(JSON.stringify(fillRecorded(r, r.fill.cwd, 'X')), again, 'deterministic');
    }
  });
});

describe('tool table: what Cline 3.x, OpenCode/Kilo and Qwen Code really send', () => {
  const base = { cwd: '/ws', workspaceRoots: ['/ws'] };
  it('Cline run_commands: one command as is, several each in a subshell (a cd in one does not move the next)', () => {
    const one = normalizeTool({ agent: 'cline', toolName: 'run_commands', input: { commands: ['ls -la'] }, ...base });
    assert.deepEqual('action' in one && one.action.command, 'ls -la');
    const two = normalizeTool({ agent: 'cline', toolName: 'run_commands', input: { commands: ['cd /tmp', 'rm -rf build'] }, ...base });
    assert.equal('action' in two && two.action.command, '(\ncd /tmp\n)\n(\nrm -rf build\n)');
  });
  it('Cline read_files: one path is a file read, several an MCP-like read of every path', () => {
    const one = normalizeTool({ agent: 'cline', toolName: 'read_files', input: { files: [{ path: 'a.txt' }] }, ...base });
    assert.deepEqual('action' in one && [one.action.kind, one.action.op, one.action.path], ['file', 'read', 'a.txt']);
    const many = normalizeTool({ agent: 'cline', toolName: 'read_files', input: { files: [{ path: 'a.txt' }, { path: '/etc/passwd' }] }, ...base });
    assert.deepEqual('action' in many && many.action.args, { paths: ['/ws/a.txt', '/etc/passwd'] });
  });
  it('Cline editor is an edit with old_text/new_text; fetch_web_content a GET of its url; ask_question internal', () => {
    const e = normalizeTool({ agent: 'cline', toolName: 'editor', input: { path: 'a.ts', old_text: 'x', new_text: 'y' }, ...base });
    assert.deepEqual('action' in e && [e.action.op, e.action.oldString, e.action.newString], ['edit', 'x', 'y']);
    const f = normalizeTool({ agent: 'cline', toolName: 'fetch_web_content', input: { requests: [{ url: 'https://example.com', prompt: 'p' }] }, ...base });
    assert.deepEqual('action' in f && [f.action.kind, f.action.url], ['http', 'https://example.com']);
    assert.deepEqual(normalizeTool({ agent: 'cline', toolName: 'ask_question', input: {}, ...base }), { internal: true });
  });
  it('OpenCode/Kilo bash with workdir, edit with filePath/oldString/newString; Qwen edit with file_path', () => {
    const b = normalizeTool({ agent: 'opencode', toolName: 'bash', input: { command: 'rm -rf x', workdir: 'sub' }, ...base });
    assert.deepEqual('action' in b && [b.action.kind, b.action.command, b.action.cwd], ['shell', 'rm -rf x', '/ws/sub']);
    const e = normalizeTool({ agent: 'opencode', toolName: 'edit', input: { filePath: '/ws/a', oldString: 'o', newString: 'n' }, ...base });
    assert.deepEqual('action' in e && [e.action.path, e.action.oldString, e.action.newString], ['/ws/a', 'o', 'n']);
    const q = normalizeTool({ agent: 'qwen', toolName: 'edit', input: { file_path: '/ws/b', old_string: 'o', new_string: 'n' }, ...base });
    assert.deepEqual('action' in q && [q.action.path, q.action.op], ['/ws/b', 'edit']);
    assert.deepEqual(normalizeTool({ agent: 'opencode', toolName: 'todowrite', input: {}, ...base }), { internal: true });
  });
});
