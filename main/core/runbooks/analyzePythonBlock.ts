// Python blocks: the one runnable shape is resetting a circuit breaker, and only when the block
// proves which breaker it is: `CIRCUIT_REGISTRY` imported from src.services.reliability, the
// variable assigned from `CIRCUIT_REGISTRY.get_monitor("name")` at top level, and nothing since
// that could have rebound it. `x.reset()` on any other object is not a breaker reset.
import { isRefusal, type SnippetMatcher } from './SnippetMatcher';
import type { LineVerdict } from './shell/analyzeShellBlock';

const IMPORT = /^from\s+src\.services\.reliability\s+import\s+(?:[\w\s,]*,\s*)?CIRCUIT_REGISTRY\s*(?:,[\w\s,]*)?(?:#.*)?$/;
const MONITOR = /^([A-Za-z_]\w*)\s*=\s*CIRCUIT_REGISTRY\.get_monitor\(\s*(["'])([a-z0-9_]+)\2\s*\)\s*(?:#.*)?$/;
const RESET = /^([A-Za-z_]\w*)\.reset\(\)\s*(?:#.*)?$/;
const DIRECT = /^CIRCUIT_REGISTRY\.get_monitor\(\s*(["'])([a-z0-9_]+)\1\s*\)\.reset\(\)\s*(?:#.*)?$/;
const NOTE = 'through the API reset endpoint, else this Python call on the host';

export function analyzePythonBlock(source: string, matcher: SnippetMatcher): LineVerdict[] {
  let imported: number | null = null;
  const monitors = new Map<string, { breaker: string; line: number }>();
  let nested: number | null = null;
  return source.split('\n').map((raw, i): LineVerdict => {
    const text = raw.trim();
    if (text === '') return { kind: 'blank', match: null, withheld: null, warnings: [] };
    if (text.startsWith('#')) return { kind: 'comment', match: null, withheld: null, warnings: [] };
    const v: LineVerdict = { kind: 'command', match: null, withheld: null, warnings: [] };
    const indented = /^\s/.test(raw);
    if (indented || text.endsWith(':')) nested ??= i;
    const reset = RESET.exec(text);
    const direct = DIRECT.exec(text);
    if (indented) {
      if (reset || direct) v.withheld = `inside a Python block (line ${nested! + 1}): runs only when that block does`;
      // an assignment in a block may or may not have rebound a name
      for (const name of monitors.keys()) if (new RegExp(`\\b${name}\\b`).test(text)) monitors.delete(name);
      return v;
    }
    if (IMPORT.test(text)) {
      imported = i;
      return v;
    }
    const monitor = MONITOR.exec(text);
    if (monitor) {
      if (imported !== null) monitors.set(monitor[1]!, { breaker: monitor[3]!, line: i });
      else monitors.delete(monitor[1]!);
      return v;
    }
    const breaker = direct ? direct[2]! : reset ? monitors.get(reset[1]!)?.breaker : undefined;
    if ((reset || direct) && imported === null) v.withheld = 'CIRCUIT_REGISTRY is not imported from src.services.reliability in this block';
    else if (reset && breaker === undefined) v.withheld = `${reset[1]} is not a breaker from CIRCUIT_REGISTRY.get_monitor("…") in this block`;
    else if (breaker !== undefined) {
      const shape = matcher.checked({ actionId: 'breaker.reset', params: { breaker }, note: NOTE });
      if (isRefusal(shape)) v.withheld = shape.reason;
      else v.match = shape;
    } else {
      // anything else may rebind a tracked name or the registry: forget them
      for (const name of monitors.keys()) if (new RegExp(`\\b${name}\\b`).test(text)) monitors.delete(name);
      if (/\bCIRCUIT_REGISTRY\b/.test(text)) imported = null;
    }
    return v;
  });
}
