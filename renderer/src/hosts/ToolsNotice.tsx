// The last tunnel or escalation outcome, shown where it happened: in that host's details, or
// (hostId null) under Escalate. Never another host's message.
import { VisibleText } from '../status/VisibleText';
import { useHostsStore } from './hostsStore';

export function ToolsNotice({ hostId }: { hostId: string | null }) {
  const notice = useHostsStore((s) => s.notice);
  if (!notice || notice.hostId !== hostId) return null;
  return (
    <p role="status" aria-label="Host tools notice" className={notice.kind === 'error' ? 'notice notice-error' : 'notice'}>
      <VisibleText text={notice.text} />{' '}
      {notice.url ? (
        <a href={notice.url} target="_blank" rel="noreferrer noopener" className="mono">
          {notice.url}
        </a>
      ) : null}
    </p>
  );
}
