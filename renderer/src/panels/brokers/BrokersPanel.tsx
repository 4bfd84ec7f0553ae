import { useMemo } from 'react';
import { duration, ms, relative } from '../../status/format';
import { useNow } from '../../status/useNow';
import type { Column } from '../shared/Panel';
import { Panel } from '../shared/Panel';
import { panelState } from '../shared/panelState';
import { useEndpoint } from '../shared/useEndpoint';
import type { BrokerView } from './selectors';
import { selectBrokerRows } from './selectors';
import { visible, VisibleText } from '../../status/VisibleText';

function tokenText(v: BrokerView): string {
  if (v.tokenSecondsLeft === null) return '—';
  return v.tokenSecondsLeft <= 0 ? `expired ${duration(-v.tokenSecondsLeft)} ago` : `expires in ${duration(v.tokenSecondsLeft)}`;
}

export function BrokersPanel({ deploymentId }: { deploymentId: string }) {
  const state = useEndpoint(deploymentId, 'brokers');
  const now = useNow(1000);
  const rows = useMemo(() => selectBrokerRows(state, now), [state, now]);
  const columns = useMemo<Array<Column<BrokerView>>>(
    () => [
      { header: 'Status', cell: (v) => v.status },
      { header: 'Latency', cell: (v) => (v.latency_ms == null ? '—' : ms(v.latency_ms)), numeric: true },
      { header: 'Checked', cell: (v) => relative(v.last_checked, now) },
      { header: 'Token', cell: tokenText },
      // offline/error details are already the reason in the Why column
      {
        header: 'Detail',
        cell: (v) =>
          v.status === 'online' && v.detail ? (
            <span className="clip" title={visible(v.detail)}>
              <VisibleText text={v.detail} />
            </span>
          ) : (
            ''
          ),
      },
    ],
    [now],
  );
  return (
    <Panel
      title="Brokers"
      endpoint="brokers"
      runbook="Broker Connectivity Problems"
      itemHeader="Broker"
      panel={panelState(state, now)}
      polledAt={state?.polledAt ?? null}
      rows={rows}
      columns={columns}
      now={now}
    />
  );
}
