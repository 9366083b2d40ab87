// The editor's MCP server definition (node/mcpDefinition.ts), started exactly as VS Code would start
// it (command, args, env from the definition) with the official MCP client: calls are judged by the
// window's gate (its ledger) and asks wait in the window's approvals.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { GateHost } from '../../src/node/gate/gateHost';
import { airlockMcpLaunch } from '../../src/node/mcp/definition';
import { tempDir } from '../support/gateway';
import { envelopeOf, ledgerSteps } from '../support/mcp';

describe('airlock mcp as registered with the editor', () => {
  it("forwards to the window's gate: reads recorded in its ledger, a delete approved in its approvals", async () => {
    const root = tempDir('airlock-mcpdef-');
    const home = join(root, 'home');
    const ws = join(root, 'ws');
    mkdirSync(home, { recursive: true });
    mkdirSync(ws, { recursive: true });
    writeFileSync(join(ws, 'a.txt'), 'hello\n');
    // Checkpoints off: a workspace delete would be checkpointed and run; this test is about the approval path.
    const cp = process.env.AIRLOCK_CHECKPOINTS;
    process.env.AIRLOCK_CHECKPOINTS = 'off';
    const host = new GateHost({ home, workspaceRoots: [ws], log: () => undefined, watchIntervalMs: 100 });
    await host.start();
    if (cp === undefined) delete process.env.AIRLOCK_CHECKPOINTS;
    else process.env.AIRLOCK_CHECKPOINTS = cp;
    const launch = airlockMcpLaunch({ extensionPath: join(__dirname, '..', '..'), extensionVersion: '0.1.0', execPath: process.execPath, discoveryPath: host.discoveryPath, home, workspaceRoots: [ws] });
    assert.deepEqual(launch.args.slice(1, 4), ['mcp', '--gate', 'bridge']);
    assert.equal(launch.env.ELECTRON_RUN_AS_NODE, '1');
    let stderr = '';
    const transport = new StdioClientTransport({ command: launch.command, args: launch.args, env: { PATH: process.env.PATH ?? '', HOME: root, ...launch.env }, cwd: launch.cwd!, stderr: 'pipe' });
    transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const client = new Client({ name: 'vscode-like', version: '1.0.0' }, { capabilities: {} });
    const off = host.approvals.subscribe({ pending: (req) => setImmediate(() => host.approvals.decide(req.stepId, { decision: 'allow', by: 'person in the editor', actionHash: req.decision.actionHash })) });
    try {
      await client.connect(transport);
      const read = envelopeOf(await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } }));
      assert.equal(read.ok, true, stderr);
      const del = envelopeOf(await client.callTool({ name: 'delete_file', arguments: { path: 'a.txt' } }));
      assert.equal(del.ok, true, JSON.stringify(del));
      assert.ok(del.decision?.rules.includes('approval.person'));
      assert.equal(existsSync(join(ws, 'a.txt')), false);
      assert.match(stderr, /running gate at/);
      const pre = ledgerSteps(join(home, 'ledger.sqlite')).filter((r) => r.event === 'pre');
      assert.deepEqual(pre.map((r) => [r.agent, r.tool, r.decision]), [['airlock-mcp', 'read_file', 'allow'], ['airlock-mcp', 'delete_file', 'allow']]);
    } finally {
      off();
      await client.close().catch(() => undefined);
      await host.dispose();
    }
  });
});
