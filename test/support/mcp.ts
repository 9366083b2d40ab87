/** Helpers for MCP tests: the official SDK client against the built `airlock mcp`, envelope parsing, ledger rows. */
import { createRequire } from 'node:module';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type BetterSqlite3 from 'better-sqlite3';
import { envelopeSchema } from '../../src/core/tools/contract';
import { z } from 'zod';
import { hashOf } from '../../src/core/hash';
import type { ApprovalAnswer, ApprovalRequest, Approver } from '../../src/core/run/approver';
import { CLI } from './gateway';

export interface McpSession {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

/** Start `node dist/cli.js mcp <args>` and connect the official MCP client over stdio. */
export async function connectAirlock(args: string[], env: Record<string, string>, setup?: { capabilities?: ConstructorParameters<typeof Client>[1] extends infer O ? O extends { capabilities?: infer C } ? C : never : never; configure?: (c: Client) => void }): Promise<McpSession> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', ...args], env, stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const client = new Client({ name: 'airlock-test', version: '1.0.0' }, { capabilities: setup?.capabilities ?? {} });
  setup?.configure?.(client);
  await client.connect(transport);
  return { client, stderr: () => err, close: () => client.close() };
}

export const AnyEnvelope = envelopeSchema(z.unknown());
export type AnyEnvelope = z.infer<typeof AnyEnvelope>;

/** The Airlock envelope of a tools/call result; checks text and structuredContent agree. */
export function envelopeOf(r: unknown): AnyEnvelope {
  const res = r as { content: { type: string; text?: string }[]; structuredContent?: unknown; isError?: boolean };
  const text = res.content.find((c) => c.type === 'text')?.text;
  if (text === undefined) throw new Error(`no text content in ${JSON.stringify(r)}`);
  const env = AnyEnvelope.parse(JSON.parse(text));
  if (res.structuredContent !== undefined && JSON.stringify(res.structuredContent) !== JSON.stringify(JSON.parse(text))) throw new Error('structuredContent and text differ');
  if (Boolean(res.isError) === env.ok) throw new Error(`isError=${res.isError} but ok=${env.ok}`);
  return env;
}

export function openDb(path: string): BetterSqlite3.Database {
  const Database = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
  return new Database(path, { readonly: true, fileMustExist: true });
}

export interface LedgerStep {
  tool: string;
  event: string;
  decision: string;
  agent: string;
  outcome_json: string | null;
  action_json: string | null;
  description: string | null;
}

export function ledgerSteps(path: string): LedgerStep[] {
  const db = openDb(path);
  try {
    return db.prepare('SELECT tool, event, decision, agent, outcome_json, action_json, description FROM steps ORDER BY rowid').all() as LedgerStep[];
  } finally {
    db.close();
  }
}

export function cleanEnv(home: string, airlockHome: string): Record<string, string> {
  const keep = ['PATH', 'LANG', 'TMPDIR'];
  const env: Record<string, string> = { HOME: home, AIRLOCK_HOME: airlockHome };
  for (const k of keep) if (process.env[k]) env[k] = process.env[k]!;
  return env;
}

/** A deliberate test approver: records every ask and allows it (a person clicking Approve on what was shown). */
export class AllowingTestApprover implements Approver {
  readonly asked: ApprovalRequest[] = [];
  async request(req: ApprovalRequest): Promise<ApprovalAnswer> {
    this.asked.push(req);
    return { decision: 'allow', by: 'test approver', actionHash: req.action ? hashOf(req.action) : '' };
  }
  denyAll(): void {}
  pending(): number {
    return 0;
  }
}
