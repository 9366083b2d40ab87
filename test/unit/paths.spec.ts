import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { absolutize, canonicalize, inspectPath, isWithin, secretReason } from '../../src/core/paths';
import { HOME, WS, testEnv } from '../support/env';

describe('paths', () => {
  it('absolutizes ~, relative paths and .. segments', () => {
    const env = testEnv();
    assert.equal(absolutize('~', env), HOME);
    assert.equal(absolutize('~/x/../y', env), `${HOME}/y`);
    assert.equal(absolutize('src/../../etc', env), '/home/user/etc');
    assert.equal(absolutize('/tmp/../etc/passwd', env), '/etc/passwd');
  });

  it("takes ~name as another account's home (a sibling of this home; ~root is /root), never a workspace path", () => {
    const env = testEnv();
    const parent = HOME.slice(0, HOME.lastIndexOf('/'));
    assert.equal(absolutize('~alice', env), `${parent}/alice`);
    assert.equal(absolutize('~alice/.ssh/id_rsa', env), `${parent}/alice/.ssh/id_rsa`);
    assert.equal(absolutize('~root/.bashrc', env), '/root/.bashrc');
    assert.equal(absolutize('~root', env), '/root');
    assert.equal(inspectPath('~bob/.bashrc', env).insideWorkspace, false);
    // Not a tilde-prefix: stays a relative path.
    assert.equal(absolutize('x~y', env), `${env.cwd}/x~y`);
  });

  it('compares components, not string prefixes (CVE-2025-54794)', () => {
    assert.equal(isWithin('/w/proj-evil/x', '/w/proj'), false);
    assert.equal(isWithin('/w/proj/x', '/w/proj'), true);
    assert.equal(isWithin('/w/proj', '/w/proj'), true);
  });

  it('resolves symlinks of the longest existing prefix (T32)', () => {
    const env = testEnv({ [`${WS}/home`]: `->${HOME}` });
    assert.equal(canonicalize('home/.bashrc', env), `${HOME}/.bashrc`);
    const info = inspectPath('home/.bashrc', env);
    assert.equal(info.insideWorkspace, false);
    assert.equal(info.securityConfig, 'shell startup file');
  });

  it('matches protected names case-insensitively after canonicalization (CVE-2025-59944)', () => {
    const env = testEnv();
    for (const p of ['.Cursor/MCP.json', './a/../.vscode/settings.json', '.VSCode/Settings.json', '.claude/settings.local.json', '.airlock/policy.json', '.git/hooks/pre-commit', '.github/workflows/ci.yml', 'AGENTS.md', 'sub/CLAUDE.md', '.mcp.json']) {
      assert.ok(inspectPath(p, env).securityConfig, `${p} should be security config`);
    }
    for (const p of ['src/index.ts', 'README.md', '.vscode/notes.md', '.github/ISSUE_TEMPLATE.md', 'docs/agents.txt']) {
      assert.equal(inspectPath(p, env).securityConfig, undefined, `${p} should not be security config`);
    }
  });

  it("treats Airlock's own state directory as security config", () => {
    const env = testEnv();
    assert.ok(inspectPath('~/.airlock/ledger.sqlite', env).securityConfig);
  });

  it('finds secrets but not their templates', () => {
    assert.ok(secretReason('/w/.env'));
    assert.ok(secretReason('/w/.env.production'));
    assert.equal(secretReason('/w/.env.example'), undefined);
    assert.ok(secretReason('/home/user/.aws/credentials'));
    assert.ok(secretReason('/home/user/.ssh/id_ed25519'));
    assert.equal(secretReason('/home/user/.ssh/id_ed25519.pub'), undefined);
    assert.ok(secretReason('/w/certs/server.KEY'));
    assert.equal(secretReason('/w/src/keyboard.ts'), undefined);
  });

  it('marks critical and temp paths', () => {
    const env = testEnv();
    assert.equal(inspectPath('/', env).critical, 'the root of the file system');
    assert.equal(inspectPath('~', env).critical, 'the home folder');
    assert.equal(inspectPath('/etc', env).critical, 'system folder /etc');
    assert.equal(inspectPath(WS, env).critical, 'a workspace root');
    assert.equal(inspectPath('/tmp/build', env).inTemp, true);
    assert.equal(inspectPath('/tmp', env).inTemp, false, 'the temp folder itself is not scratch inside itself');
  });
});
