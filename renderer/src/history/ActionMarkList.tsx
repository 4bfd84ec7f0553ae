// A panel's action marks in words, under its header: who ran what and when, within the charts'
// time range. The charts draw the same runs as marks at their time (HistoryChart).
import { useShallow } from 'zustand/react/shallow';
import type { Endpoint } from '../../../common/health';
import { VisibleText } from '../status/VisibleText';
import { useAppStore } from '../store/appStore';
import { useNow } from '../status/useNow';
import type { ActionMark } from './actionMarks';
import { useActionMarks } from './useActionMarks';

const SHOWN = 3;
export const markTime = (at: number): string => new Date(at).toISOString().slice(11, 19);
/** "you (demo) ran Scale the workers on demo-1: succeeded at 20:31:07 UTC" */
export const markText = (m: ActionMark): string => `${m.who} ran ${m.what} at ${markTime(m.at)} UTC`;

export function ActionMarkList({ endpoint, title }: { endpoint: Endpoint; title: string }) {
  const { deploymentId, minutes } = useAppStore(useShallow((s) => ({ deploymentId: s.selectedDeploymentId, minutes: s.chartRangeMinutes })));
  const marks = useActionMarks(deploymentId ?? '', endpoint);
  const now = useNow(5000);
  const shown = marks.filter((m) => m.at >= now - minutes * 60_000);
  if (shown.length === 0) return null;
  return (
    <ul className="action-marks" aria-label={`Actions on ${title}`}>
      {shown.slice(-SHOWN).map((m) => (
        <li key={m.key} className={m.mine ? 'mark-mine' : 'mark-team'}>
          <span aria-hidden="true">{m.mine ? '▼' : '▽'} </span>
          <span className="mono">{markTime(m.at)}</span> <VisibleText text={`${m.who} ran ${m.what}`} />
        </li>
      ))}
      {shown.length > SHOWN ? <li className="muted">and {shown.length - SHOWN} earlier in this range</li> : null}
    </ul>
  );
}
