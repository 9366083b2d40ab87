/**
 * `airlock log` as a real process against a ledger written by real gate requests: runs, a run's
 * steps, the causal chain (--trace), text and --json. Builds dist/ first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { buildLedgerFixture, type Fixture } from '../support/ledgerFixture';
import { ROOT, runCli, tempDir } from '../support/gateway';
import { LogRunDetail, LogRuns } from '../../src/core/protocol/runLog';

const dir = tempDir('airlock-log-');
let f: Fixture;
const log = (...args: string[]) => runCli(['log', '--ledger', f.ledgerPath, ...args], { ...process.env, AIRLOCK_HOME: f.home, HOME: dir });

describe('airlock log', () => {
  before(async () => {
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'ignore' });
    f = await buildLedgerFixture(dir);
  });

  it('lists runs with agent, status, steps and denials (text and JSON)', async () => {
    const t = await log();
    assert.equal(t.code, 0, t.stderr);
    const lines = t.stdout.trim().split('\n');
    assert.match(lines[0]!, /^RUN\s+AGENT\s+STARTED\s+DURATION\s+STATUS\s+STEPS\s+DENIED\s+APPROVED\s+TOKENS\s+COST\s+SOURCE\s+MODELS/);
    // No usage recorded in this fixture: tokens and cost are unknown ("-"), never zero.
    assert.match(t.stdout, new RegExp(`${f.runA.slice(0, 8)}\\s+claude\\s+\\S+ \\S+\\s+\\S+\\s+active\\s+7\\s+2\\s+1\\s+-\\s+-\\s+unknown`));
    assert.match(t.stdout, new RegExp(`${f.runB.slice(0, 8)}\\s+codex\\s+\\S+ \\S+\\s+\\S+\\s+active\\s+1\\s+0\\s+0\\s+-\\s+-\\s+unknown`));
    const j = LogRuns.parse(JSON.parse((await log('--json')).stdout));
    assert.equal(j.runs.find((r) => r.id === f.runA)!.usage.costUsd, null);
    const a = j.runs.find((r) => r.id === f.runA)!;
    assert.deepEqual({ agent: a.agent, steps: a.steps, denials: a.denials, approvals: a.approvals, status: a.status }, { agent: 'claude', steps: 7, denials: 2, approvals: 1, status: 'active' });
  });

  it('a home where nothing was recorded yet: log, budget and export say so (not SQLite\'s "unable to open"), exit 1, and create nothing', async () => {
    const empty = tempDir('airlock-log-empty-');
    const env = { ...process.env, AIRLOCK_HOME: `${empty}/.airlock`, HOME: empty };
    for (const args of [['log'], ['log', '--json'], ['budget', 'show'], ['export', '--all', '--endpoint', 'http://127.0.0.1:9']]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /no ledger at .*\.airlock\/ledger\.sqlite: nothing has been recorded there yet/, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
      assert.equal(existsSync(`${empty}/.airlock/ledger.sqlite`), false, args.join(' '));
    }
  });

  it('--run (by prefix) lists the steps with decision, reversibility, rules, duration and outcome; secrets are masked', async () => {
    const t = await log('--run', f.runA.slice(0, 6));
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^3\s+DENY\s+irreversible\s+[\d.]+\s+-\s+-\s+Bash\s+rm -rf build$/m);
    assert.match(t.stdout, /rules: floor\.irreversible, run\.escalation, approval\.person/);
    assert.match(t.stdout, /PGPASSWORD=\*\*\* psql/);
    assert.ok(!t.stdout.includes('hunter2'));
    assert.match(t.stdout, /outcome: exit 2, error: psql: error: connection to server at "db" failed, 42 ms/);
    const j = LogRunDetail.parse(JSON.parse((await log('--run', f.runA, '--json')).stdout));
    assert.equal(j.run.id, f.runA);
    assert.deepEqual(j.steps.map((s: { seq: number }) => s.seq), [1, 3, 4, 6, 8, 10, 11]);
    const s4 = j.steps.find((s) => s.seq === 4)!;
    assert.deepEqual(s4.ledBy.escalationFrom, [3]);
    assert.equal(s4.ledBy.approval?.result, 'approved');
    assert.deepEqual(s4.outcome, { seq: 5, exitCode: 0, durationMs: 42, at: s4.outcome!.at });
    const s10 = j.steps.find((s) => s.seq === 10)!;
    assert.equal(s10.ledBy.duplicateOf, 8);
    assert.equal(s10.decision, 'deny');
    assert.equal(j.steps.find((s) => s.seq === 11)!.subagentId, 'sub-1');
  });

  it('--trace prints the causal chain: escalations, retries, approvals, outcomes linked to their step', async () => {
    const t = await log('--run', f.runA, '--trace');
    assert.equal(t.code, 0, t.stderr);
    const out = t.stdout;
    const block = (seq: number): string => out.slice(out.indexOf(`#${seq} `), out.indexOf('\n#', out.indexOf(`#${seq} `) + 1) >>> 0);
    assert.match(block(3), /agent says: clean the build output/);
    assert.match(block(3), /=> DENY \(irreversible\)/);
    assert.match(block(3), /approval: not approved: a person said no/);
    assert.match(block(4), /<- escalates denied step #3 \(rm -rf build\)/);
    assert.match(block(4), /approval: approved: approved by dana@example.com/);
    assert.match(block(4), /-> outcome \(step #5\): exit 0/);
    assert.match(block(10), /<- retry of step #8 \(touch new.txt, exit 0, 42 ms\)/);
    assert.match(out, /#11 Read \[sub-agent sub-1\]/);
  });

  it('bad usage and unknown runs fail with a reason', async () => {
    assert.equal((await log('--trace')).code, 2);
    const r = await log('--run', 'nope');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no run matching "nope"/);
    const missing = await runCli(['log', '--ledger', `${dir}/absent.sqlite`], { ...process.env, AIRLOCK_HOME: f.home, HOME: dir });
    assert.equal(missing.code, 1);
  });
});
