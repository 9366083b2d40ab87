/**
 * "Looking inside" figures for `npm run bench` (section 12): classify + judge time per action, in
 * process, with the real file system, when the judge must read a package.json, a script or a
 * Makefile, next to commands that read no file. Each judgement builds a fresh machine environment
 * as the gate does (the per-judgement fs memo is empty); the file-content cache (by path, inode,
 * size, mtime) and the parse caches (by content hash) stay warm, as in the long-running gate.
 *
 * Standalone: `node --import tsx bench/inside.ts` prints the section.
 */
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judge, type RunState } from '../src/core/judge';
import { machineEnvironment } from '../src/node/environment';
import { loadEffectivePolicy } from '../src/node/policy/policyStore';

export interface InsideRow { label: string; command: string; reads: string; medianUs: number; p90Us: number; p99Us: number; decision: string }

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

function workspace(): string {
  const ws = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-bench-inside-')));
  const scripts: Record<string, string> = { test: 'node --test test/', build: 'tsc -p . && node scripts/bundle.js', lint: 'eslint . && prettier --check .', pretest: 'npm run build', clean: 'rm -rf dist coverage', format: 'prettier --write .' };
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', scripts, devDependencies: { typescript: '^5.6.0', eslint: '^9.0.0', prettier: '^3.3.0' } }, null, 2));
  mkdirSync(join(ws, 'scripts'));
  const body = ['#!/usr/bin/env bash', '# Build the release bundle.', 'set -euo pipefail', 'OUT=dist', 'rm -rf "$OUT"', 'mkdir -p "$OUT"', 'if [ -f .env.example ]; then echo "using defaults"; fi', ...Array.from({ length: 12 }, (_, i) => `cp src/part${i}.txt "$OUT/"`), 'for f in "$OUT"/*.txt; do wc -l "$f"; done', 'git rev-parse HEAD > "$OUT/VERSION"', 'tar czf release.tgz "$OUT"', 'echo done'];
  writeFileSync(join(ws, 'scripts', 'build.sh'), `${body.join('\n')}\n`);
  chmodSync(join(ws, 'scripts', 'build.sh'), 0o755);
  writeFileSync(join(ws, 'scripts', 'bundle.js'), 'const fs = require("fs");\nconst path = require("path");\nfs.writeFileSync("dist/bundle.js", "x");\n');
  writeFileSync(join(ws, 'Makefile'), ['CC ?= cc', 'CFLAGS := -O2 -Wall', 'OBJS = main.o util.o', '.PHONY: all clean test', 'all: app', 'app: $(OBJS)', '\t$(CC) $(CFLAGS) -o $@ $^', '%.o: %.c', '\t$(CC) $(CFLAGS) -c $< -o $@', 'test: app', '\t./run-tests.sh', 'clean:', '\trm -f app $(OBJS)', ''].join('\n'));
  writeFileSync(join(ws, 'run-tests.sh'), '#!/bin/sh\necho running\nls tests\n');
  for (const f of ['main.c', 'util.c']) writeFileSync(join(ws, f), 'int x;\n');
  mkdirSync(join(ws, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(ws, 'node_modules', '.bin', 'tsc'), '#!/usr/bin/env node\n');
  return ws;
}

export function insideFigures(iterations = 2000): InsideRow[] {
  const ws = workspace();
  try {
    const { policy } = loadEffectivePolicy({ workspaceRoots: [ws], home: join(ws, '.no-airlock-home') });
    const state: RunState = { killed: false, mode: 'interactive', canSnapshot: false };
    const cases: Array<[string, string, string]> = [
      ['no file read', 'git status', '—'],
      ['no file read', 'ls -la src && grep -rn TODO src', '—'],
      ['package.json', 'npm test', 'package.json (pretest → build → tsc, node scripts/bundle.js)'],
      ['package.json', 'npm run lint', 'package.json'],
      ['script by path', './scripts/build.sh', 'scripts/build.sh (24 lines)'],
      ['Makefile', 'make', 'Makefile (pattern rules)'],
      ['Makefile', 'make test', 'Makefile + run-tests.sh'],
      ['package runner', 'npx tsc --noEmit', 'node_modules/.bin/tsc'],
    ];
    const rows: InsideRow[] = [];
    for (const [label, command, reads] of cases) {
      const action = { kind: 'shell' as const, command, cwd: ws, workspaceRoots: [ws] };
      const once = (): { us: number; decision: string } => {
        const t0 = process.hrtime.bigint();
        const d = judge(action, policy, state, machineEnvironment(ws, [ws]));
        return { us: Number(process.hrtime.bigint() - t0) / 1000, decision: d.decision };
      };
      for (let i = 0; i < 50; i++) once();
      const us: number[] = [];
      let decision = '';
      for (let i = 0; i < iterations; i++) {
        const r = once();
        us.push(r.us);
        decision = r.decision;
      }
      rows.push({ label, command, reads, medianUs: pct(us, 50), p90Us: pct(us, 90), p99Us: pct(us, 99), decision });
    }
    return rows;
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

export function insideMarkdown(rows: InsideRow[]): string[] {
  const out = [
    'In process, real file system, a fresh environment per judgement (as in the gate), warm caches. Targets: p99 ≤ 1 ms with no file read, ≤ 5 ms when a script or package.json is read.',
    '',
    '| kind | command | files read | median µs | p90 µs | p99 µs | decision |',
    '| --- | --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) out.push(`| ${r.label} | \`${r.command}\` | ${r.reads} | ${r.medianUs.toFixed(0)} | ${r.p90Us.toFixed(0)} | ${r.p99Us.toFixed(0)} | ${r.decision} |`);
  return out;
}

if (require.main === module) {
  const rows = insideFigures(Number(process.env.BENCH_INSIDE_RUNS ?? 2000));
  for (const l of insideMarkdown(rows)) console.log(l);
}
