/**
 * `airlock status [--json]`: asks the running gate (discovery file in Airlock's home) for its health:
 * mode, pending asks, kill switch, ledger integrity, and which policy files are in force and which
 * wait for a person's acceptance (and what in them is ignored until then). Exit 1 when no gate runs.
 */
import { request } from 'node:http';
import { strictArgs } from './usageError';

export async function runStatus(argv: string[]): Promise<number> {
  const { values } = strictArgs('status', argv, { json: { type: 'boolean' } });
  const json = values.json === true;
  const { discoveryPath, readDiscovery } = await import('../node/bridge/discovery');
  const d = readDiscovery(discoveryPath());
  if (!d.ok) {
    process.stderr.write('airlock: no gate is running (no discovery file): start the editor or `airlock serve`\n');
    return 1;
  }
  const u = new URL(d.discovery.url);
  const res = await new Promise<{ status: number; body: string } | { error: string }>((done) => {
    const req = request({ host: '127.0.0.1', port: Number(u.port), path: '/v1/health', method: 'GET', headers: { authorization: `Bearer ${d.discovery.token}` }, timeout: 3000 }, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => done({ status: r.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => done({ error: e.message }));
    req.end();
  });
  if ('error' in res || res.status !== 200) {
    process.stderr.write(`airlock: the gate at ${d.discovery.url} did not answer (${'error' in res ? res.error : `HTTP ${res.status}`})\n`);
    return 1;
  }
  const h = JSON.parse(res.body) as Record<string, unknown> & { gatedAgents?: string[]; policies?: Array<{ path: string | null; workspace: string | null; hash: string; state: string; waiting: string[]; warnings: string[] }> };
  if (json) {
    process.stdout.write(`${JSON.stringify({ gate: d.discovery.url, ...h })}\n`);
    return 0;
  }
  process.stdout.write(`gate ${d.discovery.url} (pid ${String(h.pid)}, ${String(h.mode)}): ${h.killed ? 'KILL SWITCH LATCHED' : h.paused ? `paused: ${String(h.paused)}` : 'armed'}, ${String(h.pending)} pending ask(s), ledger ${h.ledgerIntact ? 'intact' : 'NOT intact (airlock verify)'}\n`);
  if (h.gatedAgents) process.stdout.write(`gated agents (Airlock hooks installed): ${h.gatedAgents.length ? h.gatedAgents.join(', ') : 'none'}; another agent CLI started in an unguarded mode is denied\n`);
  for (const p of h.policies ?? []) {
    const where = p.path ?? `no workspace policy${p.workspace ? ` in ${p.workspace}` : ''} (user policy and baseline)`;
    process.stdout.write(`policy ${p.state === 'waiting' ? 'WAITING FOR ACCEPTANCE' : p.state === 'none' ? 'none' : 'in force'}: ${where}  [hash ${p.hash.slice(0, 12)}]\n`);
    for (const w of p.waiting) process.stdout.write(`    ignored until a person accepts this exact file: ${w}\n`);
    for (const w of p.warnings) process.stdout.write(`    warning: ${w}\n`);
  }
  return 0;
}
