/**
 * Duplicate side effects: an action identical (same canonical action hash) to one that already ran
 * and succeeded in the same run is probably a retry of it (an agent that lost track, a loop). It is
 * asked about, with the earlier step shown. Reads are never duplicates: repeating a read is harmless.
 */
import type { Reversibility } from '../effects';

export interface CompletedStep {
  seq: number;
  actionHash: string;
  /** The tool ran and reported success (post outcome with exit code 0). */
  succeeded: boolean;
}

export function findDuplicate(history: readonly CompletedStep[], actionHash: string, reversibility: Reversibility): CompletedStep | undefined {
  if (reversibility === 'read' || actionHash === '') return undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const s = history[i]!;
    if (s.succeeded && s.actionHash === actionHash) return s;
  }
  return undefined;
}
