/**
 * A real SQLite ledger with one large run, written through the real Ledger (hash chain, one
 * transaction per step), for the panel's query tests, browser tests and bench. Returns what it
 * wrote, so tests compare query results with ground truth instead of with the query's own logic.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ledger } from '../../src/node/ledger/ledger';

export interface WrittenStep {
  seq: number;
  tool: string;
  kind: string;
  text: string;
  decision: 'allow' | 'deny';
  asked: boolean;
  approvedBy: string | null;
  reversibility: string;
  hasOutcome: boolean;
}

export interface PanelFixture {
  path: string;
  bigRun: string;
  smallRun: string;
  steps: WrittenStep[];
  needleSeq: number;
}

const REVS = ['read', 'reversible', 'recoverable', 'irreversible', 'unknown'] as const;

/** Step i of the big run: varied kinds, decisions, reversibilities; deterministic. */
function stepFor(i: number): Omit<WrittenStep, 'seq' | 'hasOutcome'> & { action: Record<string, unknown> } {
  const rev = REVS[i % 5]!;
  const asked = i % 7 === 3;
  const deny = i % 10 === 9 || (asked && i % 2 === 0);
  const approvedBy = asked && !deny ? (i % 3 === 0 ? 'alice' : 'bob') : null;
  switch (i % 5) {
    case 0: {
      const text = i === 77_775 ? 'grep -r needle-xyz src' : `cat src/file${i}.ts`;
      return { tool: 'Bash', kind: 'shell', text, decision: deny ? 'deny' : 'allow', asked, approvedBy, reversibility: rev, action: { kind: 'shell', command: text, cwd: '/w', workspaceRoots: ['/w'] } };
    }
    case 1:
      return { tool: 'Write', kind: 'file', text: `write /w/src/gen${i}.ts`, decision: deny ? 'deny' : 'allow', asked, approvedBy, reversibility: rev, action: { kind: 'file', op: 'write', path: `/w/src/gen${i}.ts`, cwd: '/w', workspaceRoots: ['/w'], content: `export const x${i} = ${i};\n` } };
    case 2:
      return { tool: 'mcp__db__query', kind: 'sql', text: `DELETE FROM t${i % 50} WHERE id = ${i}`, decision: deny ? 'deny' : 'allow', asked, approvedBy, reversibility: rev, action: { kind: 'sql', sql: `DELETE FROM t${i % 50} WHERE id = ${i}`, dialect: 'postgres' } };
    case 3:
      return { tool: 'WebFetch', kind: 'http', text: `GET https://example.com/${i}`, decision: deny ? 'deny' : 'allow', asked, approvedBy, reversibility: rev, action: { kind: 'http', method: 'GET', url: `https://example.com/${i}` } };
    default:
      return { tool: 'mcp__fs__move', kind: 'mcp', text: `fs · move`, decision: deny ? 'deny' : 'allow', asked, approvedBy, reversibility: rev, action: { kind: 'mcp', server: 'fs', tool: 'move', args: { from: `a${i}`, to: `b${i}` } } };
  }
}

