/**
 * Policy acknowledgement on disk: read the workspace policy as it is now, say what it would permit
 * beyond the user's policy, and record a person's acceptance of that exact content (its SHA-256 in
 * <home>/acknowledged.json, which the gate reads: see policyStore.ts and buildEffectivePolicy).
 *
 * An acceptance is bound to the hash the person reviewed: if the file changed in between, nothing is
 * recorded and the caller is told to review again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../core/hash';
import { parsePolicyText } from '../../core/policy/layers';
import { reviewOf, type PolicyReview } from '../../core/policy/review';
import { acknowledge, acknowledgedHashes, loadLayer, WORKSPACE_POLICY } from './policyStore';

export interface ReviewSources {
  home: string;
  workspaceRoots: string[];
  /** Explicit workspace policy file (else <first root>/.airlock/policy.json). */
  workspacePolicy?: string;
}

export function workspacePolicyPath(s: ReviewSources): string | undefined {
  return s.workspacePolicy ?? (s.workspaceRoots[0] ? join(s.workspaceRoots[0], WORKSPACE_POLICY) : undefined);
}

/** The review of the workspace policy file as it is now; undefined when there is none. */
export function reviewWorkspacePolicy(s: ReviewSources): PolicyReview | undefined {
  const path = workspacePolicyPath(s);
  if (!path) return undefined;
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { path, hash: '', error: `cannot read it: ${(e as Error).message}`, items: [], acknowledged: false, content: '' };
  }
  const user = loadLayer(join(s.home, 'policy.json'), 'user', s.home);
  return reviewOf(path, content, sha256(content), parsePolicyText(content), user.policy, acknowledgedHashes(s.home));
}

export type AcceptResult = { ok: true; hash: string; review: PolicyReview } | { ok: false; reason: string };

/** Record the acceptance of the reviewed content, only if the file still has exactly that content. */
export function acceptWorkspacePolicy(s: ReviewSources, reviewedHash: string): AcceptResult {
  const now = reviewWorkspacePolicy(s);
  if (!now) return { ok: false, reason: 'the workspace policy file is gone; nothing was accepted' };
  if (now.error) return { ok: false, reason: `the workspace policy is not valid (${now.error}); nothing was accepted` };
  if (now.hash !== reviewedHash) return { ok: false, reason: `the workspace policy changed since you reviewed it (now ${now.hash.slice(0, 12)}…, reviewed ${reviewedHash.slice(0, 12)}…); review it again` };
  acknowledge(now.hash, s.home);
  return { ok: true, hash: now.hash, review: { ...now, acknowledged: true } };
}
