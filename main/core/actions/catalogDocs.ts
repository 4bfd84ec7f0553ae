// docs/actions.md is generated from resources/actions.yaml so the two cannot drift: a unit test
// fails when the committed file differs from what this renders. Regenerate with
// `npx tsx main/core/actions/catalogDocs.ts --write`.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RUNBOOK_SECTION_TITLES } from '../../../common/thresholds';
import { type Catalog, type CatalogAction, SECTIONS, bundledCatalog, findBundledCatalog } from './Catalog';

const HEADER = `# The action catalog

<!-- Generated from resources/actions.yaml by main/core/actions/catalogDocs.ts: do not edit by
hand; run \`npx tsx main/core/actions/catalogDocs.ts --write\` after changing the catalog. -->

Every command Opsdeck runs on a host is an entry in \`resources/actions.yaml\`. The renderer only
names an action, its parameters and hosts; main validates them, renders the exact command,
shows it in a preview, and runs only what the preview's token says (see "How an action runs").

## Fields

| field | meaning |
|---|---|
| \`id\` | stable id, \`area.verb\` (lower case, dots) |
| \`title\`, \`description\` | what the user sees |
| \`section\` | the runbook area it serves: ${SECTIONS.map((s) => `\`${s}\``).join(', ')} |
| \`risk\` | \`read-only\` (no confirmation), \`service-affecting\` (a click), \`destructive\` (typed text) |
| \`streams\` | output keeps coming until cancelled (follow); \`timeoutSeconds: 0\` |
| \`params\` | \`enum\` (\`choices\`), \`integer\` (\`min\`, \`max\`, never negative), \`string\` (\`pattern\`, anchored; \`maxLength\`, default 128); optional \`default\` |
| \`command\` | argv words; \`{param}\` is replaced and the whole word shell-quoted |
| \`script\` + \`args\` | fixed \`sh\` text run as \`sh -c SCRIPT ID ARGS…\`; parameters reach it only as \`"$1"\`, \`"$2"\`… from \`args\`, never as script text |
| \`locks\` | keys held per host while it runs (\`{unit}\`, \`queue:{queue}\`, \`file:…\`); a second run needing a held key is refused with \`conflict\`. Default: the action itself for anything that is not read-only, nothing for reads |
| \`confirmText\` | destructive actions only: the text to type, from parameters or \`{host}\` (the host's label, or "N hosts") |
| \`timeoutSeconds\` | the remote command is stopped after it (default 120) |
| \`rolling\` | one host at a time, stopping at the first failure; later hosts are reported "not run" |
| \`maxHosts\` | a lower blast-radius cap than the config's for this action |
| \`effect\` | how the effect is checked on the host later, so a run cut off before its exit status ("unknown") is settled once the host answers: \`{ check: unit-started, units: [...] }\` (active, entered after the intent, measured on the host's monotonic clock against the time elapsed since the intent), \`unit-stopped\`, \`{ check: script, script, args }\` (first line \`done: …\` or \`not done: …\`; \`{sinceSeconds}\` is the time since the intent), or \`{ check: none, why }\`. Every bundled action that changes a host has one |
| \`precheck\` | \`label\`, \`script\`, \`args\`: a read-only script run on every host at preview time; its output (first 20 lines, redacted) is shown in the preview before confirm, e.g. the job count a clear removes |
| \`followUp\` | the action (with parameters) to offer once this one succeeds |
| \`resume\`, \`resumeCommand\` | \`journal-cursor\`: the command prints \`journalctl -o json\`, shown as short-iso lines; when the connection drops, \`resumeCommand\` runs with \`{cursor}\` = the last entry received (up to 8 attempts in a row, backing off 0.5 s to 10 s), each resume audited as a \`note\`. \`file-offset\`: the command prints \`<inode>:<offset>\\t<line>\` (the log follower in \`x-file-follow\`), shown without the prefix; \`{cursor}\` = \`inode:offset\` after the last line received, found again in \`<file>.1\` after a rotation |

Top-level keys starting \`x-\` hold shared pieces (YAML anchors); the loader ignores them.

## What the actions assume about a host

Units \`autotrader-api\`, \`autotrader-ingestion\`, \`autotrader-workers\` (systemd); their
environment file \`/etc/autotrader/env\`; the app folder \`/opt/autotrader\` (\`configs/ingestion.yaml\`,
\`configs/security.yaml\`, \`ibkr_config.json\`, \`scripts/setup/set_questrade_token.py\`); logs in
\`/var/log/autotrader/*.log\` rotated by \`/etc/logrotate.d/autotrader\`; the health API on
\`127.0.0.1:8000\`; Redis on its default port with \`worker:*\` list queues; \`python3\`, \`curl\`,
\`redis-cli\`, \`logrotate\`, \`getent\` and \`pgrep\` installed. Commands run as the SSH user
(root on the test fleet; elsewhere, give the user sudo-free rights to these or run as root).
The test fleet (\`testbed/host\`) is built to match, and \`main/core/actions/catalog.fleet.int.test.ts\`
runs every action on it.

## Parameter rules

Unknown parameters are refused; missing ones take their default or are refused. A string is
refused, with a message naming the parameter, when it is empty, too long, holds a newline or
control character, non-ASCII characters, starts with \`-\` (an option), or holds any of
\`space ; & | $ \\\` < > ( ) { } [ ] * ? ! ~ ' " \\ # % ^ = ,\`, before its pattern is even tried.
Integers are whole numbers within range, given as a number or plain digits. Enums match a
choice exactly.

## How an action runs

1. \`previewAction\`: validate, render the command, resolve the hosts (unknown, repeated or more
   than the blast-radius cap: refused), and issue a token of 32 random bytes (43 base64url
   characters) bound to that command, those hosts and parameters, valid 5 minutes. A preview
   started from an alert also carries the alert (\`alert\`, checked by the contract), which the
   run's \`intent\` records keep (docs/audit.md).
2. \`runAction\`: the token is looked up (unknown, used or expired: refused), the typed
   confirmation checked, every lock taken on every host or none (\`conflict\`), then the token is
   spent. Nothing from the renderer but the token and the typed text is used.
3. Per host, at most the config's concurrency at once: an \`intent\` audit record is synced to
   disk (if it cannot be written, the command does not run), the command runs over SSH, output is
   redacted line by line and sent as it comes, in batches at most every 100 ms (the first lines
   after a quiet interval go at once). A streaming action loses nothing: at most 4000 lines go
   per batch, and while more are held its SSH channel is not read (back-pressure: the channel's
   window stays shut and the remote command waits), so a backlog replayed after a resume reaches
   the view whole, in order; every line it was sent is also kept, redacted, in a spool beside the
   audit log (\`follow-spool/<run>.<host>.log\` and \`.1\`, 64 MiB per follow: the oldest part is
   rotated out and the first line says how much; the newest 50 spools are kept; a disk that
   refuses the spool stops the record, not the follow, and the view says so). \`readFollowSpool\`
   reads a page of it by line number (0 the oldest kept, at most 5000 lines a call), while the
   follow goes on; each file's line starts are indexed once and extended by what was appended,
   so a page reads only its own bytes (\`SpoolReader.ts\`). An action that ends
   by itself holds at most 10 000 lines between batches, so a 5000-line tail arrives whole; older
   ones are dropped and counted in \`droppedLines\`. What it was sent is kept beside the audit log
   as well (\`run-output/<run>/<host>.log\`: its first and last 512 KiB per host, with a line
   saying how many bytes were cut between them; the newest 200 runs; a disk that refuses it is
   logged and the run goes on; see [audit.md](audit.md)), and \`readRunOutput\` reads it back
   2000 lines a page for the Audit view. What is left is sent as the command ends, then a \`result\` record (exit code, outcome) is written and synced, the
   locks released and the status sent.
4. \`cancelRun\` aborts: running commands are stopped on the host, queued hosts never start
   (a \`note\` record says so).

## Actions

| action | risk | section | parameters |
|---|---|---|---|
`;