export function buildPanelLedger(path: string, n: number): PanelFixture {
  const ledger = Ledger.open(path);
  try {
    const t = '2026-01-01T00:00:00.000Z';
    const small = ledger.runFor('codex', 'small-session', '2026-01-02T00:00:00.000Z');
    for (let i = 0; i < 3; i++) {
      ledger.appendStep({ runId: small.id, event: 'pre', agent: 'codex', sessionId: 'small-session', tool: 'shell', kind: 'shell', action: { kind: 'shell', command: `ls ${i}`, cwd: '/w', workspaceRoots: ['/w'] }, actionHash: `h${i}`, decision: 'allow', reversibility: 'read', reasons: ['read only'], rules: [], effects: [], policyHash: 'p', startedAt: t, decidedAt: t, durationUs: 10 });
    }
    const big = ledger.runFor('claude', 'big-session', t);
    const steps: WrittenStep[] = [];
    for (let i = 0; i < n; i++) {
      const s = stepFor(i);
      const reasons = [`${s.reversibility} step ${i}`, ...(s.approvedBy ? [`approved by ${s.approvedBy}`] : []), ...(s.asked && !s.approvedBy ? ['rejected in VS Code'] : [])];
      const rules = [...(s.decision === 'deny' && !s.asked ? ['baseline.deny-something'] : []), ...(s.asked ? [s.approvedBy ? 'approval.person' : 'approval.none'] : [])];
      const row = ledger.appendStep({
        runId: big.id, event: 'pre', agent: 'claude', sessionId: 'big-session', tool: s.tool, kind: s.kind, action: s.action, actionHash: `hash${i}`,
        decision: s.decision, reversibility: s.reversibility, reasons, rules,
        effects: [{ kind: 'write', reversibility: s.reversibility, detail: `effect of step ${i}`, target: `/w/${i}` }],
        policyHash: 'policy', startedAt: new Date(Date.parse(t) + i * 1000).toISOString(), decidedAt: t, durationUs: 100 + (i % 50),
        ...(i % 11 === 0 ? { subagentId: 'sub-1' } : {}),
      });
      const hasOutcome = i % 4 === 0 && s.decision === 'allow';
      if (hasOutcome) {
        ledger.appendStep({ runId: big.id, event: 'post', refSeq: row.seq, agent: 'claude', sessionId: 'big-session', tool: s.tool, decision: 'outcome', reversibility: 'n/a', reasons: [], rules: [], effects: [], policyHash: 'policy', startedAt: t, decidedAt: t, durationUs: 5, outcome: { exitCode: i % 8 === 0 ? 0 : 1, durationMs: i % 100 } });
      }
      steps.push({ seq: row.seq, tool: s.tool, kind: s.kind, text: s.text, decision: s.decision, asked: s.asked, approvedBy: s.approvedBy, reversibility: s.reversibility, hasOutcome });
    }
    return { path, bigRun: big.id, smallRun: small.id, steps, needleSeq: steps[77_775]?.seq ?? -1 };
  } finally {
    ledger.close();
  }
}

/**
 * The fixture, built once per version of the ledger and fixture code (writing 100,000 steps through
 * the real Ledger takes tens of seconds on a shared machine) and copied into `dir` for each use.
 * The cache lives in .cache/ (git-ignored); the copy is what the test reads, so no test shares state.
 */
export function cachedPanelLedger(dir: string, n: number): PanelFixture {
  const root = join(__dirname, '..', '..');
  const key = createHash('sha256')
    .update(readFileSync(join(root, 'src/node/ledger/ledger.ts')))
    .update(readFileSync(__filename))
    .update(String(n))
    .digest('hex')
    .slice(0, 16);
  const cacheDir = join(root, '.cache', 'panel-fixture');
  const db = join(cacheDir, `${key}.db`);
  const meta = join(cacheDir, `${key}.json`);
  if (!existsSync(db) || !existsSync(meta)) {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = join(cacheDir, `${key}.${process.pid}.tmp.db`);
    const f = buildPanelLedger(tmp, n);
    // Fold the WAL into the main file so one file is the whole ledger.
    const require = createRequire(__filename);
    const Sqlite = require('better-sqlite3') as typeof import('better-sqlite3');
    const h = new Sqlite(tmp);
    h.pragma('wal_checkpoint(TRUNCATE)');
    h.close();
    renameSync(tmp, db);
    for (const ext of ['-wal', '-shm']) rmSync(tmp + ext, { force: true });
    writeFileSync(meta, JSON.stringify({ ...f, path: '' }));
  }
  const out = join(dir, 'ledger.db');
  copyFileSync(db, out);
  const f = JSON.parse(readFileSync(meta, 'utf8')) as PanelFixture;
  return { ...f, path: out };
}
