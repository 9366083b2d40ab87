/**
 * MCP figures for `npm run bench`: the overhead of a gated Airlock MCP call over doing the same
 * operation directly (read a file and hash it; write a file), median and p99:
 *   - direct:      readFileSync + sha256 in this process;
 *   - gated:       ToolRunner.call('read_file') in process (parse, gate: judge + ledger pre/post, envelope check);
 *   - over stdio:  the official MCP client -> `node dist/cli.js mcp` (JSON-RPC framing + the gated call).
 * Interleaved (direct, gated, stdio per round) so machine noise hits all three alike.
 *
 * Hook into bench/run.ts:  `import { mcpFigures, mcpMarkdown } from './mcp';`
 *   const mcp = await mcpFigures();  ... lines.push(...mcpMarkdown(mcp));
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { openAirlockMcp } from '../src/node/mcp/start';

const root = join(__dirname, '..');
const CLI = join(root, 'dist', 'cli.js');

export interface Series {
  median: number;
  p99: number;
  n: number;
}
export interface McpFigures {
  read: { direct: Series; gated: Series; stdio: Series };
  write: { direct: Series; gated: Series; stdio: Series };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const series = (xs: number[]): Series => ({ median: pct(xs, 50), p99: pct(xs, 99), n: xs.length });
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

export async function mcpFigures(rounds = 300): Promise<McpFigures> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-bench-mcp-')));
  const ws = join(dir, 'ws');
  const home = join(dir, 'airlock');
  mkdirSync(ws, { recursive: true });
  const file = join(ws, 'data.txt');
  writeFileSync(file, 'x'.repeat(4096));
  // A benchmark makes hundreds of calls with no person in between: raise that loop signal's limit
  // in both homes' user policy (the default, 100, would pause the run midway).
  const benchPolicy = JSON.stringify({ version: 1, loops: { maxCallsWithoutPerson: 100000, sameCallInARow: 1000 } });
  for (const h of [home, join(dir, 'airlock-stdio')]) {
    mkdirSync(h, { recursive: true, mode: 0o700 });
    writeFileSync(join(h, 'policy.json'), benchPolicy);
  }
  const mcp = await openAirlockMcp({ home, discoveryPath: join(home, 'bridge.json'), workspaceRoots: [ws], mode: 'ci', gate: 'local', askTimeoutMs: 5000, sessionId: 'bench', log: () => undefined });
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir, AIRLOCK_HOME: join(dir, 'airlock-stdio') };
  const client = new Client({ name: 'airlock-bench', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--ci', '--gate', 'local', '--workspace', ws], env, stderr: 'ignore' }));
  const out = { read: { direct: [] as number[], gated: [] as number[], stdio: [] as number[] }, write: { direct: [] as number[], gated: [] as number[], stdio: [] as number[] } };
  try {
    for (let i = -20; i < rounds; i++) {
      const keep = i >= 0; // the first 20 rounds warm up
      let t = process.hrtime.bigint();
      createHash('sha256').update(readFileSync(file)).digest('hex');
      if (keep) out.read.direct.push(ms(t));
      t = process.hrtime.bigint();
      const g = await mcp.runner.call('read_file', { path: file });
      if (keep) out.read.gated.push(ms(t));
      if (!g.ok) throw new Error(`gated read failed: ${JSON.stringify(g)}`);
      t = process.hrtime.bigint();
      const r = await client.callTool({ name: 'read_file', arguments: { path: file } });
      if (keep) out.read.stdio.push(ms(t));
      if (r.isError) throw new Error(`stdio read failed: ${JSON.stringify(r)}`);
      // Writes: a new file each time (create = reversible, allowed), unique key so nothing replays.
      t = process.hrtime.bigint();
      writeFileSync(join(ws, `d${i}.txt`), 'y');
      if (keep) out.write.direct.push(ms(t));
      t = process.hrtime.bigint();
      const gw = await mcp.runner.call('write_file', { path: join(ws, `g${i}.txt`), content: 'y', expectedSha256: null });
      if (keep) out.write.gated.push(ms(t));
      if (!gw.ok) throw new Error(`gated write failed: ${JSON.stringify(gw)}`);
      t = process.hrtime.bigint();
      const sw = await client.callTool({ name: 'write_file', arguments: { path: join(ws, `s${i}.txt`), content: 'y', expectedSha256: null } });
      if (keep) out.write.stdio.push(ms(t));
      if (sw.isError) throw new Error(`stdio write failed: ${JSON.stringify(sw)}`);
    }
  } finally {
    await client.close();
    await mcp.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    read: { direct: series(out.read.direct), gated: series(out.read.gated), stdio: series(out.read.stdio) },
    write: { direct: series(out.write.direct), gated: series(out.write.gated), stdio: series(out.write.stdio) },
  };
}

export function mcpMarkdown(f: McpFigures): string[] {
  const row = (op: string, name: string, s: Series, direct: Series): string => `| ${op} | ${name} | ${s.median.toFixed(3)} | ${s.p99.toFixed(3)} | ${(s.median - direct.median).toFixed(3)} | ${s.n} |`;
  return [
    '## Gated MCP call overhead',
    '',
    'The same operation done directly, through Airlock\'s tool runner in process (parse, gate: judge + ledger pre/post, envelope check), and through the official MCP client over stdio to `airlock mcp`. Interleaved rounds, ms.',
    '',
    '| operation | path | median | p99 | median overhead vs direct | n |',
    '|---|---|---|---|---|---|',
    row('read 4 KiB + sha256', 'direct', f.read.direct, f.read.direct),
    row('read 4 KiB + sha256', 'gated (in process)', f.read.gated, f.read.direct),
    row('read 4 KiB + sha256', 'MCP stdio', f.read.stdio, f.read.direct),
    row('create file', 'direct', f.write.direct, f.write.direct),
    row('create file', 'gated (in process)', f.write.gated, f.write.direct),
    row('create file', 'MCP stdio', f.write.stdio, f.write.direct),
    '',
  ];
}

if (require.main === module) {
  void mcpFigures(Number(process.argv[2] ?? 300)).then((f) => process.stdout.write(`${mcpMarkdown(f).join('\n')}\n`));
}
