/**
 * The CLI explains itself, through the built dist/cli.js: every command and subcommand of the one
 * command table answers -h and --help with its usage on stdout and exit 0; --version and -V print
 * the version; an unknown option is an error on stderr (exit 2) that names the valid options, and
 * each option the parser accepts is documented in that command's usage text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands';
import { CLI_JS } from '../support/claudeRun';

const dir = mkdtempSync(join(tmpdir(), 'airlock-cli-help-'));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home'), AIRLOCK_HOME: join(dir, 'airlock') };
const run = (args: string[], input = '') => spawnSync(process.execPath, [CLI_JS, ...args], { env, encoding: 'utf8', input, timeout: 30_000 });

const paths: string[][] = Object.entries(COMMANDS).flatMap(([name, c]) => [[name], ...Object.keys(c.subcommands ?? {}).map((s) => [name, s])]);

describe('airlock --help, -h, --version (built CLI)', () => {
  it('the table has every command', () => {
    for (const c of ['check', 'policy', 'serve', 'hook', 'kill', 'unkill', 'hooks', 'mcp', 'approvals', 'dlq', 'undo', 'verify', 'log', 'export']) assert.ok(COMMANDS[c], c);
  });

  for (const p of paths) {
    for (const flag of ['--help', '-h']) {
      it(`airlock ${p.join(' ')} ${flag} prints its usage and exits 0`, () => {
        // The flag goes after a positional where a command takes one, to show it is found anywhere before `--`.
        const r = run([...p, ...(p[0] === 'hook' ? ['claude'] : []), flag]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stderr, '');
        const entry = p.length === 2 ? COMMANDS[p[0]!]!.subcommands![p[1]!]! : COMMANDS[p[0]!]!;
        assert.equal(r.stdout, `${entry.usage}\n`);
        assert.match(r.stdout, new RegExp(`airlock ${p.join(' ')}`));
      });
    }
  }

  it('airlock --help, -h and help list every command; help CMD prints its usage', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = run(args);
      assert.equal(r.status, 0);
      for (const c of Object.keys(COMMANDS)) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
    }
    assert.equal(run(['help', 'log']).stdout, `${COMMANDS.log!.usage}\n`);
    const bad = run(['help', 'nope']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown command nope/);
  });

  it('airlock --version and -V print the package version', () => {
    const version = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    for (const f of ['--version', '-V']) {
      const r = run([f]);
      assert.equal(r.status, 0);
      assert.equal(r.stdout, `airlock ${version} (node ${process.versions.node})\n`);
    }
  });

  it('-h after `--` belongs to the judged command line, not to airlock', () => {
    const r = run(['check', '--json', '--', 'ls', '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { decision: string }).decision, 'allow');
  });

  it('no command, an unknown command: stderr, exit 2, the command list', () => {
    for (const args of [[], ['frobnicate']]) {
      const r = run(args);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, args.length ? /unknown command: frobnicate/ : /no command given/);
      assert.match(r.stderr, /commands:/);
    }
  });

  for (const p of paths) {
    if (p[0] === 'unkill') continue; // takes nothing at all
    it(`airlock ${p.join(' ')} --bogus: stderr, exit 2, the valid options, each documented in its usage`, () => {
      const r = run([...p, ...(p[0] === 'hook' ? ['claude'] : []), '--bogus']);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      const subs = p.length === 1 ? Object.keys(COMMANDS[p[0]!]!.subcommands ?? {}) : [];
      if (subs.length && p[0] !== 'mcp') {
        assert.match(r.stderr, new RegExp(`unknown subcommand --bogus \\(${subs.join(', ')}\\)`));
        return;
      }
      const m = /unknown option --bogus \(valid options: ([^)]*)\)/.exec(r.stderr);
      assert.ok(m, r.stderr);
      const entry = p.length === 2 ? COMMANDS[p[0]!]!.subcommands![p[1]!]! : COMMANDS[p[0]!]!;
      for (const opt of m[1]!.split(', ')) {
        const name = opt.replace(/ VALUE$/, '').split('/').pop()!;
        assert.ok(entry.usage.includes(name) || name === '--help', `${p.join(' ')}: ${name} is accepted but not in its usage`);
      }
      // The usage of that command follows the error.
      assert.ok(r.stderr.includes(entry.usage), r.stderr);
    });
  }

  it('a bad value is an error that says what is valid', () => {
    const r = run(['check', '--dialect', 'oracle', '--sql', 'select 1']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--dialect must be one of postgres, sqlite, mysql/);
    const h = run(['hooks', 'install', 'nosuchagent']);
    assert.equal(h.status, 2);
    assert.match(h.stderr, /unknown agent nosuchagent \(claude, .*all\)/);
  });
});
