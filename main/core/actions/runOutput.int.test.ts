// A run's kept output read back through the contract: the console started by bootstrap from a
// real config against a loopback sshd, a real command run on it over SSH, and its output paged
// with readRunOutput as the Audit view reads it, after the console was started again; a follow's
// output through the same call, from its spool.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ActionId, type EventPayload, type HostId, type RunId, RUN_OUTPUT_PAGE_LINES } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import type { OpsApp } from '../app';
import { bootstrap } from '../bootstrap';

let dir: string;
let sshd: Sshd;
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-run-output-'));
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

const CATALOG = `version: 1
actions:
  - id: test.report
    title: Print a report
    section: worker-queues
    risk: read-only
    params:
      - { name: lines, label: Lines, kind: integer, min: 1, max: 100000 }
    script: |
      echo "report from $(hostname)"
      echo "ALPACA_SECRET_KEY=opsdeck-testbed-alpaca-secret-9f1c2d3e4b5a"
      echo "disk nearly full" >&2
      seq 1 "$1"
    args: ["{lines}"]
  - id: test.follow
    title: Follow a short log
    section: worker-queues
    risk: read-only
    streams: true
    timeoutSeconds: 0
    script: printf '%s\\n' "follow one" "follow two"
`;

async function start(): Promise<OpsApp> {
  const configPath = join(dir, 'config.yaml');
  const catalogPath = join(dir, 'actions.yaml');
  await writeFile(catalogPath, CATALOG);
  await writeFile(
    configPath,
    [
      `auditFile: ${join(dir, 'audit.jsonl')}`,
      `ssh: { configFile: ${join(dir, 'no_ssh_config')} }`,
      `hosts: [{ id: lab, address: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, identityFile: ${sshd.clientKeyPath}, knownHostsFile: ${sshd.knownHostsPath} }]`,
      'deployments: [{ id: lab, name: Lab, hosts: [lab], health: { url: "http://127.0.0.1:9" } }]',
      '',
    ].join('\n'),
  );
  return bootstrap({ configPath, catalogPath, env: { XDG_STATE_HOME: join(dir, 'state'), HOME: dir }, logger: quiet });
}

it("reads a real run's output back by page, redacted and stderr marked as its dialog showed it, after the console is started again", async () => {
  const lab = 'lab' as HostId;
  let runId: RunId;
  let shown = '';
  const first = await start();
  try {
    const statuses: EventPayload<'onRunStatus'>[] = [];
    first.hub.subscribe((name, payload) => {
      if (name === 'onRunStatus') statuses.push(payload as EventPayload<'onRunStatus'>);
      if (name === 'onRunOutput') shown += (payload as EventPayload<'onRunOutput'>).chunks.map((c) => c.text).join('');
    });
    const preview = await first.handlers.previewAction({ actionId: 'test.report' as ActionId, params: { lines: 2500 }, hostIds: [lab] });
    ({ runId } = await first.handlers.runAction({ token: preview.token }));
    const ended = (id: RunId) => statuses.find((s) => s.runId === id && s.state !== 'queued' && s.state !== 'running')?.state;
    await expect.poll(() => ended(runId), { timeout: 30_000 }).toBe('succeeded');
    // a follow's output is read from its spool through the same call
    const follow = await first.handlers.runAction({
      token: (await first.handlers.previewAction({ actionId: 'test.follow' as ActionId, params: {}, hostIds: [lab] })).token,
    });
    await expect.poll(() => ended(follow.runId), { timeout: 30_000 }).toBe('succeeded');
    expect(await first.handlers.readRunOutput({ runId: follow.runId, hostId: lab, page: 0 })).toEqual({
      page: 0,
      pages: 1,
      lines: ['follow one', 'follow two'],
      total: 2,
    });
  } finally {
    await first.close();
  }
  expect(shown).not.toContain('opsdeck-testbed-alpaca-secret');

  const again = await start();
  try {
    const page0 = await again.handlers.readRunOutput({ runId, hostId: lab, page: 0 });
    // three lines before the 2500 numbers
    expect(page0).toMatchObject({ page: 0, pages: 2, total: 2503 });
    expect(page0.lines).toHaveLength(RUN_OUTPUT_PAGE_LINES);
    expect(page0.lines).toContain('ALPACA_SECRET_KEY=[REDACTED]');
    expect(page0.lines).toContain('[stderr] disk nearly full');
    expect(page0.lines[0]).toMatch(/^report from /);
    // a page past the end is the last one
    const last = await again.handlers.readRunOutput({ runId, hostId: lab, page: 9 });
    expect(last).toMatchObject({ page: 1, pages: 2, total: 2503 });
    expect(last.lines.at(-1)).toBe('2500');
    // on disk in the state folder, without the secret
    const folder = join(dir, 'run-output', runId);
    expect(await readdir(folder)).toEqual(['lab.log']);
    expect(await readFile(join(folder, 'lab.log'), 'utf8')).not.toContain('opsdeck-testbed-alpaca-secret');
    // a run the folder does not keep says so
    await expect(again.handlers.readRunOutput({ runId: 'run-00000000000000ff' as RunId, hostId: lab, page: 0 })).rejects.toMatchObject({
      code: 'not-found',
      message: "the output of run-00000000000000ff on lab is not kept: only the newest 200 runs' outputs are",
    });
  } finally {
    await again.close();
  }
}, 90_000);
