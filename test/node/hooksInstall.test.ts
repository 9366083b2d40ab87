// `airlock hooks install|uninstall|status` against a temporary HOME holding a person's own settings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AGENTS, findJson, type Agent } from '../../src/core/hooks/installEntries';
import { install, type InstallerContext } from '../../src/node/agents/install/installer';
import { status } from '../../src/node/agents/install/status';
import { CLI_JS, REPO_ROOT } from '../support/claudeRun';

let root: string;
before(() => {
  assert.ok(existsSync(CLI_JS), 'dist/cli.js is missing: run npm run build');
  root = mkdtempSync(join(tmpdir(), 'airlock-hooks-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function freshHome(): { home: string; ah: string; codex: string; proj: string } {
  n += 1;
  const base = join(root, `h${n}`);
  const dirs = { home: join(base, 'home'), ah: join(base, 'airlock'), codex: join(base, 'home', '.codex'), proj: join(base, 'proj') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  return dirs;
}

function cli(args: string[], h: { home: string; ah: string; proj: string }, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI_JS, ...args], {
    cwd: h.proj,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: h.home, AIRLOCK_HOME: h.ah, ...extraEnv },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const write = (p: string, text: string) => {
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
};

/** A person's existing config for each agent, in the file Airlock will touch. */
const USER_FILES: Record<Exclude<Agent, 'cline' | 'copilot' | 'opencode' | 'kilo'>, { path: (h: { home: string }) => string; value: unknown; indent: number | string }> = {
  claude: {
    path: (h) => join(h.home, '.claude', 'settings.json'),
    value: { model: 'opus', permissions: { allow: ['Bash(git status)'] }, hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'echo mine' }] }], Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }] } },
    indent: 2,
  },
  cursor: {
    path: (h) => join(h.home, '.cursor', 'hooks.json'),
    value: { version: 1, hooks: { afterFileEdit: [{ command: './format.sh' }], beforeShellExecution: [{ command: './audit.sh' }] } },
    indent: 4,
  },
  codex: {
    path: (h) => join(h.home, '.codex', 'hooks.json'),
    value: { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/mine' }] }] } },
    indent: '\t',
  },
  gemini: {
    path: (h) => join(h.home, '.gemini', 'settings.json'),
    value: { theme: 'GitHub', mcpServers: { fs: { command: 'npx', args: ['x'] } } },
    indent: 2,
  },
  qwen: {
    path: (h) => join(h.home, '.qwen', 'settings.json'),
    value: { security: { auth: { selectedType: 'openai' } }, hooks: { Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }] } },
    indent: 2,
  },
};

