/**
 * The THREATS suite's probe helpers. Every probe names its class id as its first argument
 * (`probe('T40', …)`); test/unit/threatsDoc.spec.ts counts them per class and checks them against
 * docs/threats.md. Expectations:
 * - `allow` / `ask` / `deny`: exactly that decision;
 * - `stops`: ask or deny (the safe behaviour when either is acceptable: nothing runs unattended).
 * A probe whose rule another part of the product closes carries `todo: 'closed by … (owner)'`:
 * it runs and is reported, but does not fail the suite until that work lands.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Environment } from '../../src/core/paths';
import { judge, type Decision, type GateMode, type RunState } from '../../src/core/judge';
import { buildEffectivePolicy, type EffectivePolicy } from '../../src/core/policy/layers';
import { HOME, WS, tableFs, testEnv } from '../support/env';
import { sha256 } from '../../src/core/hash';
import type { FileRead, PathFacts } from '../../src/core/paths';

export { HOME, WS };
export type Expect = 'allow' | 'ask' | 'deny' | 'stops';

/** The workspace every in-process probe runs in: a few real-looking files and folders. */
export const FILES: Record<string, string> = {
  [`${WS}/src`]: 'dir',
  [`${WS}/src/app.ts`]: 'file',
  [`${WS}/src/auth.ts`]: 'file',
  [`${WS}/README.md`]: 'file',
  [`${WS}/package.json`]: 'file',
  [`${WS}/important.txt`]: 'file',
  [`${WS}/notes.txt`]: 'file',
  [`${WS}/build`]: 'dir',
  [`${WS}/dist`]: 'dir',
  [`${WS}/fix.patch`]: 'file',
  [`${WS}/.env`]: 'file',
  [`${WS}/.airlock`]: 'dir',
  [`${WS}/.airlock/policy.json`]: 'file',
  [`${WS}/.claude`]: 'dir',
  [`${WS}/.claude/settings.json`]: 'file',
  [`${WS}/.vscode`]: 'dir',
  [`${WS}/.git`]: 'dir',
  [`${WS}/.git/hooks`]: 'dir',
  [`${WS}/scripts`]: 'dir',
  [`${WS}/scripts/test.sh`]: 'file',
  [`${WS}/scripts/build.js`]: 'file',
  [`${WS}/requirements.txt`]: 'file',
  [`${WS}/package-lock.json`]: 'file',
  [`${WS}/node_modules`]: 'dir',
  [`${WS}/node_modules/.bin`]: 'dir',
  [`${WS}/node_modules/.bin/tsc`]: 'file',
  [`${WS}/node_modules/.bin/vitest`]: 'file',
  [`${WS}/node_modules/.bin/vite`]: 'file',
  [`${WS}/node_modules/.bin/eslint`]: 'file',
  [`${HOME}/.airlock`]: 'dir',
  [`${HOME}/.airlock/ledger.sqlite`]: 'file',
  [`${HOME}/.airlock/bridge.json`]: 'file',
  [`${HOME}/.ssh`]: 'dir',
  [`${HOME}/.ssh/id_ed25519`]: 'file',
  [`${HOME}/.aws`]: 'dir',
  [`${HOME}/.aws/credentials`]: 'file',
  [`${HOME}/.bashrc`]: 'file',
};

/**
 * What the probe workspace's files say, for the probes whose verdict depends on it (package scripts,
 * the declared Python dependencies, a workspace script): an ordinary web project. A file in FILES
 * without content here cannot be looked inside (unknown, fail closed), as on a real machine where
 * it is unreadable.
 */
export const CONTENT: Record<string, string> = {
  [`${WS}/package.json`]: JSON.stringify(
    {
      name: 'project',
      version: '1.4.0',
      private: true,
      scripts: { dev: 'vite', build: 'tsc -p . && vite build', test: 'vitest run', lint: 'eslint .', start: 'node scripts/build.js && node dist/server.js' },
      dependencies: { react: '^18.3.1' },
      devDependencies: { typescript: '^5.6.0', vite: '^5.4.0', vitest: '^2.1.0', eslint: '^9.0.0' },
    },
    null,
    2,
  ),
  [`${WS}/requirements.txt`]: 'django==5.1.2\npsycopg[binary]==3.2.3\npytest==8.3.3\n',
  [`${WS}/scripts/test.sh`]: '#!/bin/sh\nset -e\nnpx vitest run\n',
  [`${WS}/scripts/build.js`]: "const { execSync } = require('node:child_process');\nexecSync('tsc -p .', { stdio: 'inherit' });\n",
  [`${WS}/src/app.ts`]: 'export const app = () => 1;\n',
  [`${WS}/README.md`]: '# project\n',
};

