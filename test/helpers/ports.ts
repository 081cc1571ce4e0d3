import { createServer, type AddressInfo } from 'node:net';

/**
 * A loopback port that was free a moment ago: bound, then released. Nothing listens on it, so
 * a connection is refused at once, like a stopped broker or registry; a test may also bind it.
 */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True when `port` on loopback can be bound now: nothing listens there. */
export async function isPortFreeFor(port: number): Promise<boolean> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (bound) await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}
