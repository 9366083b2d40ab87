/**
 * `airlock mcp` (Airlock's own MCP server, or with --wrap a gated proxy in front of another MCP
 * server) and `airlock dlq list|retry|discard` (dead letters of Airlock's own side effects).
 * Wiring only: the behaviour lives in src/node/mcp and src/node/ledger/idempotency.ts.
 */
import { resolve } from 'node:path';
import { strictArgs, UsageError } from './usageError';
import { COMMANDS } from './commands';
import { airlockHome } from '../node/environment';
import { discoveryPath } from '../node/bridge/discovery';

const log = (line: string): void => {
  process.stderr.write(`airlock mcp: ${line}\n`);
};

export const MCP_USAGE = COMMANDS.mcp!.usage;

export interface McpArgs {
  http?: number;
  workspaces: string[];
  policy?: string;
  ledger?: string;
  ci: boolean;
  gate: 'auto' | 'local' | 'bridge';
  askTimeoutMs: number;
  dbs: { name: string; url: string; readOnly: boolean }[];
  wrap?: string[];
  name?: string;
}

export function parseMcpArgs(argv: string[]): McpArgs {
  const w = argv.indexOf('--wrap');
  const own = w >= 0 ? argv.slice(0, w) : argv;
  let wrapped: string[] | undefined;
  let name: string | undefined;
  if (w >= 0) {
    let rest = argv.slice(w + 1);
    if (rest[0] === '--name') {
      name = rest[1];
      if (!name || !/^[\w.-]{1,64}$/.test(name)) throw new UsageError('--name takes a short server name (letters, digits, _ . -)');
      rest = rest.slice(2);
    }
    if (rest[0] === '--') rest = rest.slice(1);
    if (rest.length === 0) throw new UsageError('--wrap needs the command that starts the MCP server');
    wrapped = rest;
  }
  const { values } = strictArgs('mcp', own, {
    http: { type: 'string' },
    workspace: { type: 'string', multiple: true },
    policy: { type: 'string' },
    ledger: { type: 'string' },
    ci: { type: 'boolean' },
    gate: { type: 'string' },
    'ask-timeout-ms': { type: 'string' },
    db: { type: 'string', multiple: true },
    'db-read-only': { type: 'string', multiple: true },
  });
  const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const gate = typeof values.gate === 'string' ? values.gate : 'auto';
  if (gate !== 'auto' && gate !== 'local' && gate !== 'bridge') throw new UsageError('--gate takes auto, local or bridge');
  let askTimeoutMs = 120_000;
  if (typeof values['ask-timeout-ms'] === 'string') {
    askTimeoutMs = Number(values['ask-timeout-ms']);
    if (!Number.isInteger(askTimeoutMs) || askTimeoutMs < 100 || askTimeoutMs > 600_000) throw new UsageError('--ask-timeout-ms takes 100-600000');
  }
  const readOnly = new Set(strs(values['db-read-only']));
  const dbs = strs(values.db).map((spec) => {
    const eq = spec.indexOf('=');
    // A bare NAME: a connection saved with `airlock db add` (its URL is read at start).
    if (eq < 0 && /^[A-Za-z][\w.-]{0,63}$/.test(spec)) return { name: spec, url: '', readOnly: readOnly.has(spec) };
    const n = spec.slice(0, eq);
    if (eq <= 0 || !/^[\w.-]{1,200}$/.test(n)) throw new UsageError('--db takes NAME=URL (sqlite:///abs/path.db or postgres://...) or the NAME of a connection saved with airlock db add');
    return { name: n, url: spec.slice(eq + 1), readOnly: readOnly.has(n) };
  });
  for (const r of readOnly) if (!dbs.some((d) => d.name === r)) throw new UsageError(`--db-read-only ${r}: no --db ${r}=URL`);
  if (new Set(dbs.map((d) => d.name)).size !== dbs.length) throw new UsageError('--db: each connection name once');
  const out: McpArgs = { workspaces: strs(values.workspace), ci: values.ci === true, gate, askTimeoutMs, dbs };
  if (typeof values.http === 'string') {
    const p = Number(values.http);
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new UsageError('--http takes a port number (0-65535; 0 picks a free one)');
    out.http = p;
  }
  if (typeof values.policy === 'string') out.policy = values.policy;
  if (typeof values.ledger === 'string') out.ledger = values.ledger;
  if (wrapped) out.wrap = wrapped;
  if (name) out.name = name;
  return out;
}

