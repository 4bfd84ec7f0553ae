import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApi } from '../api/ApiContext';
import { dateTime } from '../status/format';
import { StatusIcon } from '../status/StatusIcon';
import { loadAudit } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { IncidentExport } from './IncidentExport';
import '../actions/actions.css';

export const AUDIT_LIMIT = 200;

/** The local, hash-chained action log: newest first, chain status on top. */
export function AuditView() {
  const api = useApi();
  const audit = useAppStore(useShallow((s) => s.audit));
  const hosts = useAppStore((s) => s.fleet?.hosts);
  const hostLabel = (id: string | null): string => (id === null ? '—' : (hosts?.find((h) => h.id === id)?.label ?? id));
  useEffect(() => {
    void loadAudit(api, AUDIT_LIMIT);
  }, [api]);
  const records = [...audit.records].sort((a, b) => b.seq - a.seq);
  return (
    <section className="panel audit" aria-label="Audit log">
      <header className="panel-head">
        <StatusIcon status={audit.chainOk === null ? 'unknown' : audit.chainOk ? 'ok' : 'fail'} />
        <h2>Audit log</h2>
        <span className="panel-summary" role="status" aria-label="Chain status">
          {audit.chainOk === null ? 'chain not checked yet' : audit.chainOk ? 'hash chain intact' : `hash chain BROKEN: ${audit.chainError ?? 'unknown reason'}`}
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
      <IncidentExport />
      {audit.error ? (
        <p className="notice notice-error" role="alert">
          {audit.error}
        </p>
      ) : null}
      {records.length === 0 && !audit.loading ? <p className="notice">no actions recorded yet</p> : null}
      {records.length > 0 ? (
        <table className="items" aria-label="Audit records">
          <thead>
            <tr>
              <th scope="col" className="num">#</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Kind</th>
              <th scope="col">Host</th>
              <th scope="col">Action</th>
              <th scope="col">Command</th>
              <th scope="col" className="num">Exit</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.seq} className={r.exitCode !== null && r.exitCode !== 0 ? 'row-fail' : undefined}>
                <td className="num">{r.seq}</td>
                <td className="nowrap">{dateTime(r.at)}</td>
                <td>{r.user}</td>
                <td>{r.kind}</td>
                <td title={r.hostId ?? undefined}>{hostLabel(r.hostId)}</td>
                <td>{r.actionId ?? '—'}</td>
                <td className="mono">{r.command ?? '—'}</td>
                <td className="num">{r.exitCode === null ? '—' : `exit ${r.exitCode}`}</td>
                <td>{r.outcome ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
