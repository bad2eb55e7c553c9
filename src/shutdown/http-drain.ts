import type { Server } from 'node:http';

/**
 * The HTTP side of a graceful stop, in two steps so that other steps can run between them:
 * `stopAccepting` closes the listening socket at once (new connections are refused, idle
 * keep-alive connections are closed); `drain` then lets requests in flight finish, closing each
 * connection as it goes idle, and after `graceMs` closes whatever is left.
 */
export interface HttpDrain {
  stopAccepting(): void;
  drain(graceMs: number): Promise<void>;
}

export function createHttpDrain(server: Server): HttpDrain {
  let closed: Promise<void> | undefined;
  const stopAccepting = () => {
    closed ??= new Promise<void>((resolve) => {
      // Not listening (start-up failed before listen): nothing to wait for.
      server.close(() => resolve());
    });
    server.closeIdleConnections();
  };
  return {
    stopAccepting,
    async drain(graceMs) {
      stopAccepting();
      const deadline = Date.now() + graceMs;
      let done = false;
      void closed!.then(() => {
        done = true;
      });
      // A keep-alive connection whose last response just went out is idle, but Node only
      // closes idle connections when asked: ask again until all are gone or time is up.
      while (!done && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        server.closeIdleConnections();
      }
      if (!done) {
        server.closeAllConnections();
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
      }
    },
  };
}
