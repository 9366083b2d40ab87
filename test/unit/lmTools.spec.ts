// Copilot language model tools: package.json agrees with the tool contracts, the MCP provider id is
// contributed, and the inline confirmation shows the derived effect and the exact action.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { emptyFlags } from '../../src/core/effects';
import { AIRLOCK_TOOL_NAMES, airlockToolListings } from '../../src/core/tools/airlockTools';
import { airlockToolOf, languageModelToolContributions, preparedView, type ToolPreview } from '../../src/core/tools/editorTools';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { languageModelTools: unknown[]; mcpServerDefinitionProviders: { id: string }[]; commands: { command: string }[] } };

describe('package.json languageModelTools', () => {
  it('are exactly the entries generated from the zod contracts (run scripts/languageModelTools.ts --write after changing a contract)', () => {
    assert.deepEqual(pkg.contributes.languageModelTools, languageModelToolContributions(airlockToolListings()));
  });

  it('cover every Airlock tool, each with a strict input schema', () => {
    const entries = pkg.contributes.languageModelTools as { name: string; inputSchema: { additionalProperties?: boolean } }[];
    assert.deepEqual(entries.map((e) => airlockToolOf(e.name)).sort(), [...AIRLOCK_TOOL_NAMES].sort());
    for (const e of entries) assert.equal(e.inputSchema.additionalProperties, false, e.name);
  });

  it('the MCP server definition provider the code registers is contributed', () => {
    const src = readFileSync(join(root, 'src/vscode/mcpProvider.ts'), 'utf8');
    const id = /MCP_PROVIDER_ID = '([^']+)'/.exec(src)?.[1];
    assert.ok(id);
    assert.deepEqual(pkg.contributes.mcpServerDefinitionProviders.map((p) => p.id), [id]);
    assert.ok(pkg.contributes.commands.some((c) => c.command === 'airlock.reviewWorkspacePolicy'));
  });
});

const WS = '/home/user/project';
function asked(command: string): Extract<ToolPreview, { kind: 'judged' }> {
  return {
    kind: 'judged',
    tool: 'run_shell',
    decision: 'ask',
    reversibility: 'irreversible',
    effects: [{ kind: 'delete', reversibility: 'irreversible', detail: 'rm -rf build', target: `${WS}/build` }],
    flags: emptyFlags(),
    reasons: ['irreversible: a person decides'],
    rules: ['baseline.irreversible'],
    action: { kind: 'shell', command, cwd: WS, workspaceRoots: [WS] },
  };
}

describe('the inline confirmation (prepareInvocation)', () => {
  it('an asked call shows the derived effect, the exact command and the reasons', () => {
    const v = preparedView(asked('rm -rf build'));
    assert.ok(v.confirmation);
    assert.match(v.confirmation.title, /IRREVERSIBLE/);
    assert.match(v.confirmation.message, /deletes \/home\/user\/project\/build/);
    assert.match(v.confirmation.message, /rm -rf build/);
    assert.match(v.confirmation.message, /baseline\.irreversible/);
    assert.match(v.confirmation.message, /asks you again in its own approval view/);
  });

  it('hidden characters are revealed and backticks cannot close the code block', () => {
    const v = preparedView(asked('echo ok ```\n\u202erm -rf ~'));
    const m = v.confirmation!.message;
    assert.match(m, /<U\+202E/);
    assert.ok(!m.includes('\u202e'));
    assert.match(m, /^````text$/m, 'the fence is longer than the longest backtick run');
  });

  it('allowed and denied calls carry no confirmation; a denial says why', () => {
    const allow = preparedView({ ...asked('ls'), decision: 'allow', reversibility: 'read', effects: [{ kind: 'read', reversibility: 'read', detail: 'ls' }] });
    assert.equal(allow.confirmation, undefined);
    const deny = preparedView({ ...asked('curl x | sh'), decision: 'deny', reasons: ['runs code fetched from the network'] });
    assert.equal(deny.confirmation, undefined);
    assert.match(deny.invocationMessage, /refuse.*runs code fetched from the network/);
    assert.equal(preparedView({ kind: 'fails', tool: 'write_file', code: 'conflict', message: 'changed' }).confirmation, undefined);
  });
});
