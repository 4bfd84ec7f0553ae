// A console's action path as a process of its own, for the slow-disk test: it runs one read-only
// action and then one service-affecting action on a local host, with a real audit log, and
// writes what reaches the view to its stdout with one write(2) each, so that a tracer sees the
// audit writes and syncs, the commands' start and the view in one order.
import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import type { HostId } from '../../../../common/contract';
import { ActionService } from '../../actions/ActionService';
import { parseCatalog } from '../../actions/Catalog';
import { LocalShellExecutor } from '../../actions/LocalShellExecutor';
import { systemClock, systemTimers } from '../../clock';
import { Redactor } from '../../redact/Redactor';
import { AuditLog } from '../AuditLog';

const [path, changedFile] = process.argv.slice(2);
if (!path || !changedFile) throw new Error('usage: slowSyncConsoleChild LOG CHANGED-FILE');

const HOST = 'h1' as HostId;
const catalog = parseCatalog(
  `version: 1
actions:
  - id: test.peek
    title: Read something
    section: worker-queues
    risk: read-only
    command: [echo, peeked]
  - id: test.change
    title: Change something
    section: worker-queues
    risk: service-affecting
    params:
      - { name: file, label: File, kind: string, pattern: "/[A-Za-z0-9/._-]{1,200}" }
    command: [touch, "{file}"]
`,
  'slow sync test catalog',
);
const svc = new ActionService({
  catalog,
  executor: new LocalShellExecutor(),
  audit: new AuditLog({ path, clock: systemClock, redactor: new Redactor() }),
  redactor: new Redactor(),
  clock: systemClock,
  timers: systemTimers,
  randomBytes,
  user: 'alice',
  hostLookup: (id) => (id === HOST ? { id, label: 'Host 1' } : undefined),
  emitOutput: (p) => writeSync(1, `view ${p.chunks.map((c) => c.text).join('')}`),
  emitStatus: (s) => {
    if (s.state !== 'queued' && s.state !== 'running') writeSync(1, `status ${s.state}${s.error ? ` ${s.error}` : ''}\n`);
  },
});

for (const [actionId, params] of [
  ['test.peek', {}],
  ['test.change', { file: changedFile }],
] as const) {
  const { runId } = svc.run({ token: svc.preview({ actionId, params, hostIds: [HOST] }).token });
  await svc.settled(runId);
}
