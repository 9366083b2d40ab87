/**
 * Remote CLIs whose object comes before the verb (`velero backup get`, `glab release list`,
 * `kubectl rollout status`, `aws deploy list-applications`): the object word is not the action.
 * The counterparts that act (create, delete, restart, a name that only looks like a read verb)
 * still ask. And `--help`/`--version` of the programs whose output file hides in an option.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, type RunState } from '../../src/core/judge.js';
import { buildEffectivePolicy } from '../../src/core/policy/layers.js';
import { makeEnvironment, NO_FS } from '../../src/core/paths.js';
import { classifyShell } from '../../src/core/classify/shell/classifyShell.js';

const WS = '/home/user/project';
const env = makeEnvironment({ cwd: WS, workspaceRoots: [WS], home: '/home/user', vars: { HOME: '/home/user', TMPDIR: '/tmp' }, fs: NO_FS });
const policy = buildEffectivePolicy({});
const state: RunState = { killed: false, mode: 'interactive', canSnapshot: true };
const decide = (cmd: string) => judge({ kind: 'shell', command: cmd, cwd: WS, workspaceRoots: [WS] }, policy, state, env);

test('an object named before a read verb is read', () => {
  for (const cmd of ['velero backup get', 'velero backup describe nightly', 'velero schedule get', 'glab release list', 'glab release view v1.2.3', 'gh release list', 'gh run view 42', 'kubectl rollout status deploy/web', 'kubectl rollout history deploy/web', 'aws deploy list-applications', 'aws deploy get-deployment --deployment-id d-1', 'gcloud builds list', 'gitlab-runner list', 'gitlab-runner status']) {
    const d = decide(cmd);
    assert.equal(d.decision, 'allow', `${cmd}: ${d.reasons.join(' | ')}`);
  }
});

test('the same objects with an acting verb, or a read word used as a name, still ask', () => {
  for (const cmd of ['velero backup create nightly', 'velero backup delete nightly', 'velero restore create r1', 'glab release create v2', 'glab release delete v1', 'gh release create list', 'gh run rerun 42', 'kubectl rollout restart deploy/web', 'kubectl rollout undo deploy/web', 'aws deploy create-deployment --application-name a', 'aws deploy delete-application --application-name a', 'gcloud builds submit', 'gitlab-runner unregister --all-runners', 'gitlab-runner register', 'velero backup create list', 'kubectl create deployment list --image=x']) {
    assert.notEqual(decide(cmd).decision, 'allow', cmd);
  }
});

test('--help and --version of programs with hidden output files print and exit; their writes still count', () => {
  for (const cmd of ['split --help', 'split --version', 'csplit --help', 'sort --version', 'uniq --help']) assert.equal(decide(cmd).decision, 'allow', cmd);
  for (const cmd of ['split -l 10 data.csv /etc/cron.d/x', 'sort -o /etc/hosts names.txt', 'uniq names.txt /home/user/.bashrc', 'split --help; split data /etc/x']) assert.notEqual(decide(cmd).decision, 'allow', cmd);
});

test('gh/glab api: a GET (or a GraphQL query) reads; a method, fields, a body or a mutation change state', () => {
  for (const cmd of ['gh api repos/o/r/pulls', 'gh api -H "Accept: application/json" repos/o/r', 'gh api -X GET search/issues -f q=bug', 'gh api graphql -f query="query { viewer { login } }"', 'glab api projects/1/merge_requests', 'gh pr checks']) {
    assert.equal(decide(cmd).decision, 'allow', cmd);
  }
  for (const cmd of ['gh api -X DELETE repos/o/r', 'gh api --method=PATCH repos/o/r -f name=x', 'gh api repos/o/r/issues -f title=x', 'gh api repos/o/r/contents/a --input body.json', 'gh api graphql -f query="mutation { deleteRepo }"', 'gh api graphql -F query=@q.graphql', 'gh api graphql -f query="$Q"', 'gh api graphql -f query="query { a } mutation { b }"', 'glab api projects/1 -X PUT']) {
    assert.notEqual(decide(cmd).decision, 'allow', cmd);
  }
});

test('split/csplit of an input that does not exist fail before writing; otherwise their output counts', () => {
  assert.equal(classifyShell('split splits list', env).effects.some((e) => e.kind === 'overwrite'), false);
  for (const cmd of ['touch data; split data /etc/x', 'split /etc/missing /etc/x', 'echo a > in; csplit -f /etc/cron.d/x in 1']) {
    assert.notEqual(decide(cmd).decision, 'allow', cmd);
  }
});
