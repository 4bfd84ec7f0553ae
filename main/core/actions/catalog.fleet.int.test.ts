// Every action of resources/actions.yaml, run through the action service and the SSH pool on
// real Debian hosts (systemd-nspawn, testbed/fleet.ts), with its effect checked on the host:
// main PIDs changed, logs rotated, queue emptied, YAML edited with its comments kept and a
// backup beside it, and secrets redacted in what the console shows. Needs root (the fleet).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, HostId, ParamValues } from '../../../common/contract';
import { startFleet, type Fleet } from '../../../testbed/fleet';
import { AuditLog } from '../audit/AuditLog';
import { systemClock, systemTimers } from '../clock';
import { Redactor } from '../redact/Redactor';
import { SessionPool } from '../ssh/SessionPool';
import { ActionService } from './ActionService';
import { parseCatalog } from './Catalog';

// unique per process: another engineer's suite may run this file while we do
const FLEET = `act${process.pid}`;
const H1 = `${FLEET}-1` as HostId;
const H2 = `${FLEET}-2` as HostId;

let fleet: Fleet;
let pool: SessionPool;
let svc: ActionService;
let audit: AuditLog;
let dir: string;
const outputs: EventPayload<'onRunOutput'>[] = [];
const statuses: EventPayload<'onRunStatus'>[] = [];
const exercised = new Set<string>();

const sh = async (host: string, command: string): Promise<string> => {
  const r = await fleet.exec(host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
};
const mainPid = (host: string, unit: string) => sh(host, `systemctl show -p MainPID --value ${unit}`);

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Outcome {
  runId: string;
  command: string;
  state: Record<string, string>;
  exitCode: Record<string, number | null>;
  out: Record<string, string>;
  err: Record<string, string>;
}

function collect(runId: string, command: string): Outcome {
  const o: Outcome = { runId, command, state: {}, exitCode: {}, out: {}, err: {} };
  for (const s of statuses.filter((x) => x.runId === runId)) {
    o.state[s.hostId] = s.state;
    o.exitCode[s.hostId] = s.exitCode;
  }
  for (const b of outputs.filter((x) => x.runId === runId)) {
    for (const c of b.chunks) {
      const into = c.stream === 'stdout' ? o.out : o.err;
      into[b.hostId] = (into[b.hostId] ?? '') + c.text;
    }
  }
  return o;
}

async function act(actionId: string, params: ParamValues = {}, hosts: HostId[] = [H1], typed?: string): Promise<Outcome> {
  exercised.add(actionId);
  const p = svc.preview({ actionId, params, hostIds: hosts });
  const { runId } = svc.run({ token: p.token, typedConfirmation: typed });
  await svc.settled(runId);
  return collect(runId, p.command);
}

/** Start a streaming action, wait until its output contains `until`, cancel it. */
async function follow(actionId: string, params: ParamValues, until: RegExp): Promise<Outcome> {
  exercised.add(actionId);
  const p = svc.preview({ actionId, params, hostIds: [H1] });
  const { runId } = svc.run({ token: p.token });
  await waitFor(`${actionId} output matching ${until}`, async () => until.test(collect(runId, p.command).out[H1] ?? ''));
  expect(svc.cancel(runId)).toBe(true);
  await svc.settled(runId);
  return collect(runId, p.command);
}

beforeAll(async () => {
  fleet = await startFleet({ name: FLEET, hosts: 2 });
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-catalog-'));
  const redactor = new Redactor();
  pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 } });
  pool.setHosts(
    fleet.hosts.map((h) => ({
      id: h.name as HostId,
      address: h.address,
      port: h.sshPort,
      user: 'root',
      privateKeyPath: fleet.privateKeyPath,
      knownHostsPath: fleet.knownHostsPath,
    })),
  );
  audit = new AuditLog({ path: join(dir, 'audit.jsonl'), clock: systemClock, redactor });
  svc = new ActionService({
    executor: pool,
    audit,
    redactor,
    hostLookup: (id) => (fleet.hosts.some((h) => h.name === id) ? { id, label: id } : undefined),
    user: 'fleet-test',
    clock: systemClock,
    timers: systemTimers,
    randomBytes,
    emitOutput: (p) => outputs.push(p),
    emitStatus: (p) => statuses.push(p),
  });
  for (const h of [H1, H2]) {
    await waitFor(
      `${h}: autotrader units up and queues seeded`,
      async () => {
        const r = await fleet.exec(
          h,
          'systemctl is-active -q autotrader-api autotrader-ingestion autotrader-workers && test -e /var/lib/autotrader/queues-seeded && curl -sf -o /dev/null http://127.0.0.1:8000/api/health/circuit-breakers',
        );
        return r.code === 0;
      },
      60_000,
    );
  }
}, 300_000);

