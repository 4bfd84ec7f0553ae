// What resolving a host costs: one `ssh -G` process (cold, once per host and hop until a config
// file changes), a cached answer (warm: a few stats, no process), and the in-process resolver on
// the same config. `node bench/run.mjs ssh-resolve --N 20`; prints medians and p90s, and how many
// times a cold `ssh -G` costs what a cached answer does, measured in the same run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSshConfig } from '../main/core/ssh/sshConfig';
import { SshResolver } from '../main/core/ssh/SshResolver';
import { COMPILED, benchCommand, numberArg, percentile, recordResult } from './support';

const n = numberArg('N', 20);
const dir = await mkdtemp(join(tmpdir(), 'opsdeck-bench-resolve-'));
const cfg = join(dir, 'config');
await writeFile(join(dir, 'inc.conf'), 'Host *.prod\n  User deploy\n  ProxyJump bastion.prod\n');
await writeFile(
  cfg,
  `Include ${dir}/inc.conf\nHost bastion.prod\n  ProxyJump none\n  IdentitiesOnly yes\n  IdentityFile ~/.ssh/bastion\nHost *\n  ServerAliveInterval 30\n`,
);
const time = async (f: () => Promise<unknown>): Promise<number> => {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const cold: number[] = [];
const warm: number[] = [];
const inProcess: number[] = [];
const resolver = new SshResolver({ files: { user: cfg, system: null }, ssh: 'ssh' });
for (let i = 0; i < n; i++) {
  // a new host name each time: a cold resolve is one `ssh -G` spawn
  cold.push(await time(() => resolver.resolve(`web${i}.prod`)));
  warm.push(await time(() => resolver.resolve(`web${i}.prod`)));
  inProcess.push(await time(() => resolveSshConfig({ user: cfg, system: null }, `web${i}.prod`)));
}
const line = (what: string, xs: number[]) => `${what.padEnd(34)} median ${percentile(xs, 50).toFixed(2)} ms  p90 ${percentile(xs, 90).toFixed(2)} ms`;
console.log(`ssh-resolve, ${n} hosts, ${COMPILED}; rerun: ${benchCommand('ssh-resolve', `--N ${n}`)}`);
console.log(line('cold: one ssh -G spawn', cold));
console.log(line('warm: cached answer', warm));
console.log(line('in-process resolver (no client)', inProcess));
console.log(`ssh -G spawns: ${resolver.spawns} for ${n} hosts x 2 resolves; cold/warm ${(percentile(cold, 50) / percentile(warm, 50)).toFixed(0)}x`);
await rm(dir, { recursive: true, force: true });
const ms = (xs: number[]) => `median ${percentile(xs, 50).toFixed(2)} ms, p90 ${percentile(xs, 90).toFixed(2)} ms`;
recordResult(
  'ssh-resolve',
  {
    question: 'What does resolving a host through OpenSSH (`ssh -G`) cost, cold and cached, against the in-process resolver?',
    comparator: 'the in-process resolver on the same config, same run',
  },
  [
    { figure: `cold: one \`ssh -G\` spawn per new host (n=${n})`, value: ms(cold) },
    { figure: 'warm: the cached answer', value: ms(warm), against: `${(percentile(cold, 50) / percentile(warm, 50)).toFixed(0)}x faster than cold` },
    { figure: 'in-process resolver', value: ms(inProcess) },
    { figure: '`ssh -G` spawns', value: `${resolver.spawns} for ${n} hosts resolved twice each` },
  ],
);
