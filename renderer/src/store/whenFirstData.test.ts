import { describe, expect, it } from 'vitest';
import { applyFleet, applyFleetError, setBackendStatus } from './actions';
import { whenFirstData } from './whenFirstData';

const FLEET = { demo: true, configPath: null, user: 'op', hosts: [], deployments: [] };

describe('the first render waits for the fleet', () => {
  it('renders once the fleet is in, and only once', () => {
    let renders = 0;
    whenFirstData(() => renders++, 60_000);
    expect(renders).toBe(0);
    applyFleet(FLEET);
    applyFleet(FLEET);
    expect(renders).toBe(1);
  });

  it('does not wait when the fleet is already in, or cannot come', () => {
    applyFleetError('internal: config unreadable');
    let renders = 0;
    whenFirstData(() => renders++, 60_000);
    expect(renders).toBe(1);
  });

  it('renders the shell with its banner at once when the backend is unreachable', () => {
    let renders = 0;
    whenFirstData(() => renders++, 60_000);
    setBackendStatus({ state: 'connecting', attempt: 0 });
    expect(renders).toBe(0);
    setBackendStatus({ state: 'disconnected', attempt: 1, retryAt: 0, reason: 'socket closed (code 1006)' });
    expect(renders).toBe(1);
  });

  it('renders the shell after the wait when the backend is slow', async () => {
    const rendered = new Promise<void>((resolve) => whenFirstData(resolve, 20));
    await expect(rendered).resolves.toBeUndefined();
  });
});
