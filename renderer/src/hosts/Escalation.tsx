// Escalation: opens the configured page and copies the incident timeline as Markdown.
import { useShallow } from 'zustand/react/shallow';
import { useApi } from '../api/ApiContext';
import { useAppStore } from '../store/appStore';
import { escalate, TARGET_WORDS, useHostsStore } from './hostsStore';
import { ToolsNotice } from './ToolsNotice';

export function Escalation() {
  const api = useApi();
  const deployments = useAppStore((s) => s.fleet?.deployments);
  const { tools, timeline } = useHostsStore(useShallow((s) => ({ tools: s.tools, timeline: s.timeline })));
  const targets = (deployments ?? []).map((d) => ({ d, configured: tools?.escalation[d.id] ?? [] }));
  const copy = (text: string) => navigator.clipboard.writeText(text);
  return (
    <section className="panel" aria-label="Escalation">
      <header className="panel-head">
        <h2>Escalate</h2>
        <span className="panel-summary">opens the configured page and copies the incident timeline (alerts and actions, redacted) as Markdown</span>
      </header>
      {targets.map(({ d, configured }) => (
        <div key={d.id} className="host-actions">
          <span className="item-name">{d.name}</span>
          {(['pagerduty', 'ticket', 'logs'] as const).map((t) =>
            configured.includes(t) ? (
              <button key={t} aria-label={`Escalate ${d.name} to ${TARGET_WORDS[t]}`} onClick={() => void escalate(api, d.id, d.name, t, copy)}>
                Escalate: {TARGET_WORDS[t]}
              </button>
            ) : null,
          )}
          {!configured.length ? <span className="muted">no escalation URLs in the config (deployments[].escalation)</span> : null}
        </div>
      ))}
      <ToolsNotice hostId={null} />
      {timeline ? (
        <div>
          <p className="muted">{timeline.copied ? 'Copied to the clipboard:' : 'Could not reach the clipboard; copy it from here:'}</p>
          <textarea aria-label="Incident timeline" readOnly value={timeline.markdown} rows={10} className="timeline mono" />
        </div>
      ) : null}
    </section>
  );
}
