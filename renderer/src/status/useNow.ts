import { useEffect, useState } from 'react';

/** Current time, ticking every periodMs; each panel ticks on its own so a tick re-renders only countdowns. */
export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}
