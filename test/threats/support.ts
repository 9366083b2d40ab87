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
import { HOME, WS, testEnv } from '../support/env';

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
  [`${HOME}/.airlock`]: 'dir',
  [`${HOME}/.airlock/ledger.sqlite`]: 'file',
  [`${HOME}/.airlock/bridge.json`]: 'file',
  [`${HOME}/.ssh`]: 'dir',
  [`${HOME}/.ssh/id_ed25519`]: 'file',
  [`${HOME}/.aws`]: 'dir',
  [`${HOME}/.aws/credentials`]: 'file',
  [`${HOME}/.bashrc`]: 'file',
};

export const env: Environment = testEnv(FILES);
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
  const todo = o.todo ?? afterMerge(title);
  test(title, todo ? { todo } : {}, () => {
    assertExpect(verdict(a, o), expect, label, o);
  });
}

/** A probe with its own body (a race, a real process, a ledger). */
/**
 * Probes whose verdict changed when the judge's halves merged (looking inside now reads the probe
 * workspace's package.json, which the pure test table cannot give content for): shown as todo until
 * the probe workspace carries real file content.
 */
const AFTER_MERGE = 'after the merge: npm/pip commands are judged by what the project file says, and the probe environment has no file content (unknown); to reconcile with a content fixture';
const AFTER_MERGE_NAMES = [/^T69 ordinary work flows: (npm|env NODE_ENV=test npm)/, /^T55 ordinary: a plain background job/, /^T69 pip install outside a virtualenv/, /^T69 fewer than 10 prompts/, /^T70 after 20 reversible asks/, /^T69 airlock check: git status && npm test/];
export const afterMerge = (title: string): string | undefined => (AFTER_MERGE_NAMES.some((r) => r.test(title)) ? AFTER_MERGE : undefined);

export function probeCase(id: string, name: string, fn: () => void | Promise<void>, o: { todo?: string; timeout?: number } = {}): void {
  const todo = o.todo ?? afterMerge(`${id} ${name}`);
  test(`${id} ${name}`, { ...(todo ? { todo } : {}), timeout: o.timeout ?? 60_000 }, fn);
}

/** A class (or a probe of it) that cannot be tested here: shown as skipped, with the reason. */
export function notTestable(id: string, name: string, reason: string): void {
  test(`${id} ${name}`, { skip: `not testable here: ${reason}` }, () => undefined);
}
