// For the demo fleet's integration tests: the ActionService app.ts builds over a demo fleet's
// hosts, so each test states only what it listens to.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { HostId } from '../../common/contract';
import { ActionService, type ActionServiceDeps } from '../core/actions/ActionService';
import type { Catalog } from '../core/actions/Catalog';
import { AuditLog } from '../core/audit/AuditLog';
import { systemTimers } from '../core/clock';
import type { Redactor } from '../core/redact/Redactor';
import type { SessionPool } from '../core/ssh/SessionPool';

export interface DemoActionServiceOptions {
  readonly pool: SessionPool;
  readonly hosts: readonly { readonly id: HostId }[];
  /** the audit log goes here */
  readonly dir: string;
  readonly redactor: Redactor;
  readonly catalog: Catalog;
  readonly emitOutput?: ActionServiceDeps['emitOutput'];
  readonly emitStatus: ActionServiceDeps['emitStatus'];
}

export function demoActionService(o: DemoActionServiceOptions): ActionService {
  const clock = { now: () => Date.now() };
  return new ActionService({
    executor: o.pool,
    audit: new AuditLog({ path: join(o.dir, 'audit.jsonl'), clock, redactor: o.redactor }),
    redactor: o.redactor,
    hostLookup: (id) => (o.hosts.some((h) => h.id === id) ? { id, label: id } : undefined),
    user: 'demo-test',
    clock,
    timers: systemTimers,
    randomBytes,
    catalog: o.catalog,
    emitOutput: o.emitOutput ?? (() => {}),
    emitStatus: o.emitStatus,
  });
}
