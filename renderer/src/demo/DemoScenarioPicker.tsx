// The demo fleet's scenario picker: make the simulator show the problem of one runbook area
// now, to walk its alert, runbook and fix. Rendered only on the demo fleet; main refuses the
// calls on any other.
import { useEffect, useRef, useState } from 'react';
import type { DemoScenarioState } from '../../../common/contract';
import { RUNBOOK_SECTION_TITLES } from '../../../common/thresholds';
import { useApi } from '../api/ApiContext';
import { useAppStore } from '../store/appStore';

const label = (s: DemoScenarioState['scenarios'][number]): string =>
  s.area ? `${RUNBOOK_SECTION_TITLES[s.area]}: ${s.description}` : `Healthy: ${s.description}`;

export function DemoScenarioPicker() {
  const demo = useAppStore((s) => s.fleet?.demo ?? false);
  return demo ? <Picker /> : null;
}

function Picker() {
  const api = useApi();
  const [state, setState] = useState<DemoScenarioState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  useEffect(() => {
    let live = true;
    void api.getDemoScenarios({}).then((r) => {
      if (!live) return;
      if (r.ok) setState(r.value);
      else setError(`${r.error.code}: ${r.error.message}`);
    });
    return () => {
      live = false;
    };
  }, [api]);
  if (!state) return error ? <span className="notice notice-error">demo scenarios unavailable: {error}</span> : null;
  const choose = (name: string) => {
    // the select shows the choice at once; arrowing through the entries sends one call per
    // step, and only the last one's answer is applied (an earlier one must not move it back)
    const seq = ++latest.current;
    setState({ ...state, current: name, cycling: false });
    void api.setDemoScenario({ name }).then((r) => {
      if (seq !== latest.current) return;
      if (r.ok) {
        setState(r.value);
        setError(null);
      } else setError(`${r.error.code}: ${r.error.message}`);
    });
  };
  return (
    <label className="demo-scenario">
      <span className="demo-badge" aria-hidden="true">
        DEMO
      </span>{' '}
      scenario{' '}
      <select aria-label="Demo scenario" value={state.cycling ? '' : state.current} onChange={(e) => e.target.value && choose(e.target.value)}>
        {state.cycling ? <option value="">cycling through every area (now {state.current})</option> : null}
        {state.scenarios.map((s) => (
          <option key={s.name} value={s.name}>
            {label(s)}
          </option>
        ))}
      </select>
      {error ? (
        <span className="notice-error" role="alert">
          {error}
        </span>
      ) : null}
    </label>
  );
}
