/**
 * `airlock mcp install|uninstall <agent>` through the built CLI on a temp HOME, CODEX_HOME and
 * project: each agent's file gets Airlock's server (absolute node + dist/cli.js mcp), a re-install
 * changes nothing, the person's other settings are untouched (indentation kept), and uninstall
 * returns the file byte for byte (or removes the file Airlock created).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, tempDir } from '../support/gateway';

const dir = tempDir('airlock-mcp-install-');
const home = join(dir, 'home');
const codexHome = join(dir, 'codex-home');
const project = join(dir, 'project');
for (const d of [home, codexHome, project]) mkdirSync(d, { recursive: true });
const env = { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: codexHome, AIRLOCK_HOME: join(dir, 'airlock') };

function airlock(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'mcp', ...args, '--project', project, '--json'], { env, encoding: 'utf8', cwd: project });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const put = (p: string, text: string): void => {
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
};

interface Case {
  agent: string;
  scope: 'user' | 'project';
  file: string;
  /** The person's existing config (undefined: no file). */
  original?: string;
  entry(text: string): unknown;
}

const json = (container: string) => (text: string): unknown => (JSON.parse(text) as Record<string, Record<string, unknown>>)[container]?.airlock;

const cases: Case[] = [
  { agent: 'claude', scope: 'project', file: join(project, '.mcp.json'), entry: json('mcpServers') },
  { agent: 'claude', scope: 'user', file: join(home, '.claude.json'), original: '{\n    "numStartups": 7,\n    "projects": {\n        "/x": {\n            "allowedTools": []\n        }\n    },\n    "mcpServers": {\n        "other": {\n            "command": "other-server"\n        }\n    }\n}\n', entry: json('mcpServers') },
  { agent: 'gemini', scope: 'user', file: join(home, '.gemini', 'settings.json'), original: '{\n  "theme": "Dracula",\n  "selectedAuthType": "oauth-personal"\n}', entry: json('mcpServers') },
  { agent: 'cursor', scope: 'user', file: join(home, '.cursor', 'mcp.json'), entry: json('mcpServers') },
  { agent: 'copilot', scope: 'project', file: join(project, '.vscode', 'mcp.json'), original: '{\n\t"inputs": [],\n\t"servers": {}\n}\n', entry: json('servers') },
  {
    agent: 'codex',
    scope: 'user',
    file: join(codexHome, 'config.toml'),
    original: 'model = "o3"\n\n[mcp_servers.other]\ncommand = "other"\nargs = []\n\n[hooks.state."x"]\ntrusted_hash = "sha256:1"\n',
    entry: (text) => {
      const m = /\[mcp_servers\.airlock\]\ncommand = ("[^"\n]*")\nargs = \[("[^"\n]*"), "mcp"\]/.exec(text);
      return m ? { command: JSON.parse(m[1]!) as string, cli: JSON.parse(m[2]!) as string } : undefined;
    },
  },
];

describe('airlock mcp install / uninstall (built CLI, temp HOME and CODEX_HOME)', () => {
  for (const c of cases) {
    it(`${c.agent} (${c.scope}): install, re-install unchanged, others untouched, uninstall restores`, () => {
      if (c.original !== undefined) put(c.file, c.original);
      const first = airlock('install', c.agent, '--scope', c.scope);
      assert.equal(first.status, 0, first.stderr);
      const out = JSON.parse(first.stdout) as { file: string; changed: boolean; backup?: string };
      assert.equal(out.file, c.file);
      assert.equal(out.changed, true);
      const text = readFileSync(c.file, 'utf8');
      const entry = c.entry(text) as Record<string, unknown> | undefined;
      assert.ok(entry, `no airlock server in ${text}`);
      if (c.agent === 'codex') assert.deepEqual(entry, { command: process.execPath, cli: CLI });
      else {
        assert.equal(entry.command, process.execPath);
        assert.deepEqual(entry.args, [CLI, 'mcp']);
        assert.deepEqual(entry.env, { AIRLOCK_HOME: env.AIRLOCK_HOME });
      }
      if (c.original !== undefined) {
        assert.ok(out.backup && readFileSync(out.backup, 'utf8') === c.original, 'a backup of the original');
        if (c.agent === 'codex') assert.ok(text.startsWith(c.original), 'the TOML before it is kept byte for byte');
        else {
          const before = JSON.parse(c.original) as Record<string, unknown>;
          const now = JSON.parse(text) as Record<string, unknown>;
          for (const k of Object.keys(before)) if (k !== 'mcpServers' && k !== 'servers') assert.deepEqual(now[k], before[k], `${k} untouched`);
          if (c.agent === 'claude') assert.deepEqual((now.mcpServers as Record<string, unknown>).other, { command: 'other-server' });
          const indent = /\n([ \t]+)"/.exec(c.original)![1];
          assert.ok(text.includes(`\n${indent}"`), 'indentation kept');
        }
      }
      const again = airlock('install', c.agent, '--scope', c.scope);
      assert.equal(again.status, 0, again.stderr);
      assert.equal((JSON.parse(again.stdout) as { changed: boolean }).changed, false);
      assert.equal(readFileSync(c.file, 'utf8'), text, 'byte-identical after re-install');
      const un = airlock('uninstall', c.agent, '--scope', c.scope);
      assert.equal(un.status, 0, un.stderr);
      assert.equal((JSON.parse(un.stdout) as { changed: boolean }).changed, true);
      if (c.original === undefined) assert.equal(existsSync(c.file), false, 'the file Airlock created is gone');
      else assert.equal(readFileSync(c.file, 'utf8'), c.original, 'restored byte for byte');
      const twice = airlock('uninstall', c.agent, '--scope', c.scope);
      assert.equal((JSON.parse(twice.stdout) as { changed: boolean }).changed, false);
    });
  }

  it('refuses to overwrite a foreign "airlock" server, a broken file, and unsupported scopes', () => {
    const f = join(project, '.cursor', 'mcp.json');
    put(f, '{"mcpServers":{"airlock":{"command":"someone-elses"}}}');
    const r = airlock('install', 'cursor', '--scope', 'project');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not Airlock's/);
    assert.equal(readFileSync(f, 'utf8'), '{"mcpServers":{"airlock":{"command":"someone-elses"}}}');
    put(f, '{ not json');
    assert.equal(airlock('install', 'cursor', '--scope', 'project').status, 1);
    assert.equal(readFileSync(f, 'utf8'), '{ not json');
    assert.equal(airlock('install', 'codex', '--scope', 'project').status, 1);
    assert.equal(airlock('install', 'copilot', '--scope', 'user').status, 1);
    assert.equal(airlock('install', 'nobody').status, 2);
    assert.deepEqual(readdirSync(join(project, '.cursor')), ['mcp.json']);
  });
});