export function renderCatalogDocs(catalog: Catalog): string {
  const actions = catalog.all();
  const rows = actions.map((a) => `| [\`${a.id}\`](#${anchor(a.id)}) | ${a.risk} | ${a.section} | ${a.params.map((p) => `\`${p.name}\``).join(', ') || '–'} |`);
  const bySection = SECTIONS.map((section) => {
    const mine = actions.filter((a) => a.section === section);
    if (!mine.length) return '';
    return [`### ${RUNBOOK_SECTION_TITLES[section]} (\`${section}\`)`, '', ...mine.map(renderAction)].join('\n');
  }).filter(Boolean);
  return `${HEADER}${rows.join('\n')}\n\n${bySection.join('\n')}`;
}

function renderAction(a: CatalogAction): string {
  const lines = [
    `#### ${a.id}`,
    '',
    `**${a.title}**. Risk: ${a.risk}${a.streams ? ', streams' : ''}; timeout: ${a.timeoutSeconds ? `${a.timeoutSeconds} s` : 'none (until cancelled)'}.`,
  ];
  if (a.rolling) lines[2] += ' Rolling: one host at a time, stops at the first failure.';
  if (a.description) lines.push('', a.description.trim());
  if (a.params.length) {
    lines.push('', '| parameter | kind | accepts | default |', '|---|---|---|---|');
    for (const p of a.params) {
      const accepts =
        p.kind === 'enum'
          ? p.choices!.map((c) => `\`${c}\``).join(', ')
          : p.kind === 'integer'
            ? `${p.min} to ${p.max}`
            : `\`${p.pattern!.replace(/\|/g, '\\|')}\``;
      lines.push(`| \`${p.name}\` (${p.label}) | ${p.kind} | ${accepts} | ${p.default === undefined ? '–' : `\`${p.default}\``} |`);
    }
  }
  if (a.command) lines.push('', 'Command:', '', '```sh', a.command.join(' '), '```');
  else lines.push('', `Script (\`sh -c\`; args: ${(a.args ?? []).map((w) => `\`${w}\``).join(' ') || 'none'}):`, '', '```sh', a.script!.trimEnd(), '```');
  if (a.resumeCommand)
    lines.push('', 'After a lost connection it resumes with (`{cursor}`: the last entry shown):', '', '```sh', a.resumeCommand.join(' '), '```');
  const extra: string[] = [];
  if (a.locks?.length) extra.push(`Locks: ${a.locks.map((l) => `\`${l}\``).join(', ')}.`);
  if (a.precheck) {
    const args = a.precheck.args.length ? a.precheck.args.map((x) => `\`${x}\``).join(' ') : 'none';
    if (a.precheck.script === a.script) lines.push('', `The preview first shows "${a.precheck.label}" from each host: the script above with args ${args}.`);
    else lines.push('', `The preview first shows "${a.precheck.label}" from each host (args: ${args}):`, '', '```sh', a.precheck.script.trimEnd(), '```');
  }
  if (a.effect?.check === 'unit-started' || a.effect?.check === 'unit-stopped') {
    extra.push(
      `Effect check (settles a run cut off before its exit status): ${a.effect.units.map((u) => `\`${u}\``).join(', ')} ${a.effect.check === 'unit-started' ? 'active, ActiveEnterTimestamp' : 'inactive, InactiveEnterTimestamp'} after the intent.`,
    );
  } else if (a.effect?.check === 'none') extra.push(`Effect check: none (${a.effect.why}).`);
  else if (a.effect?.check === 'script')
    lines.push(
      '',
      `Effect check (settles a run cut off before its exit status; args: ${a.effect.args.map((w) => `\`${w}\``).join(' ') || 'none'}):`,
      '',
      '```sh',
      a.effect.script.trimEnd(),
      '```',
    );
  if (a.confirmText) extra.push(`Typed confirmation: \`${a.confirmText}\`.`);
  if (a.followUp)
    extra.push(
      `Then offers: \`${a.followUp.action}\`${
        Object.keys(a.followUp.params).length
          ? ` with ${Object.entries(a.followUp.params)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}`
          : ''
      }.`,
    );
  if (extra.length) lines.push('', extra.join(' '));
  lines.push('');
  return lines.join('\n');
}

const anchor = (id: string) => id.replace(/\./g, '');

/** Where docs/actions.md lives: beside resources/ at the repository root. */
export function catalogDocsPath(): string {
  const catalog = findBundledCatalog();
  if (!catalog) throw new Error('resources/actions.yaml not found');
  return join(dirname(dirname(catalog)), 'docs', 'actions.md');
}

if (process.argv.includes('--write') && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = catalogDocsPath();
  await writeFile(path, renderCatalogDocs(bundledCatalog()));
  console.log(`wrote ${path} (${fileURLToPath(import.meta.url)})`);
}