/** --db connections plus those of AIRLOCK_DB_CONNECTIONS (taken out of this process's environment). */
async function specsWithEnv(fromArgs: McpArgs['dbs']): Promise<McpArgs['dbs']> {
  const { takeConnectionsFromEnv, mergeSpecs } = await import('../node/db/connections');
  const { savedSpec } = await import('../node/db/credentialFile');
  try {
    const resolved = fromArgs.map((d) => (d.url === '' ? savedSpec(airlockHome(), d.name, d.readOnly) : d));
    return mergeSpecs(resolved, takeConnectionsFromEnv(process.env));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export async function runMcp(argv: string[]): Promise<number> {
  if (argv[0] === 'install' || argv[0] === 'uninstall') return (await import('./mcpInstallCommand')).runMcpInstall(argv);
  const a = parseMcpArgs(argv);
  const [{ openAirlockMcp }, server, { openDatabases }] = await Promise.all([import('../node/mcp/start'), import('../node/mcp/server'), import('../node/mcp/databases')]);
  const home = airlockHome();
  const workspaceRoots = (a.workspaces.length ? a.workspaces : [process.cwd()]).map((w) => resolve(w));
  const sessionId = `mcp-${process.pid}-${Date.now().toString(36)}`;
  const specs = await specsWithEnv(a.dbs);
  // Per-run logins (policy databases.<name>.runLogin) are created for this run before any tool is served.
  const scopes = specs.length ? (await import('../node/policy/policyStore')).loadEffectivePolicy({ home, workspaceRoots, ...(a.policy ? { workspacePolicy: resolve(a.policy) } : {}) }).policy.databases : {};
  const databases = await openDatabases(specs, { scopes, runId: sessionId, log });
  const mcp = await openAirlockMcp({
    home,
    discoveryPath: resolve(discoveryPath()),
    workspaceRoots,
    mode: a.ci ? 'ci' : 'interactive',
    gate: a.gate,
    askTimeoutMs: a.askTimeoutMs,
    sessionId,
    databases,
    log,
    ...(a.ledger ? { ledgerPath: resolve(a.ledger) } : {}),
    ...(a.policy ? { workspacePolicy: resolve(a.policy) } : {}),
  });
  let closeProxy = async (): Promise<void> => undefined;
  let makeServer = () => server.createAirlockMcpServer(mcp.runner, mcp.gate.elicitation);
  if (a.wrap) {
    const { startProxy } = await import('../node/mcp/proxy');
    const proxy = await startProxy({ command: a.wrap, serverName: a.name ?? 'wrapped', gate: mcp.gate.gate, sessionId, workspaceRoots, askTimeoutMs: a.askTimeoutMs, log });
    makeServer = proxy.makeServer;
    closeProxy = proxy.close;
  }
  let stopped: Promise<unknown>;
  let closeHttp = async (): Promise<void> => undefined;
  if (a.http !== undefined) {
    const served = await server.serveHttp(makeServer, a.http, log);
    closeHttp = served.close;
    process.stdout.write(`${JSON.stringify({ mcp: served.url })}\n`);
    stopped = new Promise((r) => {
      process.once('SIGTERM', r);
      process.once('SIGINT', r);
    });
  } else {
    stopped = Promise.race([
      await server.serveStdio(makeServer()),
      new Promise((r) => {
        process.once('SIGTERM', r);
        process.once('SIGINT', r);
      }),
    ]);
  }
  const why = await stopped;
  log(`stopping (${typeof why === 'string' ? why : 'the client closed the connection'})`);
  await closeHttp();
  await closeProxy().catch(() => undefined);
  await mcp.close();
  return 0;
}

export async function runDlq(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'list' && sub !== 'retry' && sub !== 'discard') throw new UsageError(sub ? `airlock dlq: unknown subcommand ${sub} (list, retry, discard)` : 'airlock dlq: list, retry ID or discard ID');
  const { values, positionals } = strictArgs(
    `dlq ${sub}`,
    rest,
    sub === 'list' ? { all: { type: 'boolean' } } : sub === 'discard' ? { reason: { type: 'string' } } : { workspace: { type: 'string', multiple: true }, 'ask-timeout-ms': { type: 'string' }, db: { type: 'string', multiple: true } },
    sub !== 'list',
  );
  const { EffectStore } = await import('../node/ledger/idempotency');
  const { defaultPaths } = await import('../node/mcp/server');
  const home = airlockHome();
  const idOf = (): number => {
    const id = Number(positionals[0]);
    if (!Number.isInteger(id) || id <= 0 || positionals.length !== 1) throw new UsageError(`dlq ${sub}: give one dead-letter id`);
    return id;
  };
  if (sub === 'list') {
    const store = EffectStore.open(defaultPaths(home).effects);
    const letters = store.listDeadLetters({ status: values.all === true ? 'all' : 'dead' });
    store.close();
    process.stdout.write(`${JSON.stringify({ deadLetters: letters })}\n`);
    return 0;
  }
  if (sub === 'discard') {
    const store = EffectStore.open(defaultPaths(home).effects);
    const ok = store.discardDeadLetter(idOf(), typeof values.reason === 'string' ? values.reason.slice(0, 2000) : 'discarded from the command line');
    store.close();
    process.stdout.write(`${JSON.stringify({ discarded: ok })}\n`);
    return ok ? 0 : 1;
  }
  if (sub === 'retry') {
    const id = idOf();
    // The retry is gated like any call (headless: asked calls are denied at the deadline).
    const { openAirlockMcp, retryDeadLetter } = await import('../node/mcp/start');
    const { openDatabases } = await import('../node/mcp/databases');
    const store = EffectStore.open(defaultPaths(home).effects);
    const letter = store.getDeadLetter(id);
    store.close();
    if (!letter) throw new UsageError(`dlq retry: no dead letter ${id}`);
    const dbSpecs = parseMcpArgs((Array.isArray(values.db) ? (values.db as string[]) : []).flatMap((d) => ['--db', d])).dbs;
    const askTimeoutMs = typeof values['ask-timeout-ms'] === 'string' ? Number(values['ask-timeout-ms']) : 30_000;
    const mcp = await openAirlockMcp({ home, discoveryPath: resolve(discoveryPath()), workspaceRoots: (Array.isArray(values.workspace) ? (values.workspace as string[]) : [process.cwd()]).map((w) => resolve(w)), mode: 'interactive', gate: 'auto', askTimeoutMs, sessionId: `dlq-${process.pid}`, databases: await openDatabases(await specsWithEnv(dbSpecs)), log });
    const r = await retryDeadLetter(mcp, id);
    await mcp.close();
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return 'error' in r || r.letter.status !== 'retried' ? 1 : 0;
  }
  throw new UsageError('dlq: list, retry ID or discard ID');
}
