import { useState } from 'react';
import type { RunAlert } from '../../../common/contract';
import { openRunAlert } from '../alerts/openRunAlert';
import { dateTime } from '../status/format';

/**
 * An audit row's "from alert: <rule> <item>": the alert its run was started from, opened in the
 * strip while it is listed, else the panel it concerned, each with focus.
 */
export function AlertLink({ alert }: { alert: RunAlert }) {
  const [gone, setGone] = useState(false);
  return (
    <span className="audit-alert">
      <button
        type="button"
        className="link-button"
        title={alert.firedAt ? `fired ${dateTime(alert.firedAt)}` : 'pending when the run started'}
        onClick={() => setGone(openRunAlert(alert) === null)}
      >
        from alert: {alert.title} {alert.item}
      </button>
      {gone ? <span className="muted"> (no longer listed)</span> : null}
    </span>
  );
}