describe('airlock hooks install / uninstall', () => {
  for (const agent of Object.keys(USER_FILES) as Array<keyof typeof USER_FILES>) {
    it(`${agent}: merges into the person's config, is idempotent, backs up once, and uninstall restores it byte for byte`, () => {
      const h = freshHome();
      const spec = USER_FILES[agent];
      const file = spec.path(h);
      const original = `${JSON.stringify(spec.value, null, spec.indent)}\n`;
      write(file, original);
      const toml = '# my codex config\nmodel = "o3"\n\n[profiles.fast]\nmodel = "o4-mini"\n';
      if (agent === 'codex') write(join(h.codex, 'config.toml'), toml);

      const r1 = cli(['hooks', 'install', agent], h);
      assert.equal(r1.code, 0, r1.stderr);
      const installed = readFileSync(file, 'utf8');
      const parsed = JSON.parse(installed) as Record<string, unknown>;
      const found = findJson(agent, parsed);
      assert.ok(found.length > 0, 'Airlock entry written');
      for (const f of found) {
        assert.match(f.command, new RegExp(`^${process.execPath.replace(/[/.]/g, '\\$&')} \\S*dist/hook\\.js hook ${agent}( --timeout-ms \\d+)?$`));
        assert.ok(f.command.includes(REPO_ROOT), 'absolute path of dist/hook.js (the lean shim entry)');
      }
      // Everything the person had is still there, untouched.
      for (const [k, v] of Object.entries(spec.value as Record<string, unknown>)) {
        if (k !== 'hooks') assert.deepEqual(parsed[k], v, `key ${k} unchanged`);
      }
      const userHooks = (spec.value as { hooks?: Record<string, unknown[]> }).hooks ?? {};
      for (const [event, list] of Object.entries(userHooks)) {
        const now = (parsed.hooks as Record<string, unknown[]>)[event]!;
        assert.deepEqual(now.slice(0, list.length), list, `the person's ${event} hooks kept first, in order`);
      }
      // Formatting kept (indentation of the original).
      const indentNow = /\n([ \t]+)"/.exec(installed)![1];
      assert.equal(indentNow, typeof spec.indent === 'number' ? ' '.repeat(spec.indent) : spec.indent);

      // Backup of the original, next to the file.
      const backups = readdirSync(dirname(file)).filter((f) => f.startsWith(`${file.split('/').pop()}.airlock-backup-`));
      assert.equal(backups.length, 1);
      assert.equal(readFileSync(join(dirname(file), backups[0]!), 'utf8'), original);

      // Idempotent: a second install changes nothing and makes no second backup.
      const r2 = cli(['hooks', 'install', agent], h);
      assert.equal(r2.code, 0, r2.stderr);
      assert.match(r2.stdout, /already installed/);
      assert.equal(readFileSync(file, 'utf8'), installed);
      assert.equal(readdirSync(dirname(file)).filter((f) => f.includes('.airlock-backup-')).length, agent === 'codex' ? 2 : 1);

      const r3 = cli(['hooks', 'uninstall', agent], h);
      assert.equal(r3.code, 0, r3.stderr);
      assert.equal(readFileSync(file, 'utf8'), original, 'byte-for-byte as before');
      if (agent === 'codex') assert.equal(readFileSync(join(h.codex, 'config.toml'), 'utf8'), toml);
      // Uninstalling again is a no-op.
      assert.match(cli(['hooks', 'uninstall', agent], h).stdout, /not installed/);
    });
  }

  it('copilot: writes its own airlock.json (Copilot CLI format) beside the person’s hook files and removes only it', () => {
    const h = freshHome();
    const mine = join(h.home, '.copilot', 'hooks', 'mine.json');
    const mineText = '{"version":1,"hooks":{"sessionStart":[{"type":"command","bash":"echo hi"}]}}';
    write(mine, mineText);
    assert.equal(cli(['hooks', 'install', 'copilot'], h).code, 0);
    const ours = JSON.parse(readFileSync(join(h.home, '.copilot', 'hooks', 'airlock.json'), 'utf8')) as { version: number; hooks: Record<string, Array<Record<string, unknown>>> };
    assert.equal(ours.version, 1);
    assert.equal(ours.hooks.preToolUse![0]!.type, 'command');
    assert.match(String(ours.hooks.preToolUse![0]!.bash), /dist\/hook\.js hook copilot --timeout-ms 120000$/);
    assert.equal(typeof ours.hooks.preToolUse![0]!.timeoutSec, 'number');
    assert.ok(ours.hooks.postToolUse);
    assert.equal(cli(['hooks', 'uninstall', 'copilot'], h).code, 0);
    assert.equal(existsSync(join(h.home, '.copilot', 'hooks', 'airlock.json')), false);
    assert.equal(readFileSync(mine, 'utf8'), mineText);
  });

  it('project scope: Claude .claude/settings.json, Copilot .github/hooks, Cursor, Gemini; Codex refuses project scope', () => {
    const h = freshHome();
    assert.equal(cli(['hooks', 'install', 'claude', '--scope', 'project'], h).code, 0);
    const s = JSON.parse(readFileSync(join(h.proj, '.claude', 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(findJson('claude', s).length, 3, 'PreToolUse, PostToolUse and SessionEnd');
    assert.equal(existsSync(join(h.home, '.claude', 'settings.json')), false, 'user scope untouched');
    assert.equal(cli(['hooks', 'install', 'copilot', '--scope', 'project'], h).code, 0);
    assert.ok(existsSync(join(h.proj, '.github', 'hooks', 'airlock.json')));
    const other = freshHome();
    const r = cli(['hooks', 'install', 'gemini', '--scope', 'project', '--project', h.proj], other);
    assert.equal(r.code, 0, r.stderr);
    const g = JSON.parse(readFileSync(join(h.proj, '.gemini', 'settings.json'), 'utf8')) as { hooks: { BeforeTool: Array<{ matcher: string; hooks: Array<{ timeout: number }> }> } };
    assert.equal(g.hooks.BeforeTool[0]!.matcher, '.*');
    assert.ok(g.hooks.BeforeTool[0]!.hooks[0]!.timeout >= 1000, 'Gemini timeouts are in milliseconds');
    const c = cli(['hooks', 'install', 'codex', '--scope', 'project'], h);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /CODEX_HOME/);
    // Uninstalling the files Airlock created deletes them.
    assert.equal(cli(['hooks', 'uninstall', 'claude', '--scope', 'project'], h).code, 0);
    assert.equal(existsSync(join(h.proj, '.claude', 'settings.json')), false);
  });

  it('cursor: one entry per event Airlock gates', () => {
    const h = freshHome();
    assert.equal(cli(['hooks', 'install', 'cursor'], h).code, 0);
    const c = JSON.parse(readFileSync(join(h.home, '.cursor', 'hooks.json'), 'utf8')) as { version: number; hooks: Record<string, Array<{ command: string }>> };
    assert.equal(c.version, 1);
    assert.deepEqual(Object.keys(c.hooks).sort(), ['beforeMCPExecution', 'beforeReadFile', 'beforeShellExecution', 'preToolUse']);
    for (const list of Object.values(c.hooks)) assert.match(list[0]!.command, /hook cursor$/);
  });

  it('cline: an executable PreToolUse script; an existing foreign script is never overwritten', () => {
    const h = freshHome();
    assert.equal(cli(['hooks', 'install', 'cline'], h).code, 0);
    const script = join(h.home, 'Documents', 'Cline', 'Hooks', 'PreToolUse');
    const text = readFileSync(script, 'utf8');
    assert.match(text, /^#!\/bin\/sh\n/);
    assert.match(text, /dist\/hook\.js hook cline --timeout-ms 120000\n$/);
    assert.equal(statSync(script).mode & 0o111, 0o111, 'executable');
    assert.equal(cli(['hooks', 'uninstall', 'cline'], h).code, 0);
    assert.equal(existsSync(script), false);
    write(script, '#!/bin/sh\necho mine\n');
    const r = cli(['hooks', 'install', 'cline'], h);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not Airlock/);
    assert.equal(readFileSync(script, 'utf8'), '#!/bin/sh\necho mine\n');
  });

  it('cline: a TaskComplete script too (the task’s end and its last usage); a person’s own TaskComplete is left alone, the install goes on', () => {
    const h = freshHome();
    const dir = join(h.home, 'Documents', 'Cline', 'Hooks');
    assert.equal(cli(['hooks', 'install', 'cline'], h).code, 0);
    assert.equal(readFileSync(join(dir, 'TaskComplete'), 'utf8'), readFileSync(join(dir, 'PreToolUse'), 'utf8'));
    assert.equal(statSync(join(dir, 'TaskComplete')).mode & 0o111, 0o111, 'executable');
    assert.equal(cli(['hooks', 'uninstall', 'cline'], h).code, 0);
    assert.equal(existsSync(join(dir, 'TaskComplete')), false);
    assert.equal(existsSync(join(dir, 'PreToolUse')), false);
    write(join(dir, 'TaskComplete'), '#!/bin/sh\necho done\n');
    assert.equal(cli(['hooks', 'install', 'cline'], h).code, 0);
    assert.match(readFileSync(join(dir, 'PreToolUse'), 'utf8'), /hook cline/);
    assert.equal(readFileSync(join(dir, 'TaskComplete'), 'utf8'), '#!/bin/sh\necho done\n');
    assert.equal(cli(['hooks', 'uninstall', 'cline'], h).code, 0);
    assert.equal(readFileSync(join(dir, 'TaskComplete'), 'utf8'), '#!/bin/sh\necho done\n', 'uninstall keeps it too');
  });

  for (const [agent, rel] of [['opencode', ['.config', 'opencode', 'plugins', 'airlock.js']], ['kilo', ['.config', 'kilo', 'plugins', 'airlock.js']]] as const) {
    it(`${agent}: a plugin file in the user's plugin folder, removed again by uninstall; a foreign file is kept`, () => {
      const h = freshHome();
      assert.equal(cli(['hooks', 'install', agent], h).code, 0);
      const file = join(h.home, ...rel);
      assert.match(readFileSync(file, 'utf8'), new RegExp(`dist/hook\\.js","hook","${agent}"`));
      assert.equal(cli(['hooks', 'install', agent], h).stdout.includes('already installed'), true);
      assert.equal(cli(['hooks', 'uninstall', agent], h).code, 0);
      assert.equal(existsSync(file), false);
      write(file, 'export const Mine = async () => ({});\n');
      assert.equal(cli(['hooks', 'install', agent], h).code, 1);
      assert.equal(readFileSync(file, 'utf8'), 'export const Mine = async () => ({});\n');
    });
  }

  it('refuses to overwrite a config that is not valid JSON, and names the file', () => {
    const h = freshHome();
    const file = join(h.home, '.claude', 'settings.json');
    write(file, '{ "model": "opus", // a comment\n}');
    const r = cli(['hooks', 'install', 'claude'], h);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(file), r.stderr);
    assert.match(r.stderr, /not valid JSON/);
    assert.equal(readFileSync(file, 'utf8'), '{ "model": "opus", // a comment\n}');
    const arr = join(h.home, '.gemini', 'settings.json');
    write(arr, '[1,2]');
    assert.equal(cli(['hooks', 'install', 'gemini'], h).code, 1);
    assert.equal(readFileSync(arr, 'utf8'), '[1,2]');
  });

  it('codex: the trust entry carries the documented hash, at the position of Airlock’s group, and positions stay right on uninstall', () => {
    const h = freshHome();
    const codexHome = join(h.home, 'custom-codex');
    const env = { CODEX_HOME: codexHome };
    assert.equal(cli(['hooks', 'install', 'codex', '--no-telemetry'], h, env).code, 0);
    const hooksJson = join(codexHome, 'hooks.json');
    const cfg = JSON.parse(readFileSync(hooksJson, 'utf8')) as { hooks: { PreToolUse: Array<{ matcher: string; hooks: Array<{ command: string }> }> } };
    const command = cfg.hooks.PreToolUse[0]!.hooks[0]!.command;
    // The formula from RECIPES.md 2b, spelled out independently of the implementation.
    const compact = `{"event_name":"pre_tool_use","hooks":[{"async":false,"command":${JSON.stringify(command)},"timeout":600,"type":"command"}],"matcher":"*"}`;
    const hex = createHash('sha256').update(compact).digest('hex');
    const toml = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    assert.equal(toml, `[hooks.state."${hooksJson}:pre_tool_use:0:0"]\ntrusted_hash = "sha256:${hex}"\n`);
    const st = cli(['hooks', 'status', '--json'], h, env);
    const rows = JSON.parse(st.stdout) as Array<{ agent: string; trusted?: boolean }>;
    assert.equal(rows.find((r) => r.agent === 'codex')!.trusted, true);

    // The person adds a hook of their own after Airlock's, and trusts it; uninstall moves its trust key with it.
    cfg.hooks.PreToolUse.push({ matcher: 'Bash', hooks: [{ command: '/usr/local/bin/mine' }] });
    writeFileSync(hooksJson, `${JSON.stringify(cfg, null, 2)}\n`);
    writeFileSync(join(codexHome, 'config.toml'), `${toml}\n[hooks.state."${hooksJson}:pre_tool_use:1:0"]\ntrusted_hash = "sha256:feed"\n`);
    assert.equal(cli(['hooks', 'uninstall', 'codex'], h, env).code, 0);
    assert.equal(readFileSync(join(codexHome, 'config.toml'), 'utf8'), `[hooks.state."${hooksJson}:pre_tool_use:0:0"]\ntrusted_hash = "sha256:feed"\n`);
    assert.deepEqual(JSON.parse(readFileSync(hooksJson, 'utf8')), { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ command: '/usr/local/bin/mine' }] }] } });
  });

  it('codex: a hook whose trust entry is missing is reported BROKEN (Codex would skip it silently)', () => {
    const h = freshHome();
    assert.equal(cli(['hooks', 'install', 'codex'], h).code, 0);
    writeFileSync(join(h.codex, 'config.toml'), '');
    const st = cli(['hooks', 'status', '--json'], h);
    assert.equal(st.code, 1);
    const row = (JSON.parse(st.stdout) as Array<{ agent: string; state: string; detail: string; trusted: boolean }>).find((r) => r.agent === 'codex')!;
    assert.equal(row.state, 'BROKEN');
    assert.equal(row.trusted, false);
    assert.match(row.detail, /not trusted/);
  });
});

