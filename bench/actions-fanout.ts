// The action path's speed figures, all measured in the same run at a 25 ms round trip (a userspace
// delay proxy in front of every host, see testbed/delay-proxy.ts):
//   1. one read-only action on a warm session: Opsdeck's SessionPool.exec (as a click, and back
//      to back with two spares and with one), and the whole ActionService path from the confirm
//      (run with the preview's token) to the output in the view and to the run finished, stage
//      by stage, against the same command's bare exec and the OpenSSH client through an
//      established ControlMaster;
//   2. `systemctl restart autotrader-ingestion` on 20 hosts: Opsdeck's fan-out over warm
//      sessions, against parallel-ssh and `ansible -m shell -f 20`, and the floor under all
//      of them: the same restarts run inside the hosts at once, without SSH.
// Also printed, to see where a warm action's time goes: the exec wrapper's cost on a host,
// SessionPool.exec without the spare session (spareSessions: false), the read-only action with
// the team envelope beside the one without, and what one more sh and one journal entry cost over
// the same warm link, in the same run.
// One file because every figure must come from the same run against the same hosts and proxy.
// Run as root on the test machine:  node bench/run.mjs actions-fanout [--hosts 20] [--rounds 30]
//   [--rtt 25] [--warm-only: part 1 alone] [--profile FILE: CPU profile of the paced rounds]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { Session } from 'node:inspector/promises';
import type { HostId } from '../common/contract';
import { ActionService } from '../main/core/actions/ActionService';
import { loadCatalogFile } from '../main/core/actions/Catalog';
import { AuditLog } from '../main/core/audit/AuditLog';
import { systemClock } from '../main/core/clock';
import { Redactor } from '../main/core/redact/Redactor';
import { READ_ONLY_PRELUDE } from '../main/core/team/hostEnvelope';
import { TeamEnvelope } from '../main/core/team/TeamEnvelope';
import { shellQuote } from '../main/core/shellQuote';
import { wrapCommand } from '../main/core/ssh/execWrapper';
import { SessionPool } from '../main/core/ssh/SessionPool';
import { startDelayProxy, type DelayProxy } from '../testbed/delay-proxy';
import { startFleet } from '../testbed/fleet';
import { benchCommand, COMPILED, recordResult } from './support';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '30' },
    rtt: { type: 'string', default: '25' },
    // part 1 only (the warm exec and the action path), for iterating on them: skips the
    // restarts, parallel-ssh and Ansible, which take minutes
    'warm-only': { type: 'boolean', default: false },
    // a CPU profile of the paced rounds only (the profiler inflates their times)
    profile: { type: 'string' },
  },
});
const WARM_ONLY = values['warm-only'];
const HOSTS = Number(values.hosts);
const ROUNDS = Number(values.rounds);
const ONE_WAY = Number(values.rtt) / 2;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const p = (q: number, xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

// A command's own time on a host: bash's clock read just before and just after it, so no `date`
// process (its fork and start) is counted in it.
const ownTimeCommand = (command: string) => `bash -c ${shellQuote(`a=$EPOCHREALTIME; ${command} >/dev/null 2>&1; b=$EPOCHREALTIME; echo "$a $b"`)}`;
function ownTimeOf(stdout: string): number {
  const [a, b] = stdout.trim().replace(/,/g, '.').split(/\s+/).map(Number);
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`own time: unexpected output ${JSON.stringify(stdout)}`);
  return (b! - a!) * 1000;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-bench-'));
console.log(`booting ${HOSTS} nspawn hosts…`);
// unique per process: another run of this bench or a test fleet may be up at the same time
const fleet = await startFleet({ name: `bench${process.pid % 100000}`, hosts: HOSTS });
const proxies: DelayProxy[] = [];
// as the app builds it on a real fleet: its spares hold the team envelope's read-only body
const pool = new SessionPool({ maxConcurrentHandshakes: 32, sparePrelude: READ_ONLY_PRELUDE });
// the same hosts without the spare session: the classic channel open + exec request
const plainPool = new SessionPool({ maxConcurrentHandshakes: 32, spareSessions: false });
// and with one spare always, as before a busy host kept two (busySpareWindowMs: 0)
const onePool = new SessionPool({ maxConcurrentHandshakes: 32, busySpareWindowMs: 0 });
const echo = createServer((socket) => {
  socket.setNoDelay(true);
  socket.pipe(socket);
});
let echoProxy: DelayProxy | null = null;
const loadAt = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
// Measure the hosts at rest, not while they boot: each host's boot jobs (units starting, the
// journal flushed) would otherwise run beside the first rounds on the same 2 cores.
await Promise.all(fleet.hosts.map((host) => fleet.exec(host.name, 'systemctl is-system-running --wait')));
const loadStart = loadAt();
try {
  for (const host of fleet.hosts) proxies.push(await startDelayProxy({ target: { host: host.address, port: host.sshPort }, delayMs: ONE_WAY }));
  // known_hosts under the proxies' loopback ports: the same keys, other names.
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, fleet.hosts.map((host, i) => host.hostKeyLine.replace(/^\S+/, `[127.0.0.1]:${proxies[i]!.port}`)).join('\n') + '\n');
  const ids = fleet.hosts.map((_h, i) => `h${i + 1}` as HostId);
  const targets = ids.map((id, i) => ({
    id,
    address: '127.0.0.1',
    port: proxies[i]!.port,
    user: 'root',
    privateKeyPath: fleet.privateKeyPath,
    knownHostsPath: knownHosts,
  }));
  pool.setHosts(targets);
  plainPool.setHosts(targets.slice(0, 1));
  onePool.setHosts(targets.slice(0, 1));
  const sshOpts = [
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-i',
    fleet.privateKeyPath,
    '-o',
    'LogLevel=ERROR',
  ];

  // ---- 1. warm read-only action ---------------------------------------------------------
  // One round trip as the link gives it: one byte to a TCP echo server behind the same kind of
  // delay proxy and back, on an established connection (the proxy's own overhead included).
  const rtt = await (async () => {
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
    echoProxy = await startDelayProxy({ target: { host: '127.0.0.1', port: (echo.address() as { port: number }).port }, delayMs: ONE_WAY });
    const { connect } = await import('node:net');
    const socket = connect({ host: '127.0.0.1', port: echoProxy.port, noDelay: true });
    await new Promise((resolve) => socket.once('connect', resolve));
    const samples: number[] = [];
    for (let i = 0; i < Math.max(10, ROUNDS); i++) {
      samples.push(
        await time(
          () =>
            new Promise((resolve) => {
              socket.once('data', resolve);
              socket.write('x');
            }),
        ),
      );
    }
    socket.destroy();
    return median(samples);
  })();
  // what earlier runs of this bench called one round trip: TCP connect to sshd's banner, which
  // adds sshd's own accept and fork (about 15 ms on this machine) to the link's round trip
  const bannerRtt = await (async () => {
    const samples: number[] = [];
    const { connect } = await import('node:net');
    for (let i = 0; i < 10; i++) {
      samples.push(
        await time(
          () =>
            new Promise<void>((resolve, reject) => {
              const socket = connect({ host: '127.0.0.1', port: proxies[0]!.port, noDelay: true });
              socket.once('data', () => {
                socket.destroy();
                resolve();
              });
              socket.once('error', reject);
            }),
        ),
      );
    }
    return median(samples);
  })();

  await Promise.all([...ids.map((id) => pool.connect(id)), plainPool.connect(ids[0]!), onePool.connect(ids[0]!)]);
  const command = 'systemctl is-active autotrader-api';
  // the read-only action below (service.status) runs a different command; its own time is read in
  // the paced rounds beside it (systemctl status reads the journal, which the runs themselves grow)
  const actionCommand = 'systemctl status autotrader-api --no-pager -n 10';
  const poolSamples: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) poolSamples.push(await time(() => pool.exec(ids[0]!, command)));
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPerExec = (cpu.user + cpu.system) / 1000 / ROUNDS;
  const oneSpareSamples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) oneSpareSamples.push(await time(() => onePool.exec(ids[0]!, command)));
  // Back to back (above), each command finds the next spare still starting: OpenSSH opens a
  // session's window only once its exec has started, two round trips after the channel was
  // asked for (docs/ssh.md). An engineer's click comes after a pause, when the spare is ready:
  // that is the case the target describes, measured here with 300 ms between commands.
  const pause = () => new Promise((resolve) => setTimeout(resolve, 300));
  // The command's own time is read in these rounds, alternated with them, so that the host's and
  // the machine's drift falls on both alike.
  const ownTimeViaPool = async (of: string) => {
    let out = '';
    await pool.exec(ids[0]!, ownTimeCommand(of), { onStdout: (chunk) => (out += chunk) });
    return ownTimeOf(out);
  };
  const pausedSamples: number[] = [];
  const ownSamples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await pause();
    ownSamples.push(await ownTimeViaPool(command));
    await pause();
    pausedSamples.push(await time(() => pool.exec(ids[0]!, command)));
  }
  const ownCost = median(ownSamples);
  const poolTrue: number[] = [];
  for (let i = 0; i < ROUNDS; i++) poolTrue.push(await time(() => pool.exec(ids[0]!, 'true')));
  const plainSamples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) plainSamples.push(await time(() => plainPool.exec(ids[0]!, command)));
  const plainTrue: number[] = [];
  for (let i = 0; i < ROUNDS; i++) plainTrue.push(await time(() => plainPool.exec(ids[0]!, 'true')));

  // The exec wrapper's cost on a host, without SSH: 20 runs of `true` under bash -c (as sshd
  // starts a command) bare and wrapped, each in a session of its own (the wrapper signals its
  // process group) with stdin a pipe that stays open, as the channel's does.
  const wrapperCost = await (async () => {
    const loop = (inner: string) =>
      [
        'f=$(mktemp -u) && mkfifo "$f" && { sleep 60 >"$f" & s=$!; } && exec 8<"$f"',
        `t=$(date +%s%N); for i in $(seq 20); do setsid -w bash -c ${shellQuote(inner)} <&8; done; echo $(( ($(date +%s%N)-t)/20000 ))`,
        'kill "$s"; rm -f "$f"',
      ].join('\n');
    const perRun = async (inner: string) => {
      const r = await fleet.exec(fleet.hosts[0]!.name, loop(inner), { timeoutMs: 60_000 });
      return Number(r.stdout.trim()) / 1000;
    };
    const bare: number[] = [];
    const wrapped: number[] = [];
    for (let i = 0; i < 3; i++) {
      bare.push(await perRun('true'));
      wrapped.push(await perRun(wrapCommand('true')));
    }
    return { bare: median(bare), wrapped: median(wrapped) };
  })();

  const audit = new AuditLog({ path: join(dir, 'audit.jsonl'), clock: systemClock, redactor: new Redactor() });
  const catalog = await loadCatalogFile(new URL('../resources/actions.yaml', import.meta.url).pathname);
  // Where the action path's time goes, stage by stage. The pool, the service and the audit log
  // are the real ones; only the executor port and the view's emitters are wrapped to take the
  // times: the user confirms (run with the preview's token), the intent is written (a read-only
  // action's sync runs on beside its command) and the command goes out (exec called), the
  // command ends (exec resolved), its output reaches the view (the first onRunOutput), the
  // result is fsynced and the run is reported finished.
  type Marks = { intentCalled?: number; intentDone?: number; execCalled?: number; firstOutput?: number; execDone?: number; view?: number; finished?: number };
  let marks: Marks = {};
  const timedExecutor = {
    exec: (id: HostId, cmd: string, opts: Parameters<SessionPool['exec']>[2] = {}) => {
      marks.execCalled = performance.now();
      const onStdout = (chunk: string) => {
        marks.firstOutput ??= performance.now();
        opts.onStdout?.(chunk);
      };
      return pool.exec(id, cmd, { ...opts, onStdout }).finally(() => (marks.execDone = performance.now()));
    },
  };
  // a read-only action's intent: written whole before its command goes out, synced meanwhile
  const timedAudit = {
    append: (entry: Parameters<AuditLog['append']>[0]) => {
      if (entry.kind !== 'intent') return audit.append(entry);
      marks.intentCalled = performance.now();
      return audit.append(entry).finally(() => (marks.intentDone = performance.now()));
    },
    appendWritten: (entry: Parameters<AuditLog['appendWritten']>[0]) => {
      marks.intentCalled = performance.now();
      return audit.appendWritten(entry).finally(() => (marks.intentDone = performance.now()));
    },
  };
  // one service as the console builds it, and the same with the team's host envelope (lock and
  // journal records in the same exec)
  const makeActions = (envelope?: TeamEnvelope) =>
    new ActionService({
      catalog,
      executor: timedExecutor,
      audit: timedAudit,
      redactor: new Redactor(),
      clock: systemClock,
      randomBytes,
      user: 'bench',
      hostLookup: (id) => ({ id, label: id }),
      maxConcurrency: HOSTS,
      blastRadius: HOSTS,
      ...(envelope ? { envelope } : {}),
      emitOutput: () => {
        // the last batch: the whole output is in the view (service.status prints all of it at once)
        marks.view = performance.now();
      },
      emitStatus: (s) => {
        if (s.state !== 'queued' && s.state !== 'running') marks.finished = performance.now();
      },
    });
  const actions = makeActions();
  const teamActions = makeActions(new TeamEnvelope({ user: 'bench', console: 'bench', clock: systemClock }));
  const runAction = async (actionId: string, params: Record<string, string>, hostIds: HostId[]) => {
    const preview = actions.preview({ actionId, params, hostIds });
    const { runId } = actions.run({ token: preview.token });
    await actions.settled(runId);
  };
  const statusParams = { actionId: 'service.status', params: { unit: 'autotrader-api' }, hostIds: [ids[0]!] };
  // The preview is its own step for the user (the dialog shows the command; they confirm), so it
  // is timed apart; the action's time runs from the confirm to the output in the view.
  type Timed = {
    preview: number;
    toView: number;
    toSettled: number;
    toIntent: number;
    intent: number;
    toExec: number;
    exec: number;
    outputEarly: number;
    viewEarly: number;
    result: number;
  };
  const timedAction = async (svc: ActionService = actions): Promise<Timed> => {
    marks = {};
    const t0 = performance.now();
    const preview = svc.preview(statusParams);
    const confirm = performance.now();
    const { runId } = svc.run({ token: preview.token });
    await svc.settled(runId);
    const settled = performance.now();
    const m = marks as Required<Marks>;
    return {
      preview: confirm - t0,
      toView: m.view - confirm,
      toSettled: settled - confirm,
      toIntent: m.intentCalled - confirm,
      intent: m.intentDone - m.intentCalled,
      toExec: m.execCalled - m.intentDone,
      exec: m.execDone - m.execCalled,
      outputEarly: m.execDone - m.firstOutput,
      viewEarly: m.execDone - m.view,
      result: settled - m.execDone,
    };
  };
  const col = (xs: Timed[], k: keyof Timed) => xs.map((x) => x[k]);
  const actionCommandRendered = actions.preview(statusParams).command;
  const backToBack: Timed[] = [];
  for (let i = 0; i < ROUNDS; i++) backToBack.push(await timedAction());
  // The same command through SessionPool.exec alone, paced the same way and alternated with the
  // action's rounds, so that drift in the host or the machine's load falls on both alike: the
  // action path's own cost is the difference.
  const profiler = values.profile ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const pausedBareAction: number[] = [];
  const ownActionSamples: number[] = [];
  const paced: Timed[] = [];
  const pacedTeam: Timed[] = [];
  let bareCpuUs = 0;
  let pacedCpuUs = 0;
  for (let i = 0; i < ROUNDS; i++) {
    await pause();
    ownActionSamples.push(await ownTimeViaPool(actionCommandRendered));
    await pause();
    let c = process.cpuUsage();
    pausedBareAction.push(await time(() => pool.exec(ids[0]!, actionCommandRendered)));
    let d = process.cpuUsage(c);
    bareCpuUs += d.user + d.system;
    await pause();
    c = process.cpuUsage();
    paced.push(await timedAction());
    d = process.cpuUsage(c);
    pacedCpuUs += d.user + d.system;
    await pause();
    pacedTeam.push(await timedAction(teamActions));
  }
  const ownActionCost = median(ownActionSamples);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(values.profile!, JSON.stringify(profile));
    profiler.disconnect();
  }
  // What the envelope's pieces cost as the console sees them, over the same warm link, paced as
  // a click and alternated so drift falls on all three alike: a bare `true`, a `true` behind one
  // more /bin/sh (one fork and exec of sh on the host), and one journal entry written with
  // `logger --journald` (a fork and exec of logger, and journald's work), against the same
  // command alone. The entry's identifier is not opsdeck's, so no console takes it for a run.
  const loggerCommand = "printf 'MESSAGE=bench\\nSYSLOG_IDENTIFIER=opsdeck-bench\\n' | logger --journald";
  const linkTrue: number[] = [];
  const linkShTrue: number[] = [];
  const linkLogger: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await pause();
    linkTrue.push(await time(() => pool.exec(ids[0]!, 'true')));
    await pause();
    linkShTrue.push(await time(() => pool.exec(ids[0]!, '/bin/sh -c true')));
    await pause();
    linkLogger.push(await time(() => pool.exec(ids[0]!, loggerCommand)));
  }

  // the action path writes its intent (before the command) and its result, each fsynced
  const auditSamples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    auditSamples.push(
      await time(() =>
        audit.append({
          kind: 'note',
          user: 'bench',
          runId: `bench-${i}`,
          actionId: 'bench',
          hostId: ids[0]!,
          command: 'true',
          outcome: 'bench: audit append latency',
        }),
      ),
    );
  }

  const control = join(dir, 'cm-%C');
  await run('ssh', [
    ...sshOpts,
    '-o',
    `ControlPath=${control}`,
    '-o',
    'ControlMaster=yes',
    '-o',
    'ControlPersist=120',
    '-fN',
    '-p',
    String(proxies[0]!.port),
    'root@127.0.0.1',
  ]);
  const opensshTrue: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    opensshTrue.push(await time(() => run('ssh', [...sshOpts, '-o', `ControlPath=${control}`, '-p', String(proxies[0]!.port), 'root@127.0.0.1', 'true'])));
  }
  const opensshSamples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    opensshSamples.push(
      await time(() =>
        run('ssh', [...sshOpts, '-o', `ControlPath=${control}`, '-p', String(proxies[0]!.port), 'root@127.0.0.1', command]).catch(() => undefined),
      ),
    );
  }
  await run('ssh', ['-o', `ControlPath=${control}`, '-O', 'exit', '-p', String(proxies[0]!.port), 'root@127.0.0.1']).catch(() => undefined);

  // ---- 2. restart on every host ---------------------------------------------------------
  const part2 = WARM_ONLY
    ? null
    : await (async () => {
        const restart = 'systemctl restart autotrader-ingestion';
        // systemd refuses a 6th start of a unit within 10 s (StartLimitBurst=5): let each measured
        // restart start from a clean slate, outside the timed part.
        const settle = () => new Promise((resolve) => setTimeout(resolve, 11_000));
        // The floor: the same restarts run inside the hosts, all at once, without SSH (nsenter through
        // the fleet helper); and one host's restart alone, its stop and its start timed apart.
        const unit = 'autotrader-ingestion';
        const aloneStop: number[] = [];
        const aloneStart: number[] = [];
        const floorSamples: number[] = [];
        const floorLate: number[] = [];
        for (let i = 0; i < 3; i++) {
          await settle();
          const r = await fleet.exec(
            fleet.hosts[0]!.name,
            `a=$(date +%s%N); systemctl stop ${unit}; b=$(date +%s%N); systemctl start ${unit}; c=$(date +%s%N); echo $(( (b-a)/1000 )) $(( (c-b)/1000 ))`,
          );
          const [stopUs, startUs] = r.stdout.trim().split(' ').map(Number);
          aloneStop.push(stopUs! / 1000);
          aloneStart.push(startUs! / 1000);
          // Starting 20 helper processes (fleet.sh, nsenter) costs more than the restarts on a busy
          // machine, so each host sleeps until a common start time T, restarts, and reports when it
          // ended (the hosts share the machine's clock): the floor is the last end minus the first
          // start. On a loaded machine the sleeps wake late and spread the starts (printed).
          const startAt = BigInt(Date.now() + 5_000) * 1_000_000n;
          const marks = await Promise.all(
            fleet.hosts.map(async (host) => {
              const x = await fleet.exec(
                host.name,
                [
                  `now=$(date +%s%N); d=$(( (${startAt} - now) / 1000000 ))`,
                  `[ "$d" -gt 0 ] && sleep "$(( d / 1000 )).$(printf %03d $(( d % 1000 )))"`,
                  `a=$(date +%s%N); ${restart}; r=$?; b=$(date +%s%N); echo "$a $b"; exit $r`,
                ].join('\n'),
                { timeoutMs: 60_000 },
              );
              if (x.code !== 0) throw new Error(`${host.name}: ${restart} failed: ${x.stderr}`);
              return x.stdout
                .trim()
                .split(' ')
                .map((v) => BigInt(v));
            }),
          );
          const firstStart = marks.reduce((m, [a]) => (a! < m ? a! : m), marks[0]![0]!);
          const lastStart = marks.reduce((m, [a]) => (a! > m ? a! : m), 0n);
          floorSamples.push(Number(marks.reduce((m, [, b]) => (b! > m ? b! : m), 0n) - firstStart) / 1e6);
          floorLate.push(Number(lastStart - firstStart) / 1e6);
        }
        const stopSettings = (
          await fleet.exec(fleet.hosts[0]!.name, `systemctl show ${unit} -p TimeoutStopUSec -p KillSignal -p KillMode -p ExecMainStartTimestampMonotonic`)
        ).stdout
          .trim()
          .replace(/\n/g, ', ');

        const fanoutSamples: number[] = [];
        for (let i = 0; i < 3; i++) {
          await settle();
          fanoutSamples.push(await time(() => runAction('service.restart', { unit: 'autotrader-ingestion' }, ids)));
        }

        const hostsFile = join(dir, 'pssh-hosts');
        writeFileSync(hostsFile, proxies.map((proxy) => `root@127.0.0.1:${proxy.port}`).join('\n') + '\n');
        const psshRun = (file: string, width: number) =>
          run('parallel-ssh', [
            '-h',
            file,
            '-p',
            String(width),
            '-t',
            '60',
            '-O',
            `UserKnownHostsFile=${knownHosts}`,
            '-O',
            'StrictHostKeyChecking=yes',
            '-O',
            'BatchMode=yes',
            '-O',
            'LogLevel=ERROR',
            '-x',
            `-i ${fleet.privateKeyPath}`,
            restart,
          ]);
        const psshSamples: number[] = [];
        // one host alone: what each tool costs per host when the hosts are separate machines, without
        // 20 restarts on 2 cores (that host restarts three times per window, under systemd's five)
        const oneFile = join(dir, 'pssh-one');
        writeFileSync(oneFile, `root@127.0.0.1:${proxies[1]!.port}\n`);
        const psshOne: number[] = [];
        const opsdeckOne: number[] = [];
        for (let i = 0; i < 3; i++) {
          await settle();
          psshSamples.push(await time(() => psshRun(hostsFile, HOSTS)));
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          opsdeckOne.push(await time(() => runAction('service.restart', { unit }, [ids[1]!])));
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          psshOne.push(await time(() => psshRun(oneFile, 1)));
        }

        const inventory = join(dir, 'inventory.ini');
        writeFileSync(
          inventory,
          ['[fleet]', ...proxies.map((proxy, i) => `h${i + 1} ansible_host=127.0.0.1 ansible_port=${proxy.port} ansible_user=root`), ''].join('\n'),
        );
        const ansibleEnv = {
          ...process.env,
          ANSIBLE_HOST_KEY_CHECKING: 'False',
          ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${knownHosts} -o ControlMaster=no`,
          ANSIBLE_PRIVATE_KEY_FILE: fleet.privateKeyPath,
          ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
          ANSIBLE_GATHERING: 'explicit',
        };
        const ansibleSamples: number[] = [];
        for (let i = 0; i < 3; i++) {
          await settle();
          ansibleSamples.push(
            await time(() => run('ansible', ['all', '-i', inventory, '-m', 'shell', '-a', restart, '-f', String(HOSTS)], { env: ansibleEnv })),
          );
        }
        return { unit, aloneStop, aloneStart, floorSamples, floorLate, stopSettings, fanoutSamples, psshSamples, psshOne, opsdeckOne, ansibleSamples };
      })();

  const target = 1.1 * (rtt + ownCost);
  const actionBase = rtt + ownActionCost;
  const actionTarget = 1.1 * actionBase;
  const row = (what: string, xs: number[], ratio: string) => `| ${what} | ${ms(median(xs))} | ${xs.length > 3 ? ms(p(0.9, xs)) : ''} | ${ratio} |`;
  const stages = (xs: Timed[]) =>
    `confirm to the intent's append ${ms(median(col(xs, 'toIntent')))}, the append (written whole; a read-only action's sync runs on beside its command) ${ms(median(col(xs, 'intent')))}, on to the exec ${ms(median(col(xs, 'toExec')))}, exec ${ms(median(col(xs, 'exec')))} (its first output came ${ms(median(col(xs, 'outputEarly')))} before its end, all of it was in the view ${ms(median(col(xs, 'viewEarly')))} before its end); the result synced ${ms(median(col(xs, 'result')))} after its end`;
  const pacedView = median(col(paced, 'toView'));
  const restartRows = (r: NonNullable<typeof part2>) => {
    const fanout = median(r.fanoutSamples);
    const pssh = median(r.psshSamples);
    const floor = median(r.floorSamples);
    return [
      `| one host's \`${r.unit}\` alone: stop / start (inside the host) | ${ms(median(r.aloneStop))} / ${ms(median(r.aloneStart))} | | |`,
      `| restart on ${HOSTS} hosts inside the hosts at once, no SSH: the floor (first start to last end; the starts spread over ${ms(median(r.floorLate))}) | ${ms(floor)} | | ${(floor / fanout).toFixed(2)} x Opsdeck |`,
      `| restart on ${HOSTS} hosts: Opsdeck fan-out (warm sessions) | ${ms(fanout)} | | 1.00 |`,
      `| restart on ${HOSTS} hosts: parallel-ssh -p ${HOSTS} | ${ms(pssh)} | | ${(pssh / fanout).toFixed(1)} x Opsdeck, ${(pssh / floor).toFixed(1)} x the floor |`,
      `| restart on ${HOSTS} hosts: ansible -m shell -f ${HOSTS} | ${ms(median(r.ansibleSamples))} | | ${(median(r.ansibleSamples) / fanout).toFixed(1)} x Opsdeck |`,
      `| restart on 1 host: Opsdeck (warm session) / parallel-ssh | ${ms(median(r.opsdeckOne))} / ${ms(median(r.psshOne))} | | parallel-ssh = ${(median(r.psshOne) / median(r.opsdeckOne)).toFixed(1)} x Opsdeck |`,
      '',
      `Unit stop settings: ${r.stopSettings}.`,
    ];
  };
  const fanoutVerdict = (r: NonNullable<typeof part2>) => {
    const fanout = median(r.fanoutSamples);
    const pssh = median(r.psshSamples);
    const floor = median(r.floorSamples);
    return `- fan-out: parallel-ssh / Opsdeck = ${(pssh / fanout).toFixed(1)} x against 10 x: ${pssh / fanout >= 10 ? 'met' : 'not met'}. No tool can beat the floor, so on this machine the ratio cannot exceed parallel-ssh / floor = ${(pssh / floor).toFixed(1)} x. On separate machines each host's share is the one-host case: ${(median(r.psshOne) / median(r.opsdeckOne)).toFixed(1)} x.`;
  };
  const report = [
    `## Actions: warm action${part2 ? ` and ${HOSTS}-host restart` : ''} at a ${values.rtt} ms round trip`,
    '',
    `Load average (1/5/15 min) at the start: ${loadStart}; at the end: ${loadAt()}.`,
    '',
    `Command: \`${benchCommand('actions-fanout', `--hosts ${HOSTS} --rounds ${ROUNDS} --rtt ${values.rtt}${WARM_ONLY ? ' --warm-only' : ''}`)}\`${values.profile ? ' --profile FILE (the paced rounds are inflated by the profiler)' : ''}, ${COMPILED} (root; ${HOSTS} systemd-nspawn hosts, each behind a userspace delay proxy). Measured ${new Date().toISOString().slice(0, 16)}Z on this 2-core machine.`,
    '',
    '| what | median | p90 | ratio |',
    '| --- | --- | --- | --- |',
    `| one round trip (1 byte to a TCP echo behind the same delay proxy and back) | ${ms(rtt)} | | 1.00 |`,
    `| connect to sshd's banner through the proxy (earlier runs' "round trip": adds sshd's accept) | ${ms(bannerRtt)} | | ${(bannerRtt / rtt).toFixed(2)} x RTT |`,
    row('OpenSSH `true` through an established ControlMaster', opensshTrue, `${(median(opensshTrue) / rtt).toFixed(2)} x RTT`),
    row(
      'Opsdeck SessionPool.exec `true` on a warm session (spare)',
      poolTrue,
      `${(median(poolTrue) / rtt).toFixed(2)} x RTT, ${(median(poolTrue) / median(opensshTrue)).toFixed(2)} x OpenSSH`,
    ),
    row('Opsdeck SessionPool.exec `true`, no spare (channel open + exec request)', plainTrue, `${(median(plainTrue) / rtt).toFixed(2)} x RTT`),
    row(`the command's own time on the host (\`${command}\`, timed by bash around it, one run in each round of the next row)`, ownSamples, ''),
    row('OpenSSH exec through an established ControlMaster', opensshSamples, `${(median(opensshSamples) / rtt).toFixed(2)} x RTT`),
    row(
      '**Opsdeck SessionPool.exec on a warm session, 300 ms after the last command (the spare ready: a click)**',
      pausedSamples,
      `**${(median(pausedSamples) / (rtt + ownCost)).toFixed(2)} x (RTT + own time)**, ${(median(pausedSamples) / median(opensshSamples)).toFixed(2)} x OpenSSH`,
    ),
    row(
      'Opsdeck SessionPool.exec on a warm session, back to back (two spares kept while commands come within 5 s)',
      poolSamples,
      `**${(median(poolSamples) / (rtt + ownCost)).toFixed(2)} x (RTT + own time)**, ${(median(poolSamples) / median(opensshSamples)).toFixed(2)} x OpenSSH; ${cpuPerExec.toFixed(2)} ms CPU each in the bench process (ssh2 and the delay proxies together)`,
    ),
    row(
      'Opsdeck SessionPool.exec on a warm session, back to back, one spare always (busySpareWindowMs: 0; the next spare still starting)',
      oneSpareSamples,
      `${(median(oneSpareSamples) / (rtt + ownCost)).toFixed(2)} x (RTT + own time)`,
    ),
    row('Opsdeck SessionPool.exec, no spare', plainSamples, `${(median(plainSamples) / (rtt + ownCost)).toFixed(2)} x (RTT + own time)`),
    row(
      `the read-only action's command's own time on the host (\`${actionCommand}\`, timed by bash around it, one run in each round below)`,
      ownActionSamples,
      '',
    ),
    row(
      `Opsdeck SessionPool.exec of that same command alone, 300 ms apart (alternated with the next row's rounds)`,
      pausedBareAction,
      `${(median(pausedBareAction) / actionBase).toFixed(2)} x (RTT + its own time); ${(bareCpuUs / 1000 / ROUNDS).toFixed(2)} ms CPU each in the bench process`,
    ),
    row(
      "**Opsdeck read-only action service.status, 300 ms apart: the confirm (run with the preview's token) to all its output in the view (its last onRunOutput)**",
      col(paced, 'toView'),
      `**${(pacedView / actionBase).toFixed(2)} x (RTT + its own time)**, ${ms(pacedView - median(pausedBareAction))} over the exec alone; ${(pacedCpuUs / 1000 / ROUNDS).toFixed(2)} ms CPU each in the bench process`,
    ),
    row(
      'the same, the confirm to the run reported finished (the result synced)',
      col(paced, 'toSettled'),
      `${(median(col(paced, 'toSettled')) / actionBase).toFixed(2)} x (RTT + its own time); ${stages(paced)}`,
    ),
    row(
      'the same with the team envelope (host lock and journal records in the same exec): the confirm to all its output in the view',
      col(pacedTeam, 'toView'),
      `${(median(col(pacedTeam, 'toView')) / actionBase).toFixed(2)} x (RTT + its own time), ${ms(median(col(pacedTeam, 'toView')) - pacedView)} over the action without it`,
    ),
    row(
      'the same with the team envelope: the confirm to the run reported finished',
      col(pacedTeam, 'toSettled'),
      `${(median(col(pacedTeam, 'toSettled')) / actionBase).toFixed(2)} x (RTT + its own time); ${stages(pacedTeam)}`,
    ),
    row(
      'the same, back to back: the confirm to all its output in the view',
      col(backToBack, 'toView'),
      `${(median(col(backToBack, 'toView')) / actionBase).toFixed(2)} x (RTT + its own time); ${stages(backToBack)}`,
    ),
    row('SessionPool.exec `true` on a warm session, 300 ms apart (alternated with the next two rows)', linkTrue, ''),
    row('the same with one more `/bin/sh -c` around it', linkShTrue, `+${ms(median(linkShTrue) - median(linkTrue))}`),
    row('one journal entry, `printf … | logger --journald`', linkLogger, `+${ms(median(linkLogger) - median(linkTrue))}`),
    row('the preview (its own step for the user: validate, render the command, issue the token)', col(paced, 'preview'), ''),
    row('audit log append (write + fsync; a change waits on one before its command, a read only on the write; every action on one after)', auditSamples, ''),
    `| exec wrapper on the host: \`bash -c true\` bare / wrapped (no SSH, per run) | ${ms(wrapperCost.bare)} / ${ms(wrapperCost.wrapped)} | | +${ms(wrapperCost.wrapped - wrapperCost.bare)} per classic exec |`,
    ...(part2 ? restartRows(part2) : []),
    '',
    'Against the targets:',
    `- warm exec (300 ms after the last command, as a click): ${ms(median(pausedSamples))} against 1.1 x (${ms(rtt)} + ${ms(ownCost)}) = ${ms(target)}: ${median(pausedSamples) <= target ? 'met' : 'not met'}; back to back: ${ms(median(poolSamples))}, ${median(poolSamples) <= target ? 'met' : 'not met'}.`,
    `- the read-only action, the confirm to its output in the view: ${ms(pacedView)} against 1.1 x (${ms(rtt)} + ${ms(ownActionCost)}) = ${ms(actionTarget)}: ${pacedView <= actionTarget ? 'met' : 'not met'}; back to back ${ms(median(col(backToBack, 'toView')))}, ${median(col(backToBack, 'toView')) <= actionTarget ? 'met' : 'not met'}.`,
    `- the same with the team envelope: ${ms(median(col(pacedTeam, 'toView')))}, ${median(col(pacedTeam, 'toView')) <= actionTarget ? 'met' : 'not met'} (${ms(median(col(pacedTeam, 'toView')) - pacedView)} over the action without it, alternated round by round).`,
    ...(part2 ? [fanoutVerdict(part2)] : []),
  ].join('\n');
  console.log(`\n${report}`);
  mkdirSync(join(process.cwd(), 'bench', 'output'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench', 'output', 'actions-fanout.md'), report);
  // the whole bench as quoted; --warm-only and --profile are the experiments beside it
  if (part2 && !values.profile) {
    const fanout = median(part2.fanoutSamples);
    const pssh = median(part2.psshSamples);
    const floor = median(part2.floorSamples);
    const backToBackView = median(col(backToBack, 'toView'));
    const teamView = median(col(pacedTeam, 'toView'));
    const met = (x: number, limit: number) => (x <= limit ? 'met' : 'not met');
    recordResult(
      'actions-fanout',
      {
        question: `Is a warm read-only action within 1.1x of one round trip plus its command's own time, and is a restart on ${HOSTS} hosts 10x faster than parallel-ssh, at a ${values.rtt} ms round trip?`,
        comparator: `one round trip (1 byte to a TCP echo behind the same delay proxy) plus the command's own time on the host (timed by bash around it; for the read-only action, in the same paced rounds), the OpenSSH client through an established ControlMaster, parallel-ssh and Ansible on the same ${HOSTS} nspawn hosts, and the floor (the restarts run inside the hosts without SSH), same run`,
      },
      [
        { figure: 'one round trip', value: ms(rtt) },
        {
          figure: 'warm exec as a click (spare ready), `systemctl is-active`',
          value: ms(median(pausedSamples)),
          against: `${(median(pausedSamples) / (rtt + ownCost)).toFixed(2)}x (RTT + own time ${ms(ownCost)}); ${(median(pausedSamples) / median(opensshSamples)).toFixed(2)}x OpenSSH (${ms(median(opensshSamples))})`,
          target: `<= 1.1x: ${met(median(pausedSamples), target)}`,
        },
        {
          figure: 'warm exec back to back (two spares)',
          value: ms(median(poolSamples)),
          against: `${(median(poolSamples) / (rtt + ownCost)).toFixed(2)}x (RTT + own time)`,
          target: `<= 1.1x: ${met(median(poolSamples), target)}`,
        },
        {
          figure: 'read-only action `service.status`, confirm to all output in the view, 300 ms apart',
          value: ms(pacedView),
          against: `${(pacedView / actionBase).toFixed(2)}x (RTT + own time ${ms(ownActionCost)}); ${ms(pacedView - median(pausedBareAction))} over the exec alone`,
          target: `<= 1.1x: ${met(pacedView, actionTarget)}`,
        },
        {
          figure: 'the same, back to back',
          value: ms(backToBackView),
          against: `${(backToBackView / actionBase).toFixed(2)}x (RTT + own time)`,
          target: `<= 1.1x: ${met(backToBackView, actionTarget)}`,
        },
        {
          figure:
            'read-only action `service.status` with the team envelope, confirm to all output in the view, 300 ms apart (journal records written after the exit status)',
          value: ms(teamView),
          against: `${(teamView / actionBase).toFixed(2)}x (RTT + own time); ${ms(teamView - pacedView)} over the action without it, alternated round by round`,
          target: `<= 1.1x: ${met(teamView, actionTarget)}`,
        },
        {
          figure: 'confirm to the run reported finished, without / with the team envelope',
          value: `${ms(median(col(paced, 'toSettled')))} / ${ms(median(col(pacedTeam, 'toSettled')))}`,
          against: `${(median(col(paced, 'toSettled')) / actionBase).toFixed(2)}x / ${(median(col(pacedTeam, 'toSettled')) / actionBase).toFixed(2)}x (RTT + own time)`,
        },
        {
          figure: 'over the warm link: `true` / `/bin/sh -c true` / one `logger --journald` entry',
          value: `${ms(median(linkTrue))} / ${ms(median(linkShTrue))} / ${ms(median(linkLogger))}`,
          against: `one more sh +${ms(median(linkShTrue) - median(linkTrue))}, one journal entry +${ms(median(linkLogger) - median(linkTrue))}`,
        },
        {
          figure: `restart on ${HOSTS} hosts: floor / Opsdeck / parallel-ssh / Ansible`,
          value: `${ms(floor)} / ${ms(fanout)} / ${ms(pssh)} / ${ms(median(part2.ansibleSamples))}`,
          against: `parallel-ssh ${(pssh / fanout).toFixed(1)}x Opsdeck (${(pssh / floor).toFixed(1)}x the floor); Ansible ${(median(part2.ansibleSamples) / fanout).toFixed(1)}x`,
          target: `10x parallel-ssh: ${pssh / fanout >= 10 ? 'met' : 'not met'}`,
        },
        {
          figure: 'restart on 1 host: Opsdeck / parallel-ssh',
          value: `${ms(median(part2.opsdeckOne))} / ${ms(median(part2.psshOne))}`,
          against: `parallel-ssh ${(median(part2.psshOne) / median(part2.opsdeckOne)).toFixed(1)}x Opsdeck`,
        },
      ],
    );
  }
} finally {
  await pool.close();
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  await plainPool.close();
  await onePool.close();
  await (echoProxy as DelayProxy | null)?.stop();
  echo.close();
  await fleet.stop();
}
