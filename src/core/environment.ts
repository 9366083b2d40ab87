/**
 * The classifier's view of the machine: the Environment (working directory, workspace roots, home,
 * temp and scratch folders, variables, provenance and trust of the run) and the PathFacts port
 * through which it asks the file system (src/node implements it with real fs calls, tests with a
 * table). Pure: no I/O here.
 */
import { posix } from 'node:path';

/** What the classifier may ask the file system. Every method must be cheap and must not throw. */
export interface PathFacts {
  /** Canonical path of an existing path (symlinks resolved), or undefined if it does not exist. */
  realpath(p: string): string | undefined;
  /** 'file' | 'dir' | 'other' for an existing path (not following a final symlink is not needed). */
  kind(p: string): 'file' | 'dir' | 'other' | undefined;
  /**
   * The content of a file the classifier wants to look inside (a script, package.json, a Makefile),
   * read through symlinks, at most `maxBytes`. Absent = the file system cannot be read here, which
   * the classifier treats like an unreadable file (`unknown`). Must not throw.
   */
  readFile?(p: string, maxBytes: number): FileRead;
  /**
   * Optional: the text of a small file inside the workspace (a patch an agent applies), or undefined
   * when it cannot be read. Without it, tools whose write targets come from their input are judged
   * as writing anywhere in the workspace.
   */
  readText?(p: string): string | undefined;
  /**
   * Optional: the names of the entries of a folder (no `.`/`..`), or undefined when it is not a
   * readable folder. Lets the shell judge expand a glob or a lister's output (`cat .*`,
   * `cat $(find . -name '*.json')`) against what is really there; without it, names are judged by
   * pattern alone.
   */
  list?(dir: string): string[] | undefined;
}

/** Why a file could not be looked inside. */
export type FileReadError = 'missing' | 'too-large' | 'binary' | 'not-regular' | 'loop' | 'unreadable';

/** A file read for judging: its text and content hash, or why it could not be read. */
export type FileRead =
  | { ok: true; path: string; text: string; sha256: string; size: number }
  | { ok: false; path: string; error: FileReadError; detail: string; sha256?: string };

/** A file the classifier read: part of what an approval is bound to. */
export interface FileRef {
  path: string;
  /** SHA-256 of the content, or `error:<why>` when it could not be read. */
  sha256: string;
}

/**
 * What the current run has already done, as the gate knows it from its ledger: which files the agent
 * wrote or downloaded. Absent for one-off checks (`airlock check`) where there is no run.
 */
export interface RunProvenance {
  /** How this run produced the file at canonical path `abs` ("written by step 12 (curl -o …)"), or undefined. */
  writtenBy(abs: string): string | undefined;
}

/** A program a person trusted in this workspace (see src/core/trust.ts). */
export interface TrustHit {
  id: string;
  program: string;
  /** The class the person gave it (never irreversible). */
  class: 'read' | 'reversible' | 'recoverable';
  by: string;
}

/** The person's learned per-workspace trust, as the judge may consult it (pure lookup). */
export interface TrustLookup {
  /** A trusted program by name (bound to the path it resolves to now) or a workspace file by path and content hash. */
  program(name: string): TrustHit | undefined;
  file(abs: string, sha256: string): TrustHit | undefined;
}

/** PathFacts for a world where nothing exists: pure tests and hypothetical checks. */
export const NO_FS: PathFacts = { realpath: () => undefined, kind: () => undefined, readFile: (p) => ({ ok: false, path: p, error: 'missing', detail: 'does not exist' }) };

/** Everything a classifier needs to know about where an action happens. */
export interface Environment {
  cwd: string;
  workspaceRoots: string[];
  home: string;
  /** Scratch directories whose contents nobody expects to keep (/tmp, $TMPDIR). */
  tempDirs: string[];
  /**
   * Per-run scratch folders the gate made for this run (optional): their contents are Airlock's to
   * lose, so deleting them is recoverable. Anything else that already exists under a temp folder is
   * someone's data.
   */
  scratchDirs?: string[];
  /** Airlock's own state directory (ledger, kill flag, acknowledgements): always protected. */
  airlockHome: string;
  fs: PathFacts;
  /** Environment variables known to the caller, for expanding $HOME, $TMPDIR and the like. */
  vars: Readonly<Record<string, string | undefined>>;
  /** Files this run wrote or downloaded (gate only). */
  provenance?: RunProvenance;
  /** Programs the person trusted in this workspace. */
  trust?: TrustLookup;
  /**
   * Optional: the agents whose Airlock hooks are installed (claude, codex, gemini, cursor, copilot,
   * cline…). When known, an agent started in an unguarded mode without hooks is denied (T52).
   */
  gatedAgents?: readonly string[];
}

export function makeEnvironment(partial: Partial<Environment> & { cwd: string }): Environment {
  const home = partial.home ?? '/home/user';
  const roots = partial.workspaceRoots && partial.workspaceRoots.length > 0 ? partial.workspaceRoots : [partial.cwd];
  return {
    cwd: partial.cwd,
    workspaceRoots: roots,
    home,
    tempDirs: partial.tempDirs ?? ['/tmp', '/var/tmp'],
    ...(partial.scratchDirs ? { scratchDirs: partial.scratchDirs } : {}),
    airlockHome: partial.airlockHome ?? posix.join(home, '.airlock'),
    fs: partial.fs ?? NO_FS,
    vars: partial.vars ?? { HOME: home },
    ...(partial.provenance ? { provenance: partial.provenance } : {}),
    ...(partial.trust ? { trust: partial.trust } : {}),
    ...(partial.gatedAgents ? { gatedAgents: partial.gatedAgents } : {}),
  };
}
