import type { Status } from './status';
import { STATUS_SHAPE, STATUS_WORD } from './status';

/**
 * Shape + colour, named for screen readers; add `withWord` where there is room for the word too.
 * `why` completes the name where the reason sits elsewhere in the row ("failing: success rate
 * 93 % < 95 %"); `word` replaces the status word where the domain has its own ("critical").
 */
export function StatusIcon({ status, withWord = false, why, word }: { status: Status; withWord?: boolean; why?: string; word?: string }) {
  const said = word ?? STATUS_WORD[status];
  const name = why ? `${said}: ${why}` : said;
  return (
    <span className={`status status-${status}`} role="img" aria-label={name} title={name}>
      <span aria-hidden="true">{STATUS_SHAPE[status]}</span>
      {withWord ? (
        <span aria-hidden="true" className="status-word">
          {said}
        </span>
      ) : null}
    </span>
  );
}
