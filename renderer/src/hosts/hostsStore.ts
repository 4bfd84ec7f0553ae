// The host view's own store: facts per host, the host tools' settings, open tunnels, terminal tabs.
// Kept apart from the main store so the host tools stay one folder; fed by events bound once
// (bindHostEvents) and by the getHostFacts snapshot.
import type { HostFacts, HostTools, OpsApi, TunnelInfo } from '../../../common/contract';
import { leaveView, setView } from '../store/actions';
import { createStore } from '../store/createStore';

export interface TerminalTab {
  /** stable React key: a reconnect replaces terminalId but keeps the tab */
  key: number;
  hostId: string;
  /** "trader-1 #2" */
  title: string;
  terminalId: string | null;
  state: 'opening' | 'open' | 'closed';
  reason: string | null;
}

export interface HostsState {
  /** the Hosts tab is showing */
  facts: Record<string, HostFacts>;
  tools: HostTools | null;
  tunnels: TunnelInfo[];
  selectedHostId: string | null;
  terminals: TerminalTab[];
  activeTerminal: number | null;
  loadError: string | null;
  /** last tunnel or escalation outcome shown to the user; hostId null for a deployment's (escalation) */
  notice: { kind: 'link' | 'error'; text: string; url?: string; hostId: string | null } | null;
  timeline: { title: string; markdown: string; copied: boolean } | null;
}

const initial: HostsState = {
  facts: {},
  tools: null,
  tunnels: [],
  selectedHostId: null,
  terminals: [],
  activeTerminal: null,
  loadError: null,
  notice: null,
  timeline: null,
};

export const useHostsStore = createStore<HostsState>(() => ({ ...initial }));

/** The host view is one of the app's views (store/slices View): opening it is a view change. */
export const setHostsOpen = (open: boolean): void => (open ? setView('hosts') : leaveView('hosts'));
export const selectHost = (hostId: string): void => useHostsStore.setState({ selectedHostId: hostId });
export const setActiveTerminal = (key: number): void => useHostsStore.setState({ activeTerminal: key });

export function applyFacts(updates: HostFacts[]): void {
  useHostsStore.setState((s) => {
    const facts = { ...s.facts };
    for (const f of updates) facts[f.hostId] = f;
    return { facts };
  });
}

export async function loadHostFacts(api: OpsApi): Promise<void> {
  const result = await api.getHostFacts({});
  if (!result.ok) {
    useHostsStore.setState({ loadError: result.error.message });
    return;
  }
  applyFacts(result.value.hosts);
  useHostsStore.setState({ tools: result.value.tools, tunnels: result.value.tunnels, loadError: null });
}

let bound: OpsApi | null = null;
/** Subscribe once per api to the host events; returns the unsubscribe. */
export function bindHostEvents(api: OpsApi): () => void {
  if (bound === api) return () => {};
  bound = api;
  const offs = [
    api.on('onHostFacts', (p) => applyFacts(p.updates)),
    api.on('onTunnels', (p) => useHostsStore.setState({ tunnels: p.tunnels })),
    api.on('onTerminalState', (p) => {
      if (p.state !== 'closed') return;
      useHostsStore.setState((s) => ({
        terminals: s.terminals.map((t) => (t.terminalId === p.terminalId ? { ...t, state: 'closed', reason: p.reason } : t)),
      }));
    }),
  ];
  return () => {
    bound = null;
    offs.forEach((off) => off());
  };
}

let nextKey = 1;
export function addTerminalTab(hostId: string, label: string): number {
  const key = nextKey++;
  const n = useHostsStore.getState().terminals.filter((t) => t.hostId === hostId).length + 1;
  useHostsStore.setState((s) => ({
    terminals: [...s.terminals, { key, hostId, title: `${label} #${n}`, terminalId: null, state: 'opening', reason: null }],
    activeTerminal: key,
  }));
  return key;
}

export function updateTerminalTab(key: number, patch: Partial<TerminalTab>): void {
  useHostsStore.setState((s) => ({ terminals: s.terminals.map((t) => (t.key === key ? { ...t, ...patch } : t)) }));
}

export function removeTerminalTab(key: number): void {
  useHostsStore.setState((s) => {
    const terminals = s.terminals.filter((t) => t.key !== key);
    return { terminals, activeTerminal: s.activeTerminal === key ? (terminals.at(-1)?.key ?? null) : s.activeTerminal };
  });
}

export async function openTunnel(api: OpsApi, hostId: string, dashboard: string): Promise<void> {
  const result = await api.openTunnel({ hostId, dashboard });
  if (!result.ok) {
    useHostsStore.setState({ notice: { kind: 'error', text: `cannot open ${dashboard}: ${result.error.message}`, hostId } });
    return;
  }
  const { tunnel, opened } = result.value;
  useHostsStore.setState({
    notice: { kind: 'link', text: opened ? `${dashboard} opened in your browser` : `${dashboard} is at`, url: tunnel.url, hostId },
  });
}

export async function closeTunnel(api: OpsApi, tunnelId: string): Promise<void> {
  const result = await api.closeTunnel({ tunnelId });
  if (!result.ok) useHostsStore.setState({ notice: { kind: 'error', text: `cannot close the tunnel: ${result.error.message}`, hostId: null } });
}

export async function escalate(
  api: OpsApi,
  deploymentId: string,
  deploymentName: string,
  target: 'pagerduty' | 'ticket' | 'logs',
  copy: (text: string) => Promise<void>,
): Promise<void> {
  const result = await api.escalate({ deploymentId, target });
  if (!result.ok) {
    useHostsStore.setState({ notice: { kind: 'error', text: `cannot escalate: ${result.error.message}`, hostId: null } });
    return;
  }
  const { url, opened, markdown } = result.value;
  let copied = true;
  await copy(markdown).catch(() => {
    copied = false;
  });
  useHostsStore.setState({
    notice: {
      kind: 'link',
      text: opened ? `opened ${TARGET_WORDS[target]} for ${deploymentName} in your browser` : `${TARGET_WORDS[target]} for ${deploymentName}:`,
      ...(url ? { url } : {}),
      hostId: null,
    },
    timeline: { title: `Incident timeline: ${deploymentName}`, markdown, copied },
  });
}

export const TARGET_WORDS = { pagerduty: 'PagerDuty', ticket: 'ticket system', logs: 'log platform' } as const;
