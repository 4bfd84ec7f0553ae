// Local port forwards to the dashboards on a host's localhost (as `ssh -L 127.0.0.1:0:…`): a
// listener on 127.0.0.1 with a random port whose every connection becomes a direct-tcpip
// channel over the host's pooled SSH connection. Forwards are listed, closed on demand, and
// closed when their host's connection drops (the views hear it through onTunnels).
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionState, Dashboard, HostId, TunnelId, TunnelInfo } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { isoAt, type Clock } from '../clock';

export interface TunnelServiceDeps {
  forwardOut(hostId: HostId, dstHost: string, dstPort: number): Promise<Duplex>;
  onState(listener: (s: ConnectionState) => void): () => void;
  /** dashboards a host may be tunnelled to (from its deployments' config) */
  dashboardsFor(hostId: HostId): readonly Dashboard[];
  clock: Clock;
  randomBytes(size: number): Buffer;
  emitTunnels(tunnels: TunnelInfo[]): void;
  logger: { warn(message: string): void };
}

interface Tunnel {
  info: TunnelInfo;
  server: Server;
  sockets: Set<Socket>;
}

export class TunnelService {
  private readonly tunnels = new Map<TunnelId, Tunnel>();
  private readonly opening = new Map<string, Promise<TunnelInfo>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: TunnelServiceDeps) {
    this.unsubscribe = deps.onState((state) => {
      // a link that stops answering may come back: its tunnels stay until the connection goes
      if (state.state === 'connected' || state.state === 'unresponsive') return;
      for (const t of [...this.tunnels.values()]) {
        if (t.info.hostId === state.hostId) this.close(t.info.id);
      }
    });
  }

  list(): TunnelInfo[] {
    return [...this.tunnels.values()].map((t) => ({ ...t.info, connections: t.sockets.size }));
  }

  /** Opens (or reuses) the forward for a configured dashboard; only configured dashboards can be reached. */
  async open(hostId: HostId, dashboardName: string): Promise<TunnelInfo> {
    const dashboard = this.deps.dashboardsFor(hostId).find((d) => d.name === dashboardName);
    if (!dashboard) throw new OpsFailure('not-found', `${hostId}: no dashboard named ${JSON.stringify(dashboardName.slice(0, 100))} in the config`);
    const existing = [...this.tunnels.values()].find((t) => t.info.hostId === hostId && t.info.dashboard === dashboard.name);
    if (existing) return { ...existing.info, connections: existing.sockets.size };
    // A second click while the first is still opening joins it: a burst of calls from a hostile
    // or hasty page cannot open a listener each.
    const key = `${hostId}\u0000${dashboard.name}`;
    const pending = this.opening.get(key);
    if (pending) return pending;
    const opened = this.create(hostId, dashboard).finally(() => this.opening.delete(key));
    this.opening.set(key, opened);
    return opened;
  }

  private async create(hostId: HostId, dashboard: Dashboard): Promise<TunnelInfo> {
    // one channel first: a host that is down, or a dashboard not listening, is reported now
    // rather than as a blank browser page later
    const probe = await this.deps.forwardOut(hostId, '127.0.0.1', dashboard.port).catch((err: Error) => {
      throw new OpsFailure('unavailable', err.message);
    });
    probe.destroy();
    const sockets = new Set<Socket>();
    const server = createServer({ noDelay: true }, (socket) => this.accept(hostId, dashboard, socket, sockets));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const address = server.address();
    const localPort = typeof address === 'object' && address ? address.port : 0;
    const info: TunnelInfo = {
      id: `tun-${this.deps.randomBytes(8).toString('hex')}` as TunnelId,
      hostId,
      dashboard: dashboard.name,
      remote: `127.0.0.1:${dashboard.port}`,
      localPort,
      url: `http://127.0.0.1:${localPort}${dashboard.path}`,
      openedAt: isoAt(this.deps.clock.now()),
      connections: 0,
    };
    this.tunnels.set(info.id, { info, server, sockets });
    this.changed();
    return info;
  }

  close(id: TunnelId): boolean {
    const t = this.tunnels.get(id);
    if (!t) return false;
    this.tunnels.delete(id);
    t.server.close();
    for (const s of t.sockets) s.destroy();
    this.changed();
    return true;
  }

  closeAll(): void {
    this.unsubscribe();
    for (const id of [...this.tunnels.keys()]) this.close(id);
  }

  private accept(hostId: HostId, dashboard: Dashboard, socket: Socket, sockets: Set<Socket>): void {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.pause();
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    this.deps.forwardOut(hostId, '127.0.0.1', dashboard.port).then(
      (channel) => {
        if (socket.destroyed) return channel.destroy();
        channel.on('error', () => socket.destroy());
        channel.once('close', () => socket.destroy());
        socket.once('close', () => channel.destroy());
        socket.pipe(channel).pipe(socket);
        socket.resume();
      },
      (err: Error) => {
        this.deps.logger.warn(`tunnel ${hostId} ${dashboard.name}: ${err.message}`);
        socket.destroy();
      },
    );
  }

  private changed(): void {
    this.deps.emitTunnels(this.list());
  }
}
