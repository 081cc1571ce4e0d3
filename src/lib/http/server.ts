import type { Server } from 'node:http';
import type { Express } from 'express';

export interface RunningServer {
  /** The port actually bound (useful when 0 asked for any free port). */
  port: number;
  /** Stops accepting connections, lets in-flight requests finish, then closes idle ones. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 by default; set HOST=0.0.0.0 inside a container. */
export function listen(app: Express, port: number, host = process.env.HOST ?? '127.0.0.1'): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      resolve({
        port: boundPort,
        close: () =>
          new Promise<void>((resolveClose, rejectClose) => {
            server.close((error) => (error ? rejectClose(error) : resolveClose()));
            server.closeIdleConnections();
          }),
      });
    });
  });
}
