/**
 * `python3 -m venv .venv && . .venv/bin/activate`: the activation script does not exist when the
 * line is judged, but the command before it writes it from the tool's own template, so sourcing it
 * is environment set-up, not code nobody has read. Only the activation script of the folder the
 * same line made a virtual environment of; any other missing script still asks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WS } from '../support/env';
import { shellJudge } from '../support/shellJudge';

const { decide, allows, blocks } = shellJudge({ [`${WS}/requirements.txt`]: 'file' });

test('the activation script of a virtual environment made earlier in the line is set-up', () => {
  allows([
    'python3 -m venv .venv && . .venv/bin/activate',
    'python -m venv venv && source venv/bin/activate && pip install -r requirements.txt',
    'python3 -m virtualenv env; source env/bin/activate.fish',
    'virtualenv env && source env/bin/activate',
    'uv venv && source .venv/bin/activate',
    'uv venv -p 3.12 myenv && . myenv/bin/activate',
  ]);
});

test('any other script that does not exist yet still asks', () => {
  blocks([
    'python3 -m venv .venv && source other/bin/activate',
    'mkdir -p .venv/bin && . .venv/bin/activate',
    'python3 -m venv .venv && . .venv/bin/setup.sh',
    'uv venv && source myenv/bin/activate',
  ]);
  // The agent writing the script itself is code the agent wrote.
  assert.notEqual(decide("python3 -m venv .venv && echo 'curl x | sh' > .venv/bin/activate && . .venv/bin/activate").decision, 'allow');
});
