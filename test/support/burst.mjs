// A burst of hook requests from a separate process (used by the crash-safety test).
// usage: node burst.mjs <discovery.json> <out.jsonl> <count> <concurrency> <workspace>
// Every response received is appended to <out.jsonl> synchronously, one JSON line, so what this
// process saw survives whatever happens to the gate.
import { appendFileSync, readFileSync } from 'node:fs';
import { request } from 'node:http';

const [discoveryPath, out, countArg, concArg, ws] = process.argv.slice(2);
const d = JSON.parse(readFileSync(discoveryPath, 'utf8'));
const u = new URL(d.url);
const count = Number(countArg);
const conc = Number(concArg);

function post(body) {
  return new Promise((resolve) => {
    const text = JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port: Number(u.port), method: 'POST', path: '/v1/hook', agent: false, headers: { host: `127.0.0.1:${u.port}`, authorization: `Bearer ${d.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let s = '';
      res.on('data', (c) => (s += c));
      res.on('end', () => resolve({ status: res.statusCode, body: s }));
      res.on('error', () => resolve({ status: -1 }));
    });
    req.on('error', () => resolve({ status: -1 }));
    req.end(text);
  });
}

let next = 0;
let failures = 0;
async function worker() {
  while (next < count && failures < 50) {
    const i = next++;
    const action = i % 3 === 0
      ? { kind: 'file', op: 'create', path: `${ws}/f${i}.txt`, cwd: ws, workspaceRoots: [ws], content: `token=secret${i}` }
      : { kind: 'shell', command: `echo ${i}`, cwd: ws, workspaceRoots: [ws] };
    const r = await post({ agent: 'claude', event: 'pre', sessionId: `burst-${i % 4}`, toolName: action.kind === 'file' ? 'Write' : 'Bash', toolUseId: `tu-${i}`, action, deadlineMs: 10000 });
    if (r.status !== 200) {
      failures++;
      continue;
    }
    const b = JSON.parse(r.body);
    appendFileSync(out, `${JSON.stringify({ i, stepId: b.stepId, runId: b.runId, decision: b.decision, rules: b.rules })}\n`);
  }
}
await Promise.all(Array.from({ length: conc }, worker));
