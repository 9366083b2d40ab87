/**
 * The entry `airlock mcp install claude --scope project` writes, used by the real Claude Code
 * (scripted model, temp HOME): the installed `<project>/.mcp.json` is given to Claude as its MCP
 * config unchanged, Claude starts Airlock's server from it (in the project folder, which is the
 * server's workspace), offers Airlock's tools and calls one end to end.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runClaude, type ClaudeRunOutcome } from '../support/claudeRun';
import { CLI, tempDir } from '../support/gateway';
import { ledgerSteps } from '../support/mcp';
import { ScriptedModel } from '../support/scriptedModel';

const root = tempDir('airlock-mcp-install-claude-');
const home = join(root, 'home');
const proj = join(root, 'proj');
const airlockHome = join(root, 'airlock');
mkdirSync(home, { recursive: true });
mkdirSync(proj, { recursive: true });

const model = new ScriptedModel([
  { tools: [{ name: 'mcp__airlock__write_file', input: { path: 'from-installed-config.txt', content: 'via the installed .mcp.json\n', expectedSha256: null }, id: 'toolu_write' }] },
  { text: 'done' },
]);
let run: ClaudeRunOutcome;
let installed: string;

before(async () => {
  const r = spawnSync(process.execPath, [CLI, 'mcp', 'install', 'claude', '--scope', 'project', '--json'], { cwd: proj, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, AIRLOCK_HOME: airlockHome }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  installed = (JSON.parse(r.stdout) as { file: string }).file;
  const url = await model.start();
  run = await runClaude({ cwd: proj, baseUrl: url, home, airlockHome, hookCommand: null, extraArgs: ['--mcp-config', installed, '--strict-mcp-config'], timeoutMs: 150_000 });
});
after(async () => {
  await model.close();
});

describe('Claude Code with the .mcp.json written by airlock mcp install claude', () => {
  it('the installed file is the project .mcp.json', () => {
    assert.equal(installed, join(proj, '.mcp.json'));
  });
  it("offers Airlock's tools and the write lands in the project through the gate", () => {
    assert.equal(run.timedOut, false, run.stderr);
    const offered = model.mainRequests[0]?.body?.tools?.map((t) => t.name) ?? [];
    assert.ok(offered.includes('mcp__airlock__write_file'), `tools offered: ${offered.join(', ')}; stderr: ${run.stderr.slice(0, 2000)}`);
    const res = model.toolResult('toolu_write');
    assert.ok(res, JSON.stringify(model.toolResults()));
    assert.equal(res.is_error, false, res.text);
    assert.equal(readFileSync(join(proj, 'from-installed-config.txt'), 'utf8'), 'via the installed .mcp.json\n');
    const rows = ledgerSteps(join(airlockHome, 'ledger.sqlite')).filter((x) => x.event === 'pre');
    assert.deepEqual(rows.map((x) => [x.agent, x.tool, x.decision]), [['airlock-mcp', 'write_file', 'allow']]);
  });
});
