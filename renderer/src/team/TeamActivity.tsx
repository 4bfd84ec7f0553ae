import { useTeamStore } from './teamStore';
import { dateTime } from '../status/format';
import { StatusIcon } from '../status/StatusIcon';
import type { Status } from '../status/status';
import type { TeamActivityItem } from '../../../common/contract';

const SHOWN = 100;

function statusOf(item: TeamActivityItem): Status {
  // a start or an ack is neither good nor bad news; a run cut off is worth a look
  if (item.event !== 'outcome') return 'unknown';
  return item.outcome === 'succeeded' ? 'ok' : item.outcome === 'interrupted' ? 'warn' : 'fail';
}

/**
 * Every console's runs and acks as the hosts' journals recorded them, newest first: what a
 * teammate did to production shows here within one refresh, whoever's laptop it came from.
 */
export function TeamActivity() {
  const { items, enabled, error } = useTeamStore();
  const newest = items.slice(-SHOWN).reverse();
  return (
    <section className="team-activity" aria-label="Team activity">
      <h3>Team activity (from the hosts' journals)</h3>
      {error ? (
        <p className="notice notice-error" role="alert">
          cannot load team activity: {error}
        </p>
      ) : null}
      {!enabled && !error ? <p className="notice">not recorded for the demo fleet: its hosts keep no journal</p> : null}
      {enabled && newest.length === 0 ? <p className="notice">no runs or acks recorded on the hosts yet</p> : null}
      {newest.length > 0 ? (
        <ol className="team-list">
          {newest.map((item) => (
            <li key={item.id} className={item.mine ? 'team-mine' : 'team-other'}>
              <StatusIcon status={statusOf(item)} />
              <span className="nowrap muted">{dateTime(item.at)}</span> <span>{item.text}</span>
              {item.mine ? <span className="muted"> · this console</span> : <span className="muted"> · {item.console}</span>}
              {item.command ? (
                <code className="mono team-command" title={item.command}>
                  {item.command}
                </code>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
