/** Helpers for gateway tests: temp Airlock homes, raw loopback requests, spawning the built CLI. */
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export function tempDir(prefix: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

export interface RawResponse {
  status: number;
  body: string;
}

/** One HTTP request with full control over the headers (Host, Origin, Authorization). */
export function raw(url: string, o: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(u.port), method: o.method ?? 'POST', path: o.path, agent: false, headers: { host: `127.0.0.1:${u.port}`, ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve({ status: -1, body: e.code }) : reject(e)));
    req.end(o.body);
  });
}

export interface Proc {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run the built CLI to completion with `input` on stdin. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, input = '', cwd = ROOT): Promise<Proc> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
    p.stdin.end(input);
  });
}

export interface ServeProc {
  ready: { bridge: string; otlp: string; ledger: string; discovery: string };
  child: ReturnType<typeof spawn>;
  stderr: () => string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. */
  stop: () => Promise<void>;
}

/** Start `airlock serve` as a real child process and wait for its JSON line. */
export function startServe(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<ServeProc> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not become ready: ${err}`)), 15_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const stop = async (): Promise<void> => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(t);
        };
        resolve({ ready: JSON.parse(out.slice(0, nl)), child, stderr: () => err, exited, stop });
      } catch (e) {
        reject(e);
      }
    });
    void exited.then((code) => reject(new Error(`serve exited early (${code}): ${err}`)));
  });
}