/** A stand-in shim at <dir>/dist/cli.js answering every dialect according to `mode`. */
function fakeShim(mode: 'judge' | 'allow-all' | 'deny-all'): string {
  const dir = join(root, `fake-${mode}`, 'dist');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'cli.js');
  writeFileSync(
    file,
    `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const agent=process.argv[3];const p=JSON.parse(s);
const cmd=p.tool_input?.command??p.command??p.tool_call?.input?.commands?.[0]??p.preToolUse?.parameters?.command??(typeof p.toolArgs==='string'?JSON.parse(p.toolArgs):(p.toolArgs??{})).command??'';
const deny=${mode === 'deny-all' ? 'true' : mode === 'allow-all' ? 'false' : "/rm /.test(cmd)"};const why='fake shim';
const out={claude:{hookSpecificOutput:{hookEventName:'PreToolUse',permissionDecision:deny?'deny':'allow',permissionDecisionReason:why}},
codex:deny?{hookSpecificOutput:{hookEventName:'PreToolUse',permissionDecision:'deny',permissionDecisionReason:why}}:{},
copilot:{permissionDecision:deny?'deny':'allow',permissionDecisionReason:why},cursor:{permission:deny?'deny':'allow',agent_message:why},
gemini:{decision:deny?'deny':'allow',reason:why},cline:deny?{cancel:false,overrideInput:{airlock_denied:why}}:{cancel:false},
qwen:{decision:deny?'deny':'allow',reason:why},opencode:{decision:deny?'deny':'allow',reason:why},kilo:{decision:deny?'deny':'allow',reason:why}}[agent];
process.stdout.write(JSON.stringify(out));});`,
  );
  chmodSync(file, 0o755);
  return file;
}

