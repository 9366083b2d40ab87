// The agent CLIs the live tests drive, pinned to the versions verified here (docs/agents.md).
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

export const agentsCache = () => process.env.AIRLOCK_AGENTS_CACHE || join(root, '.cache', 'agents');

/** name -> npm package, version, and the binary (relative to the install folder). */
export const AGENT_PACKAGES = {
  // Cline CLI: a Bun-built native binary in @cline/cli-linux-x64 (about 430 MB installed).
  cline: { pkg: 'cline', version: '3.0.65', bin: 'node_modules/.bin/cline' },
  // OpenCode: native binary in opencode-linux-x64 (about 350 MB installed).
  opencode: { pkg: 'opencode-ai', version: '1.18.33', bin: 'node_modules/opencode-linux-x64/bin/opencode' },
  // Qwen Code: plain JS (about 55 MB).
  qwen: { pkg: '@qwen-code/qwen-code', version: '0.24.4', bin: 'node_modules/@qwen-code/qwen-code/cli.js' },
  // Kilo Code CLI: 7.8.1 (latest) ships no linux binary on npm; 7.7.7 does (about 230 MB).
  kilo: { pkg: '@kilocode/cli', version: '7.7.7', bin: 'node_modules/@kilocode/cli-linux-x64/bin/kilo' },
  // Gemini CLI (about 100 MB).
  gemini: { pkg: '@google/gemini-cli', version: '0.61.0', bin: 'node_modules/@google/gemini-cli/bundle/gemini.js' },
  // GitHub Copilot CLI (about 190 MB; unpacks a further ~235 MB into XDG_CACHE_HOME on first run).
  copilot: { pkg: '@github/copilot', version: '1.0.102', bin: 'node_modules/@github/copilot/npm-loader.js' },
};
