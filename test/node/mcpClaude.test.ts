/**
 * The real Claude Code (scripted model, temp HOME) configured with Airlock's MCP server through
 * `--mcp-config` (no hooks: the MCP server's own gate is the only thing between the agent and the
 * effect). The agent calls Airlock's tools end to end: a write in the workspace lands on disk, a
 * destructive shell command comes back to the model as the denied envelope and the victim survives.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI_JS, runClaude, type ClaudeRunOutcome } from '../support/claudeRun';
import { tempDir } from '../support/gateway';
import { ledgerSteps } from '../support/mcp';
import { ScriptedModel } from '../support/scriptedModel';

const root = tempDir('airlock-mcp-claude-');
const home = join(root, 'home');
const proj = join(root, 'proj');
const airlockHome = join(root, 'airlock');
const victim = join(home, 'victim');
mkdirSync(victim, { recursive: true });
mkdirSync(proj, { recursive: true });
writeFileSync(join(victim, 'precious.txt'), 'keep me\n');

const model = new ScriptedModel([
  { tools: [{ name: 'mcp__airlock__write_file', input: { path: join(proj, 'made-by-agent.txt'), content: 'written through Airlock MCP\n', expectedSha256: null }, id: 'toolu_write' }] },
  { tools: [{ name: 'mcp__airlock__run_shell', input: { command: `rm -rf ${victim}` }, id: 'toolu_rm' }] },
  { text: 'done' },
]);
let run: ClaudeRunOutcome;

before(async () => {
  const url = await model.start();
  const config = join(root, 'mcp.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { airlock: { type: 'stdio', command: process.execPath, args: [CLI_JS, 'mcp', '--workspace', proj, '--ask-timeout-ms', '2000'], env: { AIRLOCK_HOME: airlockHome, HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' }, alwaysLoad: true } } }));
  run = await runClaude({ cwd: proj, baseUrl: url, home, airlockHome, hookCommand: null, extraArgs: ['--mcp-config', config, '--strict-mcp-config'], timeoutMs: 150_000 });
});
after(async () => {
  await model.close();
});

describe('Claude Code with Airlock as its MCP server', () => {
  it('offers Airlock tools to the model and finishes the scripted task', () => {
    assert.equal(run.timedOut, false, run.stderr);
    const offered = model.mainRequests[0]?.body?.tools?.map((t) => t.name) ?? [];
    assert.ok(offered.includes('mcp__airlock__write_file'), `tools offered: ${offered.join(', ')}; stderr: ${run.stderr.slice(0, 2000)}`);
    assert.ok(offered.includes('mcp__airlock__run_shell'));
  });

  it('the allowed write lands on disk and the model gets the ok envelope', () => {
    assert.equal(readFileSync(join(proj, 'made-by-agent.txt'), 'utf8'), 'written through Airlock MCP\n');
    const r = model.toolResult('toolu_write');
    assert.ok(r, JSON.stringify(model.toolResults()));
    assert.equal(r.is_error, false);
    assert.match(r.text, /"ok":true/);
  });

  it('the destructive shell call is denied: the model sees the envelope, the victim survives, the ledger has the deny', () => {
    assert.ok(existsSync(join(victim, 'precious.txt')));
    const r = model.toolResult('toolu_rm');
    assert.ok(r, JSON.stringify(model.toolResults()));
    assert.equal(r.is_error, true);
    assert.match(r.text, /"code":"denied"/);
    const rows = ledgerSteps(join(airlockHome, 'ledger.sqlite')).filter((x) => x.event === 'pre');
    assert.deepEqual(rows.map((x) => [x.agent, x.tool, x.decision]), [['airlock-mcp', 'write_file', 'allow'], ['airlock-mcp', 'run_shell', 'deny']]);
  });
});
