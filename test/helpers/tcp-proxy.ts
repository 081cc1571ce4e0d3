import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of one dependency, for outage tests that must not stop the shared stack:
 * `close()` refuses new connections and cuts the open ones (the dependency looks down to whoever
 * goes through the proxy, and only to them); `open()` listens again on the same port.
 */
export interface TcpProxy {
  /** The port the proxy listens on (stable across close/open). */
  readonly port: number;
  open(): Promise<void>;
  close(): Promise<void>;
}

/** `listenHost`: another loopback address (127.0.0.2, ...) makes the dependency answer to a name its certificate does not hold. */
export async function startTcpProxy(target: { host: string; port: number }, { listenHost = '127.0.0.1' }: { listenHost?: string } = {}): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  function track(socket: Socket): void {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  }

  async function open(): Promise<void> {
    if (server) return;
    const created = createServer((client) => {
      const upstream = createConnection(target);
      track(client);
      track(upstream);
      const cut = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', cut);
      upstream.on('error', cut);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, listenHost, () => {
        created.off('error', reject);
        resolve();
      });
    });
    const address = created.address();
    if (typeof address === 'object' && address) port = address.port;
    server = created;
  }

  async function close(): Promise<void> {
    const closing = server;
    server = undefined;
    if (!closing) return;
    const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  await open();
  return {
    get port() {
      return port;
    },
    open,
    close,
  };
}
