import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApi } from '../api/ApiContext';
import { dateTime } from '../status/format';
import { StatusIcon } from '../status/StatusIcon';
import { loadAudit } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { AlertLink } from './AlertLink';
import { brokenSeq, outcomeStatus, outcomeText } from './auditRows';
import { IncidentExport } from './IncidentExport';
import { type KeptOutputRef, RunOutputDialog } from './RunOutputDialog';
import { TeamActivity } from '../team/TeamActivity';
import '../actions/actions.css';

export const AUDIT_LIMIT = 200;

/**
 * The local, hash-chained action log: newest first, chain status on top, the outcome of each
 * record at a glance, and on a broken chain the record it names marked in its row.
 */
export function AuditView() {
  const api = useApi();
  const audit = useAppStore(useShallow((s) => s.audit));
  const hosts = useAppStore((s) => s.fleet?.hosts);
  const hostLabel = (id: string | null): string => (id === null ? '—' : (hosts?.find((h) => h.id === id)?.label ?? id));
  useEffect(() => {
    void loadAudit(api, AUDIT_LIMIT);
  }, [api]);
  const [output, setOutput] = useState<KeptOutputRef | null>(null);
  const records = [...audit.records].sort((a, b) => b.seq - a.seq);
  const bad = audit.chainOk === false ? brokenSeq(audit.chainError) : null;
  // local records a host's journal contradicts (added to the log, or rewritten)
  const disputed = new Set((audit.anchors?.problems ?? []).flatMap((p) => (p.seq === null ? [] : [p.seq])));
  return (
    <section className="panel audit" aria-label="Audit log">
      <header className="panel-head">
        <StatusIcon status={audit.chainOk === null ? 'unknown' : audit.chainOk ? 'ok' : 'fail'} />
        <h2>Audit log</h2>
        <span className="panel-summary" role="status" aria-label="Chain status">
          {audit.chainOk === null
            ? 'chain not checked yet'
            : audit.chainOk
              ? 'hash chain intact'
              : `hash chain BROKEN: ${audit.chainError ?? 'unknown reason'}`}
          {audit.chainOk && audit.chainNotes?.length ? ` (${audit.chainNotes.join('; ')})` : ''}
        </span>
        {/* aria-disabled, not disabled, while it loads: a focused button that becomes disabled drops focus to the page's body */}
        <button
          type="button"
          aria-disabled={audit.loading}
          onClick={() => {
            if (!audit.loading) void loadAudit(api, AUDIT_LIMIT);
          }}
        >
          {audit.loading ? 'Loading…' : 'Refresh audit'}
        </button>
      </header>
      {audit.anchors && audit.anchors.checked > 0 ? (
        <p className={audit.anchors.problems.length ? 'notice notice-error' : 'notice'} role="status" aria-label="Host records">
          {audit.anchors.problems.length
            ? `the hosts' records disagree with this log: ${audit.anchors.problems.map((p) => p.message).join('; ')}`
            : `matches the hosts' records: ${audit.anchors.checked} runs on ${audit.anchors.hosts} ${audit.anchors.hosts === 1 ? 'host' : 'hosts'}`}
        </p>
      ) : null}
      <IncidentExport />
      {audit.error ? (
        <p className="notice notice-error" role="alert">
          {audit.error}
        </p>
      ) : null}
      {records.length === 0 && !audit.loading ? <p className="notice">no actions recorded yet</p> : null}
      {bad !== null ? (
        <p className="notice notice-error">
          The chain breaks at record {bad}
          {records.some((r) => r.seq === bad) ? ' (marked ■ below)' : ' (not among the records shown)'}: records from there on cannot be trusted.
        </p>
      ) : null}
      {records.length > 0 ? (
        // fixed layout: the table fits its panel; the command is one clipped line, whole on hover and when opened
        <table className="items audit-table" aria-label="Audit records">
          <colgroup>
            <col className="c-seq" />
            <col className="c-outcome" />
            <col className="c-when" />
            <col className="c-who" />
            <col className="c-host" />
            <col className="c-action" />
            <col className="c-exit" />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Outcome</th>
              <th scope="col">When (UTC)</th>
              <th scope="col">Who</th>
              <th scope="col">Host</th>
              <th scope="col">Action</th>
              <th scope="col" className="num">
                Exit
              </th>
              <th scope="col">Command</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => {
              const { status, word } = outcomeStatus(r);
              const altered = r.seq === bad || disputed.has(r.seq);
              const alteredWord = r.seq === bad ? 'chain breaks here' : "a host's journal disagrees";
              // a host's run has one result record: its Output opens what the run printed there
              const kept: KeptOutputRef | null =
                r.kind === 'result' && r.runId !== null && r.hostId !== null
                  ? { runId: r.runId, hostId: r.hostId, hostLabel: hostLabel(r.hostId), actionId: r.actionId ?? r.runId }
                  : null;
              return (
                <tr
                  key={r.seq}
                  className={altered ? 'row-altered' : status === 'fail' ? 'row-fail' : undefined}
                  aria-label={`record ${r.seq}: ${altered ? `${alteredWord}, ` : ''}${r.kind} ${outcomeText(r.outcome)}`}
                >
                  <td className="num">
                    {altered ? <StatusIcon status="fail" word={alteredWord} /> : null} {r.seq}
                  </td>
                  <td className="cut" title={outcomeText(r.outcome)}>
                    <StatusIcon status={status} withWord word={word} />
                    {r.outcome && outcomeText(r.outcome) !== word ? (
                      <span className="muted"> {outcomeText(r.outcome).slice(word.length).replace(/^:\s*/, '')}</span>
                    ) : null}
                  </td>
                  <td className="nowrap">{dateTime(r.at).replace(' UTC', '')}</td>
                  <td className="cut" title={r.user}>
                    {r.user}
                  </td>
                  <td className="cut" title={r.hostId ?? undefined}>
                    {hostLabel(r.hostId)}
                  </td>
                  <td className="cut mono" title={r.actionId ?? undefined}>
                    {r.actionId ?? '—'}
                    {r.alert ? <AlertLink alert={r.alert} /> : null}
                  </td>
                  <td className="num">{r.exitCode === null ? '—' : r.exitCode}</td>
                  <td className="mono command-cell">
                    {kept ? (
                      <button
                        type="button"
                        className="open-output"
                        aria-label={`Output: ${kept.actionId} on ${kept.hostLabel}, record ${r.seq}`}
                        onClick={() => setOutput(kept)}
                      >
                        Output
                      </button>
                    ) : null}
                    {r.command ? (
                      <details>
                        <summary title={r.command}>{r.command.split('\n')[0]}</summary>
                        <pre>{r.command}</pre>
                      </details>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <TeamActivity />
      {output ? <RunOutputDialog run={output} onClose={() => setOutput(null)} /> : null}
    </section>
  );
}
