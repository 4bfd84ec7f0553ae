import { describe, expect, it } from 'vitest';
import type { CallHandlers } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { Redactor } from '../redact/Redactor';
import { dispatchCall } from './dispatchCall';
import { redactingHandlers } from './redactingHandlers';

describe('redactingHandlers', () => {
  const redactor = new Redactor();
  const handlers = {
    pollNow: async () => {
      throw new Error('cannot read /etc/autotrader/env: ALPACA_SECRET_KEY=abcdef123456 is malformed');
    },
    cancelRun: async () => {
      throw new OpsFailure('conflict', 'busy with fa=DU1234567');
    },
    listAudit: async () => ({ records: [], chainOk: true, chainError: null }),
  } as unknown as CallHandlers;
  const wrapped = redactingHandlers(handlers, (text) => redactor.redact(text));

  it('scrubs what a failing handler says before it reaches the renderer, keeping its code', async () => {
    const internal = await dispatchCall(wrapped, 'pollNow', { deploymentId: 'prod' });
    expect(internal.ok).toBe(false);
    expect(JSON.stringify(internal)).not.toContain('abcdef123456');
    expect(JSON.stringify(internal)).toContain('ALPACA_SECRET_KEY=[REDACTED]');
    const conflict = await dispatchCall(wrapped, 'cancelRun', { runId: 'run-0123456789abcdef' });
    expect(conflict).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(JSON.stringify(conflict)).not.toContain('DU1234567');
  });

  it('passes answers through untouched', async () => {
    expect(await dispatchCall(wrapped, 'listAudit', { limit: 5 })).toEqual({ ok: true, value: { records: [], chainOk: true, chainError: null } });
  });
});
