// What the team did, as the hosts' journals recorded it: loaded once, then kept by batched
// onTeamActivity updates. Newest last; bounded like main's own list.
import { createStore } from '../store/createStore';
import type { OpsApi } from '../../../common/contract';
import type { TeamActivityItem } from '../../../common/contract';

export interface TeamState {
  items: TeamActivityItem[];
  /** false when this console keeps no team records (the demo fleet) */
  enabled: boolean;
  error: string | null;
}

const MAX_ITEMS = 1000;

export const useTeamStore = createStore<TeamState>(() => ({ items: [], enabled: false, error: null }));

export function applyTeamItems(items: readonly TeamActivityItem[]): void {
  if (items.length === 0) return;
  useTeamStore.setState((s) => {
    const byId = new Map(s.items.map((i) => [i.id, i]));
    for (const item of items) byId.set(item.id, item);
    const sorted = [...byId.values()].sort((a, b) => a.at.localeCompare(b.at));
    return { items: sorted.slice(-MAX_ITEMS) };
  });
}

/** Load the timeline and follow main's updates; returns the unsubscribe. */
export function bindTeam(api: OpsApi): () => void {
  const off = api.on('onTeamActivity', (payload) => applyTeamItems(payload.items));
  void api.listTeamActivity({}).then((result) => {
    if (!result.ok) {
      useTeamStore.setState({ error: result.error.message });
      return;
    }
    useTeamStore.setState({ enabled: result.value.enabled, error: null });
    applyTeamItems(result.value.items);
  });
  return off;
}
