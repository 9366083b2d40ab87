/**
 * `npm start` when no editor can start: no desktop VS Code on PATH and code-server cannot be set up
 * (here: node-gyp's toolchain is missing, with an empty e2e cache). It must say exactly why, then run
 * the terminal demo and exit 0; with --check the same situation is a failure (exit 1).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../support/gateway';

const HIDE = new Set(['make', 'g++', 'c++', 'gcc', 'cc', 'clang', 'clang++', 'code', 'code-insiders', 'codium', 'code-server']);

/** A PATH with every program of ours except the toolchain and any desktop VS Code. */
function pathWithout(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  for (const d of (process.env.PATH ?? '').split(':')) {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) {
      if (seen.has(n) || HIDE.has(n) || /^(x86_64|aarch64)-.*-(gcc|g\+\+|cc|c\+\+)(-\d+)?$/.test(n) || /^(gcc|g\+\+|cc|c\+\+)-\d+$/.test(n)) continue;
      try {
        if (!statSync(join(d, n)).isFile()) continue;
      } catch {
        continue;
      }
      seen.add(n);
      symlinkSync(join(d, n), join(dir, n));
    }
  }
  return dir;
}

describe('npm start falls back to the terminal demo when no editor can start', { timeout: 300_000 }, () => {
  const base = tempDir('airlock-start-fallback-');
  const env = { ...process.env, PATH: pathWithout(join(base, 'bin')), AIRLOCK_E2E_CACHE: join(base, 'e2e-cache') };

  it('says why for each editor, then shows the demo (exit 0)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], { cwd: ROOT, env, encoding: 'utf8', timeout: 240_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(out, /npm start: no editor could start:/);
    assert.match(out, /desktop VS Code: none of `code`, `code-insiders`, `codium` is on PATH/);
    assert.match(out, /code-server: setting up code-server failed: node-gyp needs make, a C\+\+ compiler/);
    assert.match(out, /showing the terminal demo instead \(npm run demo\)/);
    // The demo itself ran: the gate's real decisions.
    assert.match(r.stdout, /DENY.*terraform destroy -auto-approve/);
    assert.match(r.stdout, /\d+ allowed, \d+ asked, \d+ denied/);
  });

  it('with --check the fallback is a failure (exit 1), still saying why', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--check'], { cwd: ROOT, env, encoding: 'utf8', timeout: 240_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 1, out);
    assert.match(out, /code-server: setting up code-server failed: node-gyp needs/);
    assert.match(out, /--check: falling back to the terminal demo counts as a failure/);
    assert.doesNotMatch(r.stdout, /allowed, \d+ asked/);
  });
});
