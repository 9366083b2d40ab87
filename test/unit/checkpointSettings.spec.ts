/**
 * The editor's checkpoint settings (`airlock.checkpoints.*`): parsed with safe defaults, the
 * environment's AIRLOCK_CHECKPOINTS=off on top, every key contributed in package.json with the scope
 * that keeps a repository from loosening it, and the status line the menu shows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_KEYS, parseEditorConfig } from '../../src/core/config';
import { checkpointStatusText } from '../../src/core/run/checkpointPort';
import { DEFAULT_CHECKPOINT_SETTINGS, editorCheckpointSettings } from '../../src/node/checkpoints/settings';

const MB = 1024 * 1024;

describe('checkpoint settings', () => {
  it('defaults when missing or malformed; the caps in MB and days', () => {
    const d = parseEditorConfig({});
    assert.equal(d.checkpointsEnabled, true);
    assert.deepEqual(editorCheckpointSettings(d, {}), { maxFileBytes: DEFAULT_CHECKPOINT_SETTINGS.maxFileBytes, maxCheckpointBytes: DEFAULT_CHECKPOINT_SETTINGS.maxCheckpointBytes, maxAgeDays: 14, maxTotalBytes: 2048 * MB });
    const bad = parseEditorConfig({ checkpointsEnabled: 'yes', checkpointMaxFileMB: -1, checkpointMaxCheckpointMB: 'x', checkpointRetentionDays: Number.NaN, checkpointMaxStoreMB: Infinity });
    assert.deepEqual(bad, d);
    const set = parseEditorConfig({ checkpointMaxFileMB: 0.5, checkpointMaxCheckpointMB: 10, checkpointRetentionDays: 3, checkpointMaxStoreMB: 100 });
    assert.deepEqual(editorCheckpointSettings(set, {}), { maxFileBytes: 0.5 * MB, maxCheckpointBytes: 10 * MB, maxAgeDays: 3, maxTotalBytes: 100 * MB });
  });

  it('off in the settings or in the environment is off; an environment cap wins over the setting', () => {
    assert.equal(editorCheckpointSettings(parseEditorConfig({ checkpointsEnabled: false }), {}), false);
    assert.equal(editorCheckpointSettings(parseEditorConfig({}), { AIRLOCK_CHECKPOINTS: 'off' }), false);
    const s = editorCheckpointSettings(parseEditorConfig({ checkpointMaxFileMB: 5 }), { AIRLOCK_CHECKPOINT_MAX_FILE_MB: '1' });
    assert.ok(s);
    assert.equal(s.maxFileBytes, 1 * MB);
  });

  it('every key is contributed; the ones that let more run unasked are machine-scoped and restricted in untrusted workspaces', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { scope?: string; default?: unknown }> } }; capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } } };
    const props = pkg.contributes.configuration.properties;
    for (const key of Object.values(CONFIG_KEYS)) assert.ok(props[`airlock.${key}`], key);
    for (const k of ['enabled', 'maxFileMB', 'maxCheckpointMB']) {
      assert.equal(props[`airlock.checkpoints.${k}`]!.scope, 'machine', k);
      assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`airlock.checkpoints.${k}`), k);
    }
    const d = parseEditorConfig({});
    assert.equal(props['airlock.checkpoints.maxFileMB']!.default, d.checkpointMaxFileMB);
    assert.equal(props['airlock.checkpoints.retentionDays']!.default, d.checkpointRetentionDays);
  });

  it('the status line: count, size, the last checkpoint', () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    assert.equal(checkpointStatusText({ checkpoints: 0, bytes: 0 }, now), '0 checkpoints, 0 B');
    assert.equal(checkpointStatusText({ checkpoints: 12, bytes: 4.2 * MB, last: { createdAt: '2026-12-04T11:57:00Z', files: 1, bytes: 2048 } }, now), '12 checkpoints, 4.2 MB; last 3 min ago (1 file, 2 KB)');
  });
});
