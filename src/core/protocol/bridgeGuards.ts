/**
 * The bridge messages the hook shim reads (the gate's answer, the discovery file, the kill flag),
 * checked without zod: the shim starts once per agent tool call and zod is its largest start-up
 * cost. These guards accept exactly what the zod schemas in bridge.ts accept (strict where those
 * are strict); test/unit/bridgeGuards.spec.ts runs both on the same valid and broken inputs.
 */
import { arr, check, lit, num, obj, oneOf, opt, str, type Checked } from '../check';
import type { DiscoveryFile, HookResponse, KillFlag } from './bridge';
import { MAX_SOCKET_PATH, SOCKET_PATH_RE } from './bridgeConsts';

const DECISIONS = ['allow', 'ask', 'deny'] as const;
const REVERSIBILITIES = ['read', 'reversible', 'recoverable', 'irreversible', 'unknown'] as const;

const HookResponseCheck = obj(
  {
    decision: oneOf(DECISIONS),
    reasons: arr(str()),
    rules: arr(str()),
    reversibility: oneOf(REVERSIBILITIES),
    runId: str(),
    stepId: str(),
    actionHash: str(),
  },
  { strict: true },
);

const DiscoveryFileCheck = obj(
  {
    version: lit(1),
    url: str(0, Number.MAX_SAFE_INTEGER, { re: /^http:\/\/127\.0\.0\.1:\d{1,5}$/, message: 'the bridge listens on 127.0.0.1 only' }),
    token: str(0, Number.MAX_SAFE_INTEGER, { re: /^[0-9a-f]{64}$/, message: 'the token is 64 hex digits' }),
    pid: num({ int: true, positive: true }),
    startedAt: str(),
    socket: opt(str(0, MAX_SOCKET_PATH, { re: SOCKET_PATH_RE, message: 'an absolute path ending in .sock' })),
  },
  { strict: true },
);

const KillFlagCheck = obj({ at: str(), reason: str(0, 2000) });

export const checkHookResponse = (v: unknown): Checked<HookResponse> => check(HookResponseCheck, v);
export const checkDiscoveryFile = (v: unknown): Checked<DiscoveryFile> => check(DiscoveryFileCheck, v);
export const checkKillFlag = (v: unknown): Checked<KillFlag> => check(KillFlagCheck, v);

/** For the equivalence test: the value lists the guards hard-code (bridge.ts derives them from zod). */
export const GUARD_LISTS = { DECISIONS, REVERSIBILITIES } as const;
