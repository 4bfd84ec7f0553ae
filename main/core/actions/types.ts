// Ports the action service depends on (besides HostExecutor, in ../hostExec.ts, which the SSH
// pool implements); tests and benches can supply their own.
import type { EventPayload, HostId } from '../../../common/contract';

export interface HostRef {
  id: HostId;
  label: string;
}

export type HostLookup = (id: HostId) => HostRef | undefined;

export type EmitRunOutput = (payload: EventPayload<'onRunOutput'>) => void;
export type EmitRunStatus = (payload: EventPayload<'onRunStatus'>) => void;
