#!/usr/bin/env node
// Records hook payloads for test/fixtures/hooks: stands in for dist/hook.js (same argv), appends
// the stdin it got to $AIRLOCK_RECORD_PAYLOADS/<agent>.jsonl, then runs the real dist/hook.js with
// the same stdin and passes its answer through. Used only when the live agent tests run with
// AIRLOCK_RECORD_PAYLOADS=<dir> (see docs/agents.md, "Recorded payloads").
'use strict';
const { appendFileSync, mkdirSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8');
  const agent = process.argv[3] || 'unknown';
  const dir = process.env.AIRLOCK_RECORD_PAYLOADS || '/tmp/airlock-recorded-payloads';
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${agent}.jsonl`), `${input.trim()}\n`);
  const real = join(__dirname, '..', '..', 'dist', 'hook.js');
  const r = spawnSync(process.execPath, [real, ...process.argv.slice(2)], { input, encoding: 'utf8' });
  process.stdout.write(r.stdout || '');
  process.stderr.write(r.stderr || '');
  process.exitCode = r.status === null ? 2 : r.status;
});
