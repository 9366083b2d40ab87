// `airlock hooks status` with the real shim: each installed entry is driven with the payload recorded
// from the agent's real version and reported with that version; an entry whose real payload the
// shim rejects is "not working" (tested by feeding a payload from another version).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RECORDED, type Recorded } from '../../src/core/hooks/recorded';
import { install, type InstallerContext } from '../../src/node/agents/install/installer';
import { status } from '../../src/node/agents/install/status';
import { CLI_JS } from '../support/claudeRun';

const root = mkdtempSync(join(tmpdir(), 'airlock-status-rec-'));
after(() => rmSync(root, { recursive: true, force: true }));

function ctx(name: string): InstallerContext {
  const home = join(root, name, 'home');
  const proj = join(root, name, 'proj');
  mkdirSync(proj, { recursive: true });
  return { home, projectDir: proj, airlockHome: join(root, name, 'airlock'), nodePath: process.execPath, cliPath: CLI_JS, env: { PATH: process.env.PATH, HOME: home } };
}

describe('hooks status against recorded payloads', () => {
  it('every recorded agent: installed, fires, checked against its recorded version', async () => {
    const c = ctx('all');
    const agents = [...new Set(RECORDED.map((r) => r.agent))] as Array<Parameters<typeof install>[0]>;
    for (const a of agents) install(a, 'user', c);
    const rows = await status(c, { agents, includeProject: false });
    for (const r of rows) {
      const rec = RECORDED.find((x) => x.agent === r.agent)!;
      assert.equal(r.state, 'OK', `${r.agent}: ${r.detail}`);
      assert.equal(r.fires, true, r.agent);
      assert.equal(r.checkedAgainst, `${rec.agent} ${rec.version} (recorded from the real agent)`);
    }
  });

  it('says "not working" when the agent sends a payload of another version that the shim rejects', async () => {
    const c = ctx('other');
    install('cline', 'user', c);
    const real = RECORDED.find((r) => r.agent === 'cline')!;
    // The same call, as a later Cline might send it: the payload keys renamed.
    const p = structuredClone(real.payload) as Record<string, unknown>;
    p.toolCall = p.tool_call;
    delete p.tool_call;
    delete p.preToolUse;
    const other: Recorded = { ...real, version: '3.1.0 (keys renamed)', payload: p, fill: { cwd: real.fill.cwd, command: [{ path: ['toolCall', 'input', 'commands'], as: 'list' }] } };
    const [row] = await status(c, { agents: ['cline'], includeProject: false, recordedOverride: { cline: other } });
    assert.equal(row!.state, 'BROKEN');
    assert.equal(row!.fires, false);
    assert.match(row!.detail, /not working: the shim rejects cline 3\.1\.0 \(keys renamed\)/);
    // …while the recorded 3.0.65 payload works.
    const [ok] = await status(c, { agents: ['cline'], includeProject: false });
    assert.equal(ok!.state, 'OK', ok!.detail);
  });
});
