// A console's audit writer as a process of its own, for the crash test: it starts as a console
// does (recover() the log), prints what recovery wrote as one JSON line, then runs "actions" on
// four hosts at once (intent, a short wait, result) until it is killed.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../clock';
import { Redactor } from '../../redact/Redactor';
import { fileAuditKey } from '../auditKey';
import { AuditLog } from '../AuditLog';

const [path, keyPath] = process.argv.slice(2);
if (!path) throw new Error('usage: auditWriterChild LOG [KEYFILE]');
const log = new AuditLog({ path, clock: systemClock, redactor: new Redactor(), ...(keyPath ? { key: fileAuditKey(keyPath) } : {}) });

async function host(hostId: string): Promise<never> {
  for (;;) {
    const runId = `run-${randomBytes(8).toString('hex')}`;
    const base = { user: 'crash-test', runId, actionId: 'service.restart', hostId, command: 'systemctl restart autotrader-api' };
    await log.append({ kind: 'intent', ...base });
    await sleep(Math.random() * 3);
    await log.append({ kind: 'result', ...base, exitCode: 0, outcome: 'succeeded' });
  }
}

const recovered = await log.recover();
process.stdout.write(JSON.stringify(recovered) + '\n');
await Promise.all(['h1', 'h2', 'h3', 'h4'].map(host));