describe('airlock hooks status (canary)', () => {
  it('reports MISSING for every agent before install, and exits 0', () => {
    const h = freshHome();
    const r = cli(['hooks', 'status', '--json'], h);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{ agent: string; state: string }>;
    assert.deepEqual(rows.map((x) => x.agent).sort(), [...AGENTS].sort());
    assert.ok(rows.every((x) => x.state === 'MISSING'));
  });

  const ctxFor = (h: { home: string; ah: string; proj: string }, cliPath: string): InstallerContext => ({ home: h.home, airlockHome: h.ah, projectDir: h.proj, nodePath: process.execPath, cliPath, env: { PATH: process.env.PATH } });

  it('OK when the installed command denies the destructive probe and lets a read through, in every dialect', async () => {
    const h = freshHome();
    const ctx = ctxFor(h, fakeShim('judge'));
    for (const a of AGENTS) install(a, 'user', ctx);
    const rows = await status(ctx);
    for (const r of rows) assert.equal(r.state, 'OK', `${r.agent}: ${r.detail}`);
  });

  it('BROKEN when the hook lets the probe through, or when it blocks everything (unless the kill switch is latched)', async () => {
    const h = freshHome();
    const open = ctxFor(h, fakeShim('allow-all'));
    for (const a of AGENTS) install(a, 'user', open);
    for (const r of await status(open)) {
      assert.equal(r.state, 'BROKEN', r.agent);
      assert.match(r.detail, /canary NOT denied/);
    }
    const h2 = freshHome();
    const shut = ctxFor(h2, fakeShim('deny-all'));
    for (const a of AGENTS) install(a, 'user', shut);
    for (const r of await status(shut)) assert.equal(r.state, 'BROKEN', r.agent);
    writeFileSync(join(h2.ah, 'killed'), '');
    for (const r of await status(shut)) {
      assert.equal(r.state, 'OK', r.agent);
      assert.match(r.detail, /kill switch/);
    }
  });

  it('with the real shim: `airlock hooks install all` then `airlock hooks status` passes every canary', (t) => {
    const probe = spawnSync(process.execPath, [CLI_JS, 'hook', 'claude'], { input: '{}', encoding: 'utf8', env: { PATH: process.env.PATH, HOME: root, AIRLOCK_HOME: join(root, 'probe-ah') } });
    if (/unknown command/.test(probe.stderr)) {
      t.skip('waiting for `airlock hook <agent>` (the shim) to land');
      return;
    }
    const h = freshHome();
    const inst = cli(['hooks', 'install', 'all'], h);
    assert.equal(inst.code, 0, inst.stderr);
    const st = cli(['hooks', 'status'], h);
    assert.equal(st.code, 0, st.stdout + st.stderr);
    assert.doesNotMatch(st.stdout, /BROKEN|MISSING/);
  });
});
