/**
 * Learned trust, per workspace: a person answers an ask about a program nothing is known of with
 * "trust X in this workspace". The entry lives in the person's local state (under the Airlock home,
 * keyed by workspace), never in the team's policy file. It is bound to the path the program resolves
 * to (and, for a workspace file, to its content hash), and it only ever replaces effects that were
 * `unknown` merely because nothing was known of the program (src/core/classify/inside/trustApply.ts):
 * never an irreversible effect, security configuration, secrets, or code the agent fetched.
 *
 * Pure: the schema, the eligibility rule and the port. The store is src/node/trustStore.ts.
 */
import { z } from 'zod';
import type { Classification } from './effects';
import { lazySchema } from './lazySchema';

// Built on first use (core/lazySchema.ts): `airlock check` consults trust without building them.
export const TrustClass = lazySchema(() => z.enum(['read', 'reversible', 'recoverable']));
export type TrustClass = z.infer<typeof TrustClass>;

export const TrustEntry = lazySchema(() => z.strictObject({
  id: z.string().regex(/^[a-z0-9]{8,32}$/),
  /** `program`: a program by name, bound to its resolved path; `file`: a workspace file, bound to its content. */
  kind: z.enum(['program', 'file']),
  /** The program's name, or `./relative/path` for a workspace file. */
  program: z.string().min(1).max(512),
  /** Resolved absolute path when trusted. */
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  class: TrustClass,
  addedAt: z.string(),
  by: z.string().max(200),
}));
export type TrustEntry = z.infer<typeof TrustEntry>;

export const TrustFile = lazySchema(() => z.strictObject({
  version: z.literal(1),
  workspace: z.string(),
  entries: z.array(TrustEntry).max(1000),
}));
export type TrustFile = z.infer<typeof TrustFile>;

export type TrustAddResult = { ok: true; entry: TrustEntry } | { ok: false; error: string };

/** The person's trust for one workspace (the editor and the CLI list, add and revoke through it). */
export interface TrustStore {
  readonly workspace: string;
  list(): TrustEntry[];
  add(program: string, opts: { class?: TrustClass; by: string }): TrustAddResult;
  revoke(id: string): boolean;
}

type Judged = Pick<Classification, 'reversibility' | 'effects' | 'flags' | 'trustable'>;

/**
 * The programs of an ask a person may trust: only when every reason to ask is a program nothing is
 * known of. Never for irreversible effects, security config, secrets, or code run without being read
 * (downloads, pipes into a shell, files the agent wrote).
 */
export function trustCandidates(d: Judged): string[] {
  const names = d.trustable ?? [];
  if (names.length === 0) return [];
  if (d.flags.securityConfig || d.flags.secrets || d.flags.exec) return [];
  if (d.effects.some((e) => e.reversibility === 'irreversible')) return [];
  const unknowns = d.effects.filter((e) => e.reversibility === 'unknown');
  const explained = (detail: string, source: string | undefined): boolean => names.some((n) => (n.startsWith('./') ? detail.includes(n.slice(2)) : source === n));
  if (!unknowns.every((e) => explained(e.detail, e.source))) return [];
  return names;
}
