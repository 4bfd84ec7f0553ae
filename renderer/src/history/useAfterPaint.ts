// The history charts wait until a frame with the panels' tables has been painted: recharts'
// render is the page's longest task (about a second of CPU on a busy machine), and the numbers
// an on-call engineer opened the console for must not wait behind it. Until then the panels show
// "loading charts…", and the charts' chunk is not even fetched. The same holds each time the
// Deployment view is shown again (it is kept mounted, hidden in an Activity, while another view
// is open): hiding it drops its charts, and showing it paints the tables first, then the charts.
import { useEffect, useState } from 'react';

/** A background tab runs no animation frames; its timers still run (throttled). */
const FALLBACK_MS = 250;

/** False until a frame has been painted after this component was committed (or shown again). */
export function useAfterPaint(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    let frame = 0;
    let task: ReturnType<typeof setTimeout> | undefined;
    const done = () => setPainted(true);
    // a task queued from an animation frame runs after that frame is painted
    if (typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(() => (task = setTimeout(done, 0)));
    const fallback = setTimeout(done, FALLBACK_MS);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      clearTimeout(task);
      clearTimeout(fallback);
      // hidden (or gone): the charts go with it, and wait for a painted frame when shown again
      setPainted(false);
    };
  }, []);
  return painted;
}