/**
 * PathFacts of a table (tableFs) whose files in CONTENT can be read: the same errors as the node
 * port otherwise (a missing file is missing, a file without content here is unreadable).
 */
export function probeFs(entries: Record<string, string>, content: Record<string, string> = CONTENT): PathFacts {
  const base = tableFs({ [WS]: 'dir', [HOME]: 'dir', ...entries });
  return {
    ...base,
    readFile: (p: string, max: number): FileRead => {
      const r = base.realpath(p);
      const text = r === undefined ? undefined : content[r];
      if (r === undefined || text === undefined || base.kind(p) !== 'file') return base.readFile!(p, max);
      if (text.length > max) return { ok: false, path: r, error: 'too-large', detail: `${text.length} bytes, more than ${max}` };
      return { ok: true, path: r, text, sha256: sha256(text), size: text.length };
    },
    readText: (p: string) => {
      const r = base.realpath(p);
      return r === undefined ? undefined : content[r];
    },
  };
}

export const env: Environment = testEnv(FILES, { fs: probeFs(FILES) });
export const policy: EffectivePolicy = buildEffectivePolicy({});
export const INTERACTIVE: RunState = { killed: false, mode: 'interactive', canSnapshot: false };

export interface ProbeOptions {
  env?: Environment;
  policy?: EffectivePolicy;
  mode?: GateMode;
  canSnapshot?: boolean;
  killed?: boolean;
  /** A rule id the decision must carry (e.g. floor.escapes-gate). */
  rule?: string;
  /** A reason text the decision must mention. */
  reason?: RegExp;
  /** Why this probe is not enforced yet, naming the owner area. */
  todo?: string;
}

export const sh = (command: string, cwd = WS) => ({ kind: 'shell', command, cwd, workspaceRoots: [WS] });
export const file = (op: string, path: string, extra: Record<string, unknown> = {}) => ({ kind: 'file', op, path, cwd: WS, workspaceRoots: [WS], ...extra });

/** The pure judge with the baseline policy, an interactive run, no snapshots. */
export function verdict(action: unknown, o: ProbeOptions = {}): Decision {
  return judge(action, o.policy ?? policy, { killed: o.killed ?? false, mode: o.mode ?? 'interactive', canSnapshot: o.canSnapshot ?? false }, o.env ?? env);
}

export function assertExpect(d: Pick<Decision, 'decision' | 'reasons' | 'rules'>, expect: Expect, what: string, o: Pick<ProbeOptions, 'rule' | 'reason'> = {}): void {
  const detail = `${what} → ${d.decision} (${d.rules.join(', ')}): ${d.reasons.join('; ')}`;
  if (expect === 'stops') assert.ok(d.decision === 'ask' || d.decision === 'deny', detail);
  else assert.equal(d.decision, expect, detail);
  if (o.rule) assert.ok(d.rules.includes(o.rule), `${detail}: expected rule ${o.rule}`);
  if (o.reason) assert.match(d.reasons.join('; '), o.reason, detail);
}

/** One probe through the pure judge. `action` is a shell command line or an Action object. */
export function probe(id: string, name: string, action: string | Record<string, unknown>, expect: Expect, o: ProbeOptions = {}): void {
  const a = typeof action === 'string' ? sh(action) : action;
  const label = typeof action === 'string' ? action : JSON.stringify(action).slice(0, 160);
  const title = `${id} ${name}: ${label.replace(/\n/g, '\\n').slice(0, 140)} → ${expect}`;
  test(title, o.todo ? { todo: o.todo } : {}, () => {
    assertExpect(verdict(a, o), expect, label, o);
  });
}

/** A probe with its own body (a race, a real process, a ledger). */
export function probeCase(id: string, name: string, fn: () => void | Promise<void>, o: { todo?: string; timeout?: number } = {}): void {
  test(`${id} ${name}`, { ...(o.todo ? { todo: o.todo } : {}), timeout: o.timeout ?? 60_000 }, fn);
}

/** A class (or a probe of it) that cannot be tested here: shown as skipped, with the reason. */
export function notTestable(id: string, name: string, reason: string): void {
  test(`${id} ${name}`, { skip: `not testable here: ${reason}` }, () => undefined);
}
