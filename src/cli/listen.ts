import { createServer } from 'node:net';
import { ConfigError } from '../config.js';

/** Which settings chose an address, so a failure to listen names the one to change. */
export interface AddressSettings {
  host: string;
  port: number;
  hostName: string;
  portName: string;
}

/**
 * A listen failure as the one line `nashra` prints for a bad setting (port in use, a privileged
 * port, a host that is not this machine's); undefined for anything else.
 */
export function listenProblem(err: unknown, a: AddressSettings): ConfigError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new ConfigError(`invalid setting ${a.portName}: ${where} is already in use (another server listens there)`);
    case 'EACCES':
      return new ConfigError(`invalid setting ${a.portName}: not permitted to listen on ${where} (ports below 1024 need privileges)`);
    case 'EADDRNOTAVAIL':
      return new ConfigError(`invalid setting ${a.hostName}: ${a.host} is not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError(`invalid setting ${a.hostName}: ${a.host} does not resolve to an address`);
    default:
      return undefined;
  }
}

/**
 * Binds and releases the address, so a port in use is reported before the database is migrated
 * and loops are started (there would be nothing to stop yet). Port 0 (any free port) always works.
 */
export async function checkCanListen(a: AddressSettings): Promise<void> {
  if (a.port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => reject(listenProblem(err, a) ?? err));
    probe.listen({ port: a.port, host: a.host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
