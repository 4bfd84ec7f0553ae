import { randomBytes } from 'node:crypto';
import { createServer, connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { systemClock } from '../clock';
import { TunnelService } from './TunnelService';

// forwardOut here is a plain TCP connection to a real local server: the SSH part is proven on
// real hosts in HostToolsFeature.fleet.int.test.ts; this is about the service's bookkeeping.
let dashboardPort = 0;
const dashboard = createServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
beforeAll(async () => {
  await new Promise<void>((resolve) => dashboard.listen(0, '127.0.0.1', resolve));
  dashboardPort = (dashboard.address() as AddressInfo).port;
});
afterAll(() => dashboard.close());

describe('TunnelService', () => {
  it('a burst of opens for one dashboard makes one listener, not one each', async () => {
    let forwards = 0;
    const service = new TunnelService({
      forwardOut: async (_id, host, port) => {
        forwards += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return connect({ host, port });
      },
      onState: () => () => {},
      dashboardsFor: () => [{ name: 'Grafana', port: dashboardPort, path: '/' }],
      clock: systemClock,
      randomBytes,
      emitTunnels: () => {},
      logger: { warn: () => {} },
    });
    const host = 'at-1' as HostId;
    const opened = await Promise.all(Array.from({ length: 25 }, () => service.open(host, 'Grafana')));
    expect(new Set(opened.map((t) => t.id)).size).toBe(1);
    expect(service.list()).toHaveLength(1);
    expect(forwards).toBe(1);
    const page = await fetch(opened[0]!.url);
    expect(await page.text()).toBe('ok');
    service.close(opened[0]!.id);
  });
});
