/**
 * `airlock mcp` as a real process (the built dist/cli.js), driven by the official MCP client from
 * @modelcontextprotocol/sdk over stdio and streamable HTTP: schemas and annotations, the envelope,
 * compare-and-swap, malformed calls, destructive calls, asked calls headless, the ledger.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, raw, startServe, tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, ledgerSteps, type McpSession } from '../support/mcp';

const dir = tempDir('airlock-mcp-');
const home = join(dir, 'home');
const airlockHome = join(dir, 'airlock');
const ws = join(dir, 'ws');
const victim = join(home, 'precious');
mkdirSync(ws, { recursive: true });
mkdirSync(victim, { recursive: true });
writeFileSync(join(victim, 'keep.txt'), 'keep me\n');
writeFileSync(join(ws, 'notes.txt'), 'line one\nline two\n');
const env = cleanEnv(home, airlockHome);
const ledger = join(airlockHome, 'ledger.sqlite');
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

let s: McpSession;
before(async () => {
  s = await connectAirlock(['--workspace', ws, '--ask-timeout-ms', '1500'], env);
});
after(async () => {
  await s?.close();
});

describe('airlock mcp over stdio (official MCP client)', () => {
  it('lists every tool with a strict input schema, the envelope output schema and honest annotations', async () => {
    const { tools } = await s.client.listTools();
    const names = tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['db_connections', 'db_execute', 'db_query', 'delete_file', 'edit_file', 'list_directory', 'named_query', 'read_file', 'run_shell', 'write_file']);
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.equal((t.inputSchema as Record<string, unknown>).additionalProperties, false, `${t.name} rejects unknown keys`);
      assert.equal(t.outputSchema?.type, 'object', t.name);
      assert.ok(Array.isArray((t.outputSchema as Record<string, unknown>).oneOf), `${t.name}: envelope success|failure`);
      for (const h of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) assert.equal(typeof t.annotations?.[h], 'boolean', `${t.name}.${h}`);
      assert.match(t.description ?? '', /Errors?:/, `${t.name} names its error cases`);
    }
    const by = new Map(tools.map((t) => [t.name, t]));
    assert.deepEqual(by.get('read_file')!.annotations, { title: 'Read file', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    assert.equal(by.get('delete_file')!.annotations!.destructiveHint, true);
    assert.equal(by.get('run_shell')!.annotations!.openWorldHint, true);
    assert.equal(by.get('db_query')!.annotations!.readOnlyHint, true);
    assert.equal(by.get('db_execute')!.annotations!.readOnlyHint, false);
    assert.deepEqual((by.get('write_file')!.inputSchema as { required: string[] }).required.sort(), ['content', 'expectedSha256', 'path']);
  });

  it('reads a file: content and sha256 in the envelope, the read recorded in the ledger', async () => {
    const e = envelopeOf(await s.client.callTool({ name: 'read_file', arguments: { path: 'notes.txt' } }));
    assert.equal(e.ok, true);
    if (!e.ok) return;
    const d = e.data as { content: string; sha256: string; path: string };
    assert.equal(d.content, 'line one\nline two\n');
    assert.equal(d.sha256, sha('line one\nline two\n'));
    assert.equal(d.path, join(ws, 'notes.txt'));
    assert.equal(e.decision?.decision, 'allow');
    assert.equal(e.traceId, e.decision?.stepId);
    const steps = ledgerSteps(ledger).filter((r) => r.tool === 'read_file');
    assert.deepEqual(steps.map((r) => [r.agent, r.event, r.decision]), [['airlock-mcp', 'pre', 'allow'], ['airlock-mcp', 'post', 'outcome']]);
  });

  it('write with a wrong expected hash fails with the conflict envelope and changes nothing', async () => {
    const path = join(ws, 'notes.txt');
    const before = readFileSync(path, 'utf8');
    const mtime = statSync(path).mtimeMs;
    const e = envelopeOf(await s.client.callTool({ name: 'write_file', arguments: { path, content: 'overwritten', expectedSha256: sha('something else') } }));
    assert.equal(e.ok, false);
    if (e.ok) return;
    assert.equal(e.error.code, 'conflict');
    assert.equal(e.error.retryable, false);
    assert.equal(e.error.details?.currentSha256, sha(before));
    assert.equal(e.decision, null, 'a conflicting write is not put to the gate or a person');
    assert.equal(readFileSync(path, 'utf8'), before);
    assert.equal(statSync(path).mtimeMs, mtime);
    // null = create only: the file exists, so nothing is written either.
    const c = envelopeOf(await s.client.callTool({ name: 'write_file', arguments: { path, content: 'x', expectedSha256: null } }));
    assert.equal(c.ok ? 'ok' : c.error.code, 'conflict');
    assert.equal(readFileSync(path, 'utf8'), before);
  });

  it('create with expectedSha256 null writes the file; edit replaces exactly one occurrence, under compare-and-swap', async () => {
    const path = join(ws, 'draft.txt');
    const w = envelopeOf(await s.client.callTool({ name: 'write_file', arguments: { path, content: 'alpha\nbeta\nalpha\n', expectedSha256: null } }));
    assert.equal(w.ok, true, JSON.stringify(w));
    if (w.ok) assert.deepEqual({ ...(w.data as object) }, { path, sha256: sha('alpha\nbeta\nalpha\n'), bytes: 17, created: true });
    assert.equal(readFileSync(path, 'utf8'), 'alpha\nbeta\nalpha\n');
    const amb = envelopeOf(await s.client.callTool({ name: 'edit_file', arguments: { path, oldString: 'alpha', newString: 'gamma' } }));
    assert.equal(amb.ok ? 'ok' : amb.error.code, 'ambiguous', JSON.stringify(amb));
    assert.equal(readFileSync(path, 'utf8'), 'alpha\nbeta\nalpha\n');
    const stale = envelopeOf(await s.client.callTool({ name: 'edit_file', arguments: { path, oldString: 'beta', newString: 'delta', expectedSha256: sha('old') } }));
    assert.equal(stale.ok ? 'ok' : stale.error.code, 'conflict');
    const ed = envelopeOf(await s.client.callTool({ name: 'edit_file', arguments: { path, oldString: 'beta', newString: 'delta', expectedSha256: sha('alpha\nbeta\nalpha\n') } }));
    assert.equal(ed.ok, true, JSON.stringify(ed));
    assert.equal(readFileSync(path, 'utf8'), 'alpha\ndelta\nalpha\n');
  });

  it('a malformed call gets the invalid_input envelope, is not judged or recorded, and changes nothing', async () => {
    const before = ledgerSteps(ledger).length;
    const target = join(ws, 'never.txt');
    const calls: [string, Record<string, unknown>][] = [
      ['write_file', { path: target, content: 'x', expectedSha256: null, sneaky: true }],
      ['write_file', { path: target, content: 'x' }],
      ['write_file', { path: target, content: 42, expectedSha256: null }],
      ['run_shell', { command: `touch ${target}`, timeoutMs: 'soon' }],
      ['delete_file', { path: '' }],
    ];
    for (const [name, args] of calls) {
      const e = envelopeOf(await s.client.callTool({ name, arguments: args }));
      assert.equal(e.ok, false);
      if (e.ok) continue;
      assert.equal(e.error.code, 'invalid_input', `${name} ${JSON.stringify(args)}`);
      assert.equal(e.decision, null);
      assert.match(e.error.message, /nothing was done/);
    }
    assert.equal(existsSync(target), false);
    assert.equal(ledgerSteps(ledger).length, before);
    const u = envelopeOf(await s.client.callTool({ name: 'format_disk', arguments: {} }));
    assert.equal(u.ok ? 'ok' : u.error.code, 'unknown_tool');
  });

  it('a read-only shell command runs and its output and exit code come back', async () => {
    const e = envelopeOf(await s.client.callTool({ name: 'run_shell', arguments: { command: 'ls; exit 3' } }));
    assert.equal(e.ok, true, JSON.stringify(e));
    if (!e.ok) return;
    const d = e.data as { exitCode: number; stdout: string };
    assert.equal(d.exitCode, 3);
    assert.match(d.stdout, /notes\.txt/);
    // The same read-only command again runs again (nothing to protect), it is not a stale replay.
    writeFileSync(join(ws, 'zz-later.txt'), '');
    const again = envelopeOf(await s.client.callTool({ name: 'run_shell', arguments: { command: 'ls; exit 3' } }));
    assert.equal(again.replayed, undefined);
    assert.match(again.ok ? (again.data as { stdout: string }).stdout : '', /zz-later\.txt/);
  });
});

describe('airlock mcp: refused calls (a session of its own, so its denials do not pause the other run)', () => {
  let r: McpSession;
  before(async () => {
    // Checkpoints off: with them a workspace delete is made reversible and runs (mcpCheckpoints.test.ts); these tests are about asks.
    r = await connectAirlock(['--workspace', ws, '--ask-timeout-ms', '1500'], { ...env, AIRLOCK_CHECKPOINTS: 'off' });
  });
  after(async () => {
    await r?.close();
  });

  it('a destructive shell call is denied with the reasons; the victim survives; the deny is in the ledger', async () => {
    const e = envelopeOf(await r.client.callTool({ name: 'run_shell', arguments: { command: `rm -rf ${victim}` } }));
    assert.equal(e.ok, false);
    if (e.ok) return;
    assert.equal(e.error.code, 'denied');
    assert.equal(e.decision?.decision, 'deny');
    assert.ok(e.decision!.reasons.length > 0);
    assert.match(e.error.message, /outside the workspace/);
    assert.equal(readFileSync(join(victim, 'keep.txt'), 'utf8'), 'keep me\n');
    const rows = ledgerSteps(ledger).filter((r) => r.tool === 'run_shell');
    assert.equal(rows.at(-1)?.decision, 'deny');
    assert.match(rows.at(-1)!.action_json!, /rm -rf/);
  });

  it('an asked call (delete) is answered headless at once: queued for a person, retryable, and the file stays', async () => {
    const path = join(ws, 'notes.txt');
    const t0 = Date.now();
    const e = envelopeOf(await r.client.callTool({ name: 'delete_file', arguments: { path } }));
    assert.equal(e.ok, false);
    if (e.ok) return;
    assert.equal(e.error.code, 'denied');
    assert.equal(e.error.retryable, true);
    assert.match(e.error.message, /needs a person's approval for this.*queued as approval #\d+/s);
    assert.ok(Date.now() - t0 < 2000, `answered within 2 s, not at the 1.5 s deadline's end or later (${Date.now() - t0} ms)`);
    assert.ok(existsSync(path));
  });
});

describe('airlock mcp --http (streamable HTTP on loopback)', () => {
  it('serves the same tools on 127.0.0.1; foreign Host and Origin are refused', async () => {
    const child = spawn(process.execPath, [CLI, 'mcp', '--http', '0', '--workspace', ws], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('no URL line')), 15_000);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString('utf8');
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve((JSON.parse(out.slice(0, out.indexOf('\n'))) as { mcp: string }).mcp);
          }
        });
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const client = new Client({ name: 'airlock-test-http', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const { tools } = await client.listTools();
      assert.equal(tools.length, 10);
      const e = envelopeOf(await client.callTool({ name: 'list_directory', arguments: { path: ws } }));
      assert.equal(e.ok, true);
      if (e.ok) assert.ok((e.data as { entries: { name: string }[] }).entries.some((x) => x.name === 'notes.txt'));
      await client.close();
      const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const port = new URL(url).port;
      assert.equal((await raw(url, { path: '/mcp', headers: { ...headers, host: `evil.example:${port}` }, body: init })).status, 403);
      assert.equal((await raw(url, { path: '/mcp', headers: { ...headers, origin: 'https://evil.example' }, body: init })).status, 403);
      assert.equal((await raw(url, { path: '/mcp', headers, body: init })).status, 200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});

describe('airlock mcp with a running gate (airlock serve)', () => {
  it('sends every call to the running gate over the bridge: its ledger records them, its decisions apply', async () => {
    const h = join(dir, 'airlock-served');
    const envS = cleanEnv(home, h);
    const servedLedger = join(dir, 'served-ledger.sqlite');
    const served = await startServe(['--ci', '--ledger', servedLedger, '--workspace', ws], envS);
    let m: McpSession | undefined;
    try {
      m = await connectAirlock(['--workspace', ws], envS);
      const ok = envelopeOf(await m.client.callTool({ name: 'read_file', arguments: { path: 'notes.txt' } }));
      assert.equal(ok.ok, true, JSON.stringify(ok));
      const no = envelopeOf(await m.client.callTool({ name: 'run_shell', arguments: { command: `rm -rf ${victim}` } }));
      assert.equal(no.ok ? 'ok' : no.error.code, 'denied');
      assert.ok(existsSync(join(victim, 'keep.txt')));
      assert.match(m.stderr(), /running gate at http:\/\/127\.0\.0\.1:/);
      const rows = ledgerSteps(servedLedger).filter((r) => r.event === 'pre');
      assert.deepEqual(rows.map((r) => [r.agent, r.tool, r.decision]), [['airlock-mcp', 'read_file', 'allow'], ['airlock-mcp', 'run_shell', 'deny']]);
      assert.equal(existsSync(join(h, 'ledger.sqlite')), false, 'no in-process ledger was opened');
    } finally {
      await m?.close();
      served.child.kill('SIGTERM');
      await served.exited;
    }
  });
});
