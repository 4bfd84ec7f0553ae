import type { Status } from './status';
import { STATUS_SHAPE, STATUS_WORD } from './status';

/** Shape + colour, named for screen readers; add `withWord` where there is room for the word too. */
export function StatusIcon({ status, withWord = false }: { status: Status; withWord?: boolean }) {
  return (
    <span className={`status status-${status}`} role="img" aria-label={STATUS_WORD[status]} title={STATUS_WORD[status]}>
      <span aria-hidden="true">{STATUS_SHAPE[status]}</span>
      {withWord ? <span aria-hidden="true" className="status-word">{STATUS_WORD[status]}</span> : null}
    </span>
  );
}
