/**
 * `airlock mcp --wrap`: the real @modelcontextprotocol/server-filesystem from npm, wrapped by the
 * built CLI and driven by the official MCP client. The wrapped server is allowed the whole temp
 * folder; Airlock's workspace is one sub-folder, so every refusal below is Airlock's, not the
 * wrapped server's.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, ledgerSteps, type McpSession } from '../support/mcp';

const dir = tempDir('airlock-mcp-proxy-');
const home = join(dir, 'home');
const ws = join(dir, 'ws');
// Outside the workspace but not in a temp folder (temp folders are scratch space for the judge): in HOME.
const outside = join(home, 'outside');
mkdirSync(home, { recursive: true });
mkdirSync(ws, { recursive: true });
mkdirSync(outside, { recursive: true });
writeFileSync(join(ws, 'hello.txt'), 'hello from the workspace\n');
writeFileSync(join(outside, 'keep.txt'), 'outside file\n');
const env = cleanEnv(home, join(dir, 'airlock'));
const FS_SERVER = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');

let s: McpSession;
before(async () => {
  s = await connectAirlock(['--workspace', ws, '--ask-timeout-ms', '1000', '--wrap', '--name', 'filesystem', '--', process.execPath, FS_SERVER, dir], env);
});
after(async () => {
  await s?.close();
});

function textOf(r: unknown): string {
  return (r as { content: { type: string; text?: string }[] }).content.map((c) => c.text ?? '').join('\n');
}

describe('airlock mcp --wrap @modelcontextprotocol/server-filesystem', () => {
  it("re-exposes the wrapped server's tools with their schemas (annotations passed on as hints)", async () => {
    const { tools } = await s.client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of ['read_text_file', 'write_file', 'move_file', 'list_directory', 'edit_file']) assert.ok(names.includes(n), n);
    const write = tools.find((t) => t.name === 'write_file')!;
    assert.ok((write.inputSchema.properties as Record<string, unknown>).path);
    assert.match(write.description ?? '', /Gated by Airlock/);
  });

  it('a read inside the workspace passes and returns the real content', async () => {
    const r = await s.client.callTool({ name: 'read_text_file', arguments: { path: join(ws, 'hello.txt') } });
    assert.notEqual(r.isError, true, textOf(r));
    assert.match(textOf(r), /hello from the workspace/);
  });

  it('a write inside the workspace passes (the call is forwarded)', async () => {
    const r = await s.client.callTool({ name: 'write_file', arguments: { path: join(ws, 'new.txt'), content: 'written through the proxy' } });
    assert.notEqual(r.isError, true, textOf(r));
    assert.equal(readFileSync(join(ws, 'new.txt'), 'utf8'), 'written through the proxy');
  });

  it('a write outside the workspace is refused with the envelope and nothing is written', async () => {
    const target = join(outside, 'planted.txt');
    const e = envelopeOf(await s.client.callTool({ name: 'write_file', arguments: { path: target, content: 'should not exist' } }));
    assert.equal(e.ok, false);
    if (e.ok) return;
    assert.equal(e.error.code, 'denied');
    assert.ok(e.decision && e.decision.decision !== 'allow');
    assert.match(e.error.message, /outside the workspace/);
    assert.equal(existsSync(target), false);
  });

  it('a move out of the workspace is refused; the source stays', async () => {
    const e = envelopeOf(await s.client.callTool({ name: 'move_file', arguments: { source: join(ws, 'hello.txt'), destination: join(outside, 'stolen.txt') } }));
    assert.equal(e.ok, false);
    assert.ok(existsSync(join(ws, 'hello.txt')));
    assert.equal(existsSync(join(outside, 'stolen.txt')), false);
  });

  it('an overwrite of a file outside the workspace is refused; the file is unchanged', async () => {
    const e = envelopeOf(await s.client.callTool({ name: 'write_file', arguments: { path: join(outside, 'keep.txt'), content: 'clobbered' } }));
    assert.equal(e.ok, false);
    assert.equal(readFileSync(join(outside, 'keep.txt'), 'utf8'), 'outside file\n');
  });

  it('every call is in the ledger as an mcp action of the wrapped server', () => {
    const rows = ledgerSteps(join(dir, 'airlock', 'ledger.sqlite')).filter((r) => r.event === 'pre');
    assert.ok(rows.length >= 5);
    assert.ok(rows.every((r) => r.agent === 'airlock-mcp' && r.tool.startsWith('mcp__filesystem__')));
    const writes = rows.filter((r) => r.tool === 'mcp__filesystem__write_file').map((r) => r.decision);
    assert.deepEqual(writes.slice(0, 1), ['allow']);
    assert.ok(writes.slice(1).every((d) => d === 'deny'));
  });
});
