// The frame every runbook panel shares: header with the panel's one status, the error and
// staleness notices, the item table, and the place where history charts will go.
import type { ReactNode } from 'react';
import { Suspense, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Endpoint } from '../../../../common/health';
import { clockTime, relative } from '../../status/format';
import type { Status } from '../../status/status';
import { StatusIcon } from '../../status/StatusIcon';
import { clearFocus } from '../../store/actions';
import { useAppStore } from '../../store/appStore';
import { useAfterPaint } from '../../history/useAfterPaint';
import { openRunbookForEndpoint } from '../../runbooks/runbookStore';
import { ActionMarkList } from '../../history/ActionMarkList';
import type { PanelState } from './panelState';
import { panelStatus, rowStatusShown as blindOk } from './panelState';
import type { Row } from './rows';
import { ItemTable, type Column } from './ItemTable';

export type { Column } from './ItemTable';

export function Panel<V>(props: {
  title: string;
  endpoint: Endpoint;
  runbook: string;
  panel: PanelState;
  polledAt: string | null;
  rows: Array<Row<V>>;
  columns: Array<Column<V>>;
  now: number;
  /** "Source", "Broker", "Breaker"... */
  itemHeader: string;
  footer?: ReactNode;
  charts?: ReactNode;
}) {
  const { title, panel, rows, columns, now } = props;
  const status: Status = panelStatus(
    panel,
    rows.map((r) => r.status),
  );
  const fails = rows.filter((r) => r.status === 'fail').length;
  const warns = rows.filter((r) => r.status === 'warn').length;
  const unknowns = rows.filter((r) => r.status === 'unknown').length;
  const counts = [fails ? `${fails} failing` : '', warns ? `${warns} warning` : '', unknowns ? `${unknowns} unknown` : ''].filter(Boolean).join(', ');
  // Never "all ok" over data the console could not refresh.
  const health = panel.error ? 'poll failing' : panel.stale ? 'data stale' : '';
  const summary = [health, counts || (health ? '' : 'all ok')].filter(Boolean).join('; ');
  const ref = useRef<HTMLElement>(null);
  const showCharts = useAppStore((s) => s.showCharts);
  const shown = (s: Status) => blindOk(panel, s);
  const focused = useAppStore(useShallow((s) => s.focusEndpoint === props.endpoint));
  useEffect(() => {
    if (focused && ref.current) {
      ref.current.scrollIntoView({ block: 'start' });
      ref.current.focus();
      clearFocus();
    }
  }, [focused]);

  return (
    <section ref={ref} tabIndex={-1} className={`panel panel-${status}`} aria-label={title} data-endpoint={props.endpoint}>
      <header className="panel-head">
        <StatusIcon status={status} why={panel.phase === 'data' ? summary : undefined} />
        <h2>{title}</h2>
        <span className="panel-summary">{panel.phase === 'data' ? summary : ''}</span>
        <span className="panel-polled" title={`runbook: ${props.runbook}`}>
          {props.polledAt ? `polled ${clockTime(props.polledAt)}` : ''}
        </span>
        <button
          type="button"
          className="link-button panel-runbook"
          aria-label={`Open runbook: ${title}`}
          onClick={() => openRunbookForEndpoint(props.endpoint)}
        >
          Open runbook
        </button>
      </header>
      <ActionMarkList endpoint={props.endpoint} title={title} />
      {panel.errorText ? (
        <p className="notice notice-error" role="status">
          <strong>Error</strong> {panel.errorText}
        </p>
      ) : null}
      {panel.staleText ? (
        <p className="notice notice-stale" role="status">
          <strong>Stale</strong> {panel.staleText}
        </p>
      ) : null}
      {panel.phase === 'missing' ? <p className="notice">no data yet: waiting for the console to poll this endpoint</p> : null}
      {panel.phase === 'pending' && !panel.error ? <p className="notice">waiting for the first good poll</p> : null}
      {panel.phase === 'data' ? (
        rows.length === 0 ? (
          <p className="notice">the API reports no items</p>
        ) : (
          <ItemTable
            title={title}
            endpoint={props.endpoint}
            itemHeader={props.itemHeader}
            rows={rows}
            columns={columns}
            shown={shown}
            shownWhy={`was ok at the last good poll; ${health}`}
          />
        )
      ) : null}
      {props.footer}
      {/* History charts: memoised recharts components, each subscribed to its own series; after the tables are painted. */}
      {props.charts && showCharts ? <ChartsAfterPaint>{props.charts}</ChartsAfterPaint> : null}
      {panel.lastGoodAt && panel.error ? <p className="panel-foot muted">showing data from {relative(panel.lastGoodAt, now)}</p> : null}
    </section>
  );
}

/**
 * The charts once a frame with the table has been painted. Its own component: hiding the view
 * drops the charts (useAfterPaint), and that update must redraw this slot, not the panel and
 * its table of hundreds of items.
 */
function ChartsAfterPaint({ children }: { children: ReactNode }) {
  const chartsMayRender = useAfterPaint();
  return (
    <div className="charts">
      {chartsMayRender ? <Suspense fallback={<p className="muted">loading charts…</p>}>{children}</Suspense> : <p className="muted">loading charts…</p>}
    </div>
  );
}
