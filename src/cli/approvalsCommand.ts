/**
 * `airlock approvals [--json] [--all]`: the steps queued for a person while no editor was connected
 * (src/node/gate/approvalQueue.ts). Read-only: a person answers them in VS Code, never here (an
 * agent with a shell could otherwise approve its own request).
 */
import { existsSync } from 'node:fs';
import { visible } from './format';
import { strictArgs } from './usageError';

export async function runApprovals(argv: string[]): Promise<number> {
  const { values } = strictArgs('approvals', argv, { json: { type: 'boolean' }, all: { type: 'boolean' } });
  const { airlockHome } = await import('../node/environment');
  const { ApprovalQueueStore, approvalQueuePath } = await import('../node/gate/approvalQueue');
  const path = approvalQueuePath(airlockHome());
  const rows = existsSync(path) ? (() => {
    const q = ApprovalQueueStore.open(path, { readonly: true });
    try {
      return q.list({ all: values.all === true });
    } finally {
      q.close();
    }
  })() : [];
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ queue: path, approvals: rows })}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`no ${values.all === true ? '' : 'waiting '}approvals in ${path}\n`);
    return 0;
  }
  for (const r of rows) {
    process.stdout.write(visible(`#${r.id}  ${r.status.toUpperCase()}  ${r.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}  ${r.agent} ${r.tool} (${r.reversibility}): ${r.summary}`) + '\n');
    for (const why of r.reasons) process.stdout.write(visible(`      because: ${why}`) + '\n');
    if (r.decidedBy) process.stdout.write(visible(`      ${r.status} by ${r.decidedBy} at ${r.decidedAt ?? '?'}`) + '\n');
  }
  if (rows.some((r) => r.status === 'queued')) process.stdout.write('open VS Code with Airlock to approve or deny them; an approved step runs when the agent makes the same call again\n');
  return 0;
}
