/**
 * The e2e cache (Node 22, code-server, better-sqlite3 for Node 22) that scripts/e2e-setup.mjs fills.
 * Tests that need it fail when it is missing, with the command that fixes it. They skip only when
 * the cache is missing AND AIRLOCK_E2E=skip says so, and then say so loudly.
 */
import { e2ePaths, readSetupStamp, type E2ePaths } from '../../scripts/e2e-paths.mjs';

export const E2E_SKIP = process.env.AIRLOCK_E2E === 'skip';

/** The cache's paths, or a reason to skip (only with AIRLOCK_E2E=skip). Throws otherwise. */
export function e2eCache(): { paths: E2ePaths; skip?: undefined } | { paths?: undefined; skip: string } {
  const paths = e2ePaths();
  if (readSetupStamp(paths)) return { paths };
  const why = `the e2e cache is not set up at ${paths.root}: run \`node scripts/e2e-setup.mjs\` (npm test runs it by itself; it needs a C/C++ toolchain, nothing else from the system)`;
  if (E2E_SKIP) {
    const loud = `\n${'!'.repeat(100)}\n!! SKIPPING real-VS-Code / Node 22 tests because AIRLOCK_E2E=skip: ${why}\n${'!'.repeat(100)}\n`;
    process.stderr.write(loud);
    return { skip: `AIRLOCK_E2E=skip and ${why}` };
  }
  throw new Error(`${why} (or set AIRLOCK_E2E=skip to skip these tests on purpose)`);
}
