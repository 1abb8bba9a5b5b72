// A network with a longer round trip: a TCP proxy that holds every chunk of bytes for half the
// round trip in each direction, so that each HTTP request and its answer take `rttMs` more. It
// does not parse HTTP (its own CPU stays out of the figures), and keeps order (timers of one
// duration fire in the order they were set).
import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export async function slowProxy(target: string, rttMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const half = rttMs / 2;
  const later = (to: Socket) => (data: Buffer) => {
    if (half <= 0) to.write(data);
    else setTimeout(() => to.writable && to.write(data), half);
  };
  const server = createServer((client) => {
    const server = connect({ host: upstream.hostname, port: Number(upstream.port) });
    for (const s of [client, server]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.once("close", () => sockets.delete(s));
      s.on("error", () => (client.destroy(), server.destroy()));
    }
    client.on("data", later(server));
    server.on("data", later(client));
    client.on("end", () => setTimeout(() => server.end(), half));
    server.on("end", () => setTimeout(() => client.end(), half));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
