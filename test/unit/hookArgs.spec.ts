/**
 * `airlock hook` reads the installed command's own shapes without node:util's parseArgs (a module
 * to load on every tool call); every other shape goes through the strict parser, with its errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHookArgs } from '../../src/cli/gateArgs';

describe('airlock hook arguments', () => {
  it('reads the shapes `airlock hooks install` writes', () => {
    assert.deepEqual(parseHookArgs(['claude']), { agent: 'claude' });
    assert.deepEqual(parseHookArgs(['claude', '--timeout-ms', '120000']), { agent: 'claude', timeoutMs: 120000 });
    assert.deepEqual(parseHookArgs(['cursor-agent']), { agent: 'cursor-agent' });
  });
  it('reads the other valid shapes through the strict parser, to the same result', () => {
    assert.deepEqual(parseHookArgs(['--timeout-ms', '120000', 'codex']), { agent: 'codex', timeoutMs: 120000 });
    assert.deepEqual(parseHookArgs(['gemini', '--timeout-ms=5000']), { agent: 'gemini', timeoutMs: 5000 });
  });
  it('refuses what is not valid, with the reason', () => {
    assert.throws(() => parseHookArgs([]), /name the agent/);
    assert.throws(() => parseHookArgs(['claude', '--timeout-ms', '50']), /--timeout-ms takes the hook timeout in ms/);
    assert.throws(() => parseHookArgs(['claude', '--timeout-ms', '1.5']), /--timeout-ms takes the hook timeout in ms/);
    assert.throws(() => parseHookArgs(['claude', '--bogus']), /unknown option --bogus \(valid options: --timeout-ms/);
    assert.throws(() => parseHookArgs(['claude', 'extra']), /unexpected arguments: extra/);
    assert.throws(() => parseHookArgs(['claude', '--timeout-ms']), /timeout-ms/);
  });
});