afterAll(async () => {
  await svc?.stopAll();
  await pool?.close();
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the catalog on real systemd hosts', () => {
  it('service.restart, .stop, .start and .status change and report the unit', async () => {
    const before = [await mainPid(H1, 'autotrader-ingestion'), await mainPid(H2, 'autotrader-ingestion')];
    const restart = await act('service.restart', { unit: 'autotrader-ingestion' }, [H1, H2]);
    expect(restart.command).toBe('systemctl restart autotrader-ingestion');
    expect(restart.state).toEqual({ [H1]: 'succeeded', [H2]: 'succeeded' });
    const after = [await mainPid(H1, 'autotrader-ingestion'), await mainPid(H2, 'autotrader-ingestion')];
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after.every((pid) => Number(pid) > 0)).toBe(true);

    expect((await act('service.stop', { unit: 'autotrader-workers' })).state[H1]).toBe('succeeded');
    expect((await fleet.exec(H1, 'systemctl is-active autotrader-workers')).stdout.trim()).toBe('inactive');
    const stopped = await act('service.status', { unit: 'autotrader-workers' });
    expect(stopped.exitCode[H1]).toBe(3); // systemctl status: not running
    expect(stopped.out[H1]).toMatch(/Active: inactive/);
    expect((await act('service.start', { unit: 'autotrader-workers' })).state[H1]).toBe('succeeded');
    expect(await sh(H1, 'systemctl is-active autotrader-workers')).toBe('active');
    const running = await act('service.status', { unit: 'autotrader-workers' });
    expect(running.state[H1]).toBe('succeeded');
    expect(running.out[H1]).toMatch(/Active: active \(running\)/);
  });

  it('services.* act on all three units, the restart rolling host by host', async () => {
    const units = ['autotrader-api', 'autotrader-ingestion', 'autotrader-workers'];
    const before = await Promise.all([H1, H2].flatMap((h) => units.map((u) => mainPid(h, u))));
    const restart = await act('services.restart', {}, [H1, H2]);
    expect(restart.state).toEqual({ [H1]: 'succeeded', [H2]: 'succeeded' });
    const after = await Promise.all([H1, H2].flatMap((h) => units.map((u) => mainPid(h, u))));
    after.forEach((pid, i) => expect(pid, `${i}`).not.toBe(before[i]));
    // rolling: the second host started only after the first finished
    const order = statuses.filter((s) => s.runId === restart.runId && s.state !== 'queued').map((s) => `${s.hostId}:${s.state}`);
    expect(order).toEqual([`${H1}:running`, `${H1}:succeeded`, `${H2}:running`, `${H2}:succeeded`]);

    expect((await act('services.stop', {}, [H2])).state[H2]).toBe('succeeded');
    expect((await fleet.exec(H2, 'systemctl is-active autotrader-api autotrader-ingestion autotrader-workers')).stdout.split('\n').filter(Boolean)).toEqual([
      'inactive',
      'inactive',
      'inactive',
    ]);
    const down = await act('services.status', {}, [H2]);
    expect(down.exitCode[H2]).toBe(3);
    expect((await act('services.start', {}, [H2])).state[H2]).toBe('succeeded');
    expect(await sh(H2, 'systemctl is-active autotrader-api autotrader-ingestion autotrader-workers')).toBe('active\nactive\nactive');
    expect((await act('services.status', {}, [H2])).state[H2]).toBe('succeeded');
  });

  it('journal and log actions show the lines with FA ids and keys redacted', async () => {
    const tail = await act('journal.tail', { unit: 'autotrader-ingestion', lines: 200 });
    expect(tail.state[H1]).toBe('succeeded');
    expect(tail.out[H1]).toMatch(/ingestion starting pid=\d+/);
    expect(tail.out[H1]).toContain('fa=[REDACTED]');
    expect(tail.out[H1]).toContain('COINGECKO_API_KEY=[REDACTED]');
    expect(tail.out[H1]).toContain('Authorization: Bearer [REDACTED]');
    for (const secret of ['DU1234567', 'CG-opsdeckTestbedKey7Qm2xR9', 'b3BzZGVjay10ZXN0YmVk']) expect(tail.out[H1]).not.toContain(secret);

    // the stand-in services log every start; errors only every 30 s, too slow to wait for here
    const matched = await act('journal.errors', { unit: 'autotrader-ingestion', since: '1 hour ago', match: 'opened' });
    expect(matched.state[H1]).toBe('succeeded');
    const lines = matched.out[H1]!.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/INFO ingestion: ibkr gateway session opened fa=\[REDACTED\] port=4001$/);

    const priority = await act('journal.priority', { unit: 'autotrader-ingestion', since: '1 hour ago', priority: 'info' });
    expect(priority.state[H1]).toBe('succeeded');
    expect(priority.out[H1]).toMatch(/Started autotrader-ingestion\.service/);

    const logTail = await act('logs.tail', { file: 'workers', lines: 50 });
    expect(logTail.out[H1]).toMatch(/workers starting pid=\d+ WORKER_COUNT=\d+/);
    expect(logTail.out[H1]).toContain('webhook token=[REDACTED]');
    expect(logTail.out[H1]).not.toContain('sk-opsdeck-testbed');

    const logErrors = await act('logs.errors', { match: 'opened', lines: 5 });
    expect(logErrors.state[H1]).toBe('succeeded');
    expect(logErrors.out[H1]).toMatch(/^\/var\/log\/autotrader\/ingestion\.log:.*session opened fa=\[REDACTED\]/m);
    expect(logErrors.out[H1]).not.toContain('DU1234567');
  });

  it('journal.follow and logs.follow stream new lines live and cancel stops them on the host', async () => {
    await sh(H1, 'systemctl restart autotrader-workers');
    const j = await follow('journal.follow', { unit: 'autotrader-workers', lines: 5 }, /queue depths/);
    expect(j.state[H1]).toBe('cancelled');
    const l = await follow('logs.follow', { file: 'workers', lines: 5 }, /queue depths/);
    expect(l.state[H1]).toBe('cancelled');
    await waitFor(
      'the remote journalctl -f and log follower to end',
      async () => (await fleet.exec(H1, 'pgrep -f "[j]ournalctl -u autotrader-workers -f|[/]var/log/autotrader/workers[.]log 5 -$"')).code === 1,
      10_000,
    );
  });

  it('logrotate.dry-run changes nothing; logrotate.force rotates the logs', async () => {
    const dry = await act('logrotate.dry-run');
    expect(dry.state[H1]).toBe('succeeded');
    expect((dry.err[H1] ?? '') + (dry.out[H1] ?? '')).toMatch(/\/var\/log\/autotrader\/\*\.log/);
    expect((await fleet.exec(H1, 'ls /var/log/autotrader/ingestion.log.1')).code).not.toBe(0);
    const force = await act('logrotate.force');
    expect(force.state[H1]).toBe('succeeded');
    expect(await sh(H1, 'ls /var/log/autotrader/')).toMatch(/ingestion\.log\.1/);
  });

  it('queue.list and queue.peek show the backlog; queue.clear needs the typed name and empties it', async () => {
    const list = await act('queue.list');
    expect(list.out[H1]).toBe('worker:alerts:queue 3\nworker:scanner:queue 120\n');
    const peek = await act('queue.peek', { queue: 'worker:scanner:queue', count: 2 });
    expect(peek.out[H1]).toMatch(/^length 120\n\{"id":"scan-0001".*\n\{"id":"scan-0002".*\n$/);
    const p = await svc.previewChecked({ actionId: 'queue.clear', params: { queue: 'worker:scanner:queue' }, hostIds: [H1] });
    expect(p.confirmation).toEqual({ kind: 'typed', text: 'worker:scanner:queue' });
    expect(p.precheck).toEqual({ label: 'Jobs in the queue now', hosts: [{ hostId: H1, text: '120 jobs in worker:scanner:queue (type: list)', ok: true }] });
    expect(() => svc.run({ token: p.token, typedConfirmation: 'worker:alerts:queue' })).toThrow(/typed confirmation does not match/);
    expect(await sh(H1, 'redis-cli LLEN worker:scanner:queue')).toBe('120');
    const clear = await act('queue.clear', { queue: 'worker:scanner:queue' }, [H1], 'worker:scanner:queue');
    expect(clear.out[H1]).toBe('deleting worker:scanner:queue (120 jobs)\nkeys deleted: 1\n');
    expect(await sh(H1, 'redis-cli LLEN worker:scanner:queue')).toBe('0');
    expect(await sh(H1, 'redis-cli LLEN worker:alerts:queue')).toBe('3');
    expect(await sh(H2, 'redis-cli LLEN worker:scanner:queue')).toBe('120');
  });

  it('workers.scale writes WORKER_COUNT with a backup and restarts the workers with it', async () => {
    const before = await mainPid(H1, 'autotrader-workers');
    const original = await sh(H1, 'cat /etc/autotrader/env');
    const scale = await act('workers.scale', { count: 4 });
    expect(scale.state[H1]).toBe('succeeded');
    const env = await sh(H1, 'cat /etc/autotrader/env');
    expect(env.match(/^WORKER_COUNT=.*$/gm)).toEqual(['WORKER_COUNT=4']);
    expect(env.replace('WORKER_COUNT=4\n', '').replace(/\nWORKER_COUNT=4$/, '')).toBe(original.replace(/^WORKER_COUNT=.*\n/m, ''));
    expect(await sh(H1, 'cat /etc/autotrader/env.bak.*')).toBe(original);
    expect(await sh(H1, 'stat -c %a /etc/autotrader/env')).toBe(await sh(H1, 'stat -c %a /etc/autotrader/env.bak.*'));
    expect(await mainPid(H1, 'autotrader-workers')).not.toBe(before);
    await waitFor('workers to log WORKER_COUNT=4', async () =>
      (await fleet.exec(H1, 'journalctl -u autotrader-workers -n 20 --no-pager')).stdout.includes('WORKER_COUNT=4'),
    );
  });

  it('config edits show a diff first, then change one line with comments kept, backed up, and offer a restart', async () => {
    const file = '/opt/autotrader/configs/ingestion.yaml';
    const original = await sh(H1, `cat ${file}`);
    const diff = await act('config.update-frequency.diff', { seconds: 300 });
    expect(diff.out[H1]).toContain('-update_frequency_seconds: 60\n+update_frequency_seconds: 300\n');
    expect(diff.out[H1]).toContain('dry run');
    expect(await sh(H1, `cat ${file}`)).toBe(original);
    // the .set action's own preview shows the same diff before confirm, and writes nothing either
    const checked = await svc.previewChecked({ actionId: 'config.update-frequency.set', params: { seconds: 300 }, hostIds: [H1] });
    expect(checked.precheck!.label).toBe('Change to configs/ingestion.yaml');
    expect(checked.precheck!.hosts[0]!.text).toContain('-update_frequency_seconds: 60\n+update_frequency_seconds: 300\n');
    expect(await sh(H1, `cat ${file}`)).toBe(original);

    const set = await act('config.update-frequency.set', { seconds: 300 });
    expect(set.state[H1]).toBe('succeeded');
    expect(await sh(H1, `cat ${file}`)).toBe(original.replace('update_frequency_seconds: 60', 'update_frequency_seconds: 300'));
    expect(await sh(H1, `cat ${file}.bak.*`)).toBe(original);
    expect(await sh(H1, `ls -A /opt/autotrader/configs`)).not.toMatch(/^\.ingestion/m); // no temp file left
    expect(svc.catalog.followUp('config.update-frequency.set')).toEqual({ actionId: 'service.restart', params: { unit: 'autotrader-ingestion' } });
    await act('service.restart', { unit: 'autotrader-ingestion' });
    await waitFor('ingestion to start with the new frequency', async () =>
      (await fleet.exec(H1, 'journalctl -u autotrader-ingestion -n 30 --no-pager')).stdout.includes('update_frequency_seconds=300'),
    );

    const sec = '/opt/autotrader/configs/security.yaml';
    const secOriginal = await sh(H1, `cat ${sec}`);
    expect((await act('config.fa-scrubbing.diff')).out[H1]).toContain('-ibkr_fa_scrubbing: false\n+ibkr_fa_scrubbing: true\n');
    expect((await act('config.fa-scrubbing.set')).state[H1]).toBe('succeeded');
    expect(await sh(H1, `cat ${sec}`)).toBe(secOriginal.replace('ibkr_fa_scrubbing: false', 'ibkr_fa_scrubbing: true'));
    const again = await act('config.fa-scrubbing.set');
    expect(again.out[H1]).toContain('already true, nothing to change');
  });

  it('health API checks print what the host sees; breaker.reset closes a breaker', async () => {
    for (const [id, key] of [
      ['check.rate-limits', 'rate_limits'],
      ['check.security', 'checks'],
      ['check.circuit-breakers', 'breakers'],
    ] as const) {
      const r = await act(id);
      expect(r.state[H1], id).toBe('succeeded');
      expect(JSON.parse(r.out[H1]!)).toHaveProperty(key);
    }
    const breakerState = async () =>
      (JSON.parse(await sh(H1, 'curl -sf http://127.0.0.1:8000/api/health/circuit-breakers')) as { breakers: Record<string, { state: string }> }).breakers
        .coingecko_api!.state;
    await sh(H1, `curl -sf -X POST -H 'content-type: application/json' -d '{"name":"breaker-open"}' http://127.0.0.1:8000/_sim/scenario`);
    expect(await breakerState()).toBe('OPEN');
    const reset = await act('breaker.reset', { breaker: 'coingecko_api' });
    expect(reset.out[H1]).toBe('reset coingecko_api through the API (HTTP 200)\n');
    expect(await breakerState()).toBe('CLOSED');
  });

  it('host checks report without revealing a secret', async () => {
    // what the check should say, worked out from the host's own environment file
    const env = await sh(H1, 'cat /etc/autotrader/env');
    const vars = ['COINGECKO_API_KEY', 'ALPACA_API_KEY', 'ALPACA_SECRET_KEY', 'GROQ_API_KEY', 'ETHERSCAN_API_KEY', 'ETHEREUM_RPC_URL'];
    const isSet = (v: string) => new RegExp(`^(export )?${v}=\\S`, 'm').test(env);
    const missing = vars.filter((v) => !isSet(v)).length;
    expect(missing).toBeGreaterThan(0); // the fleet leaves GROQ and ETHERSCAN unset on purpose
    const keys = await act('check.api-keys');
    expect(keys.exitCode[H1]).toBe(1);
    expect(keys.out[H1]).toBe(vars.map((v) => (isSet(v) ? `set      ${v}\n` : `MISSING  ${v}\n`)).join('') + `${missing} missing\n`);
    for (const line of env.split('\n').filter((l) => /^[A-Z_]+=/.test(l))) expect(keys.out[H1]).not.toContain(line.split('=')[1]);

    const fa = await act('check.fa-patterns', { lines: 5 });
    expect(fa.state[H1]).toBe('succeeded');
    expect(fa.out[H1]).toMatch(/^\/var\/log\/autotrader\/ingestion\.log: [1-9]\d* lines$/m);
    expect(fa.out[H1]).toMatch(/total: [1-9]\d* lines with FA account patterns/);
    expect(fa.out[H1]).toContain('fa=[REDACTED]');
    expect(fa.out[H1]).not.toContain('DU1234567');

    const ib = await act('check.ib-gateway');
    expect(ib.exitCode[H1]).toBe(1);
    expect(ib.out[H1]).toBe('IB Gateway / TWS processes:\n  none running\nport 4001: NOT accepting connections\n');
    // the test hosts have no gateway to restart: the run fails and says so, nothing is started
    const gatewayRestart = await act('ibgateway.restart');
    expect(gatewayRestart.exitCode[H1]).toBe(1);
    expect(gatewayRestart.err[H1]).toBe('no ./ibgateway in /opt/autotrader: this host has no IB Gateway control script to restart\n');

    await fleet.exec(H1, 'rm -f /root/.config/autotrader/questrade_token.json');
    const none = await act('check.questrade-token');
    expect(none.exitCode[H1]).toBe(1);
    expect(none.err[H1]).toContain('no token file at /root/.config/autotrader/questrade_token.json');
    const refresh = await act('questrade.refresh-token');
    expect(refresh.out[H1]).toMatch(/^questrade token written to \/root\/\.config\/autotrader\/questrade_token\.json, expires /);
    const token = await act('check.questrade-token');
    expect(token.state[H1]).toBe('succeeded');
    expect(token.out[H1]).toMatch(/expires at .* \((29\.9|30\.0) days from now\)/);
    expect(token.out[H1]).not.toMatch(/qt-[0-9a-f]{32}/);

    // the test hosts have no route out: every upstream look-up fails, and says which
    const up = await act('check.upstream', { upstream: 'all' });
    expect(up.exitCode[H1]).toBe(1);
    expect(up.out[H1]).toContain('coingecko: DNS look-up of api.coingecko.com FAILED');
    expect(up.out[H1]).toContain('dexscreener: DNS look-up of api.dexscreener.com FAILED');
    expect(up.out[H1]).toMatch(
      isSet('ETHEREUM_RPC_URL') ? /^ethereum-rpc: (request FAILED|eth_blockNumber ->)/m : /^ethereum-rpc: ETHEREUM_RPC_URL is not set/m,
    );

    const audit = await act('check.pip-audit');
    expect(audit.out[H1]).toBe('pip-audit is not installed on this host\n');
  });

  it('journal.follow survives a dropped connection: it resumes from the cursor, no line lost or repeated', async () => {
    const follower = new ActionService({
      catalog: parseCatalog(
        `version: 1
actions:
  - id: test.follow-seq
    title: Follow a tag
    section: data-freshness
    risk: read-only
    streams: true
    params: [{ name: tag, label: Tag, kind: string, pattern: "opsdeck-seq-[a-z0-9]{1,12}" }]
    command: [journalctl, -t, "{tag}", -f, -n, "0", --no-pager, -o, json]
    resume: journal-cursor
    resumeCommand: [journalctl, -t, "{tag}", -f, --no-pager, -o, json, "--after-cursor={cursor}"]
    timeoutSeconds: 0
`,
        'resume test',
      ),
      executor: pool,
      audit,
      redactor: new Redactor(),
      hostLookup: (id) => ({ id, label: id }),
      user: 'fleet-test',
      clock: systemClock,
      timers: systemTimers,
      randomBytes,
      emitOutput: (p) => outputs.push(p),
      emitStatus: (p) => statuses.push(p),
      limits: { resumeDelayMs: 200 },
    });
    const tag = `opsdeck-seq-${Date.now().toString(36)}`;
    const { runId } = follower.run({ token: follower.preview({ actionId: 'test.follow-seq', params: { tag }, hostIds: [H1] }).token });
    const seen = () => [...(collect(runId, '').out[H1] ?? '').matchAll(/: seq (\d+)$/gm)].map((m) => Number(m[1]));
    // journalctl -n 0 starts at the journal's end once it has opened it: write until it shows
    await waitFor('the follow to show a first line', async () => {
      await fleet.exec(H1, `echo ready | systemd-cat -t ${tag}`);
      await new Promise((r) => setTimeout(r, 100));
      return /: ready$/m.test(collect(runId, '').out[H1] ?? '');
    });
    const writer = fleet.exec(H1, `systemd-cat -t ${tag} sh -c 'for i in $(seq 1 300); do echo "seq $i"; sleep 0.01; done'`, { timeoutMs: 60_000 });
    await waitFor('some lines before the drop', async () => seen().length >= 40);
    // Drop the SSH connection from the host's side: kill the sshd process serving our session.
    const killed = await fleet.exec(H1, `pkill -KILL -f "[s]shd: root@notty"`);
    expect(killed.code).toBe(0);
    expect((await writer).code).toBe(0);
    await waitFor('every line after the resume', async () => seen().includes(300), 30_000);
    expect(follower.cancel(runId)).toBe(true);
    await follower.settled(runId);
    expect(seen()).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(collect(runId, '').err[H1]).toMatch(/\[opsdeck\] .*connection lost.*; resuming in 0\.2 s from the last entry shown/);
    const notes = (await audit.read(1000)).filter((r) => r.runId === runId && r.kind === 'note');
    expect(notes.length).toBeGreaterThanOrEqual(1);
    expect(notes[0]!.command).toMatch(new RegExp(`^journalctl -t ${tag} -f --no-pager -o json '--after-cursor=s=[0-9a-f]+;i=`));
    expect(notes[0]!.outcome).toMatch(/^resumed after a lost connection/);
  });

  it('logs.follow survives a dropped connection and a log rotation meanwhile: it resumes at the byte after the last line, no line lost or repeated', async () => {
    const file = '/var/log/autotrader/ingestion.log';
    const { runId } = svc.run({ token: svc.preview({ actionId: 'logs.follow', params: { file: 'ingestion', lines: 0 }, hostIds: [H1] }).token });
    const seen = () => [...(collect(runId, '').out[H1] ?? '').matchAll(/^follow seq (\d+)$/gm)].map((m) => Number(m[1]));
    await waitFor('the follower to run', async () => (await fleet.exec(H1, 'pgrep -f "[/]var/log/autotrader/ingestion[.]log 0 -$"')).code === 0);
    await sh(H1, `for i in $(seq 1 100); do echo "follow seq $i" >> ${file}; done`);
    await waitFor('the lines before the drop', async () => seen().includes(100));
    // Drop the SSH connection from the host's side (kill the sshd process serving our session),
    // then, during the outage, more lines, a rotation (the file moves to .1, a new one is
    // created) and more lines in the new file: the resume must read the rest of .1 first.
    expect((await fleet.exec(H1, `pkill -KILL -f "[s]shd: root@notty"`)).code).toBe(0);
    await sh(
      H1,
      `for i in $(seq 101 150); do echo "follow seq $i" >> ${file}; done; logrotate -f /etc/logrotate.d/autotrader; for i in $(seq 151 300); do echo "follow seq $i" >> ${file}; done`,
    );
    expect(await sh(H1, `grep -c '^follow seq' ${file}.1`)).toBe('150');
    await waitFor('every line after the resume', async () => seen().includes(300), 30_000);
    expect(svc.cancel(runId)).toBe(true);
    await svc.settled(runId);
    expect(seen()).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    // no follower prefix reaches the engineer
    expect(collect(runId, '').out[H1]).not.toMatch(/^\d+:\d+\t/m);
    expect(collect(runId, '').err[H1]).toMatch(/\[opsdeck\] .*; resuming in 0\.5 s from the last entry shown/);
    const notes = (await audit.read(1000)).filter((r) => r.runId === runId && r.kind === 'note');
    expect(notes.length).toBeGreaterThanOrEqual(1);
    expect(notes[0]!.command).toMatch(/ \/var\/log\/autotrader\/ingestion\.log 0 \d+:\d+$/);
  });

  it('exercised every action in the catalog, and the audit chain holds', async () => {
    expect(
      svc.catalog
        .all()
        .map((a) => a.id)
        .filter((id) => !exercised.has(id)),
    ).toEqual([]);
    expect(await audit.verify()).toMatchObject({ ok: true });
    const text = JSON.stringify(await audit.read(1000));
    for (const secret of ['DU1234567', 'CG-opsdeckTestbedKey7Qm2xR9', 'opsdeck-testbed-alpaca-secret']) expect(text).not.toContain(secret);
  });
});
