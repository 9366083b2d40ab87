/** Owner areas of probes whose rule is closed elsewhere in the product (shown as `todo` until merged). */
export const TODO = {
  cwd: 'closed by issue 13 (working directory tracking)',
  closedWorld: 'closed by issue 13 (closed world: unknown programs ask)',
  wrappers: 'closed by issue 13 (wrappers parsed recursively)',
  gitConfig: 'closed by issue 13 (git -c / git config of security keys)',
  gitShow: 'closed by issue 13 (secrets via git show REV:path)',
  scripts: 'closed by issue 13 (looking inside scripts and Makefiles)',
  written: 'closed by issue 13 (files written or downloaded this run)',
  download: 'closed by issue 13 (download-then-exec)',
  credentials: 'closed by issue 13 (credential stores)',
  cloud: 'closed by issue 13 (cloud teardown verbs)',
} as const;
