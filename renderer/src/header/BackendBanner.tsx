import { useAppStore } from '../store/appStore';
import { useNow } from '../status/useNow';
import { duration } from '../status/format';

/** Shown while the page has no working link to main: everything on screen may be old. */
export function BackendBanner() {
  const backend = useAppStore((s) => s.backend);
  const fleetError = useAppStore((s) => s.fleetError);
  const now = useNow(1000);
  if (backend.state === 'disconnected') {
    const wait = Math.max(0, (backend.retryAt - now) / 1000);
    return (
      <div role="alert" className="banner banner-fail">
        ■ disconnected from console backend: {backend.reason}; reconnecting {wait > 0.5 ? `in ${duration(wait)}` : 'now'} (attempt {backend.attempt}). Data on
        screen may be out of date.
        {/* a restarted browser shell has a new token, which this page cannot know */}
        {backend.attempt >= 5 ? ' If the console was restarted, open the new URL it printed.' : null}
      </div>
    );
  }
  if (fleetError) {
    return (
      <div role="alert" className="banner banner-fail">
        ■ cannot load the fleet: {fleetError}
      </div>
    );
  }
  return null;
}
