import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PurgeCall {
  body: { keys?: string[]; purgeAll?: boolean; reason: string };
  authorization: string | undefined;
  contentType: string | undefined;
}

/** How to answer the n-th call (1-based): a status with headers, `hold` to keep it waiting, or `drop` to cut the connection. */
export type Answer = { status: number; headers?: Record<string, string> } | 'hold' | 'drop';

/** A stand-in for a CDN's purge API on a local port: records every call, answers as told. */
export async function startPurgeReceiver(answer: (n: number) => Answer = () => ({ status: 200 })) {
  const calls: PurgeCall[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as PurgeCall['body'],
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
      });
      const a = answer(calls.length);
      if (a === 'hold') held.push(res);
      else if (a === 'drop') req.socket.destroy();
      else res.writeHead(a.status, a.headers).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/purge`,
    calls,
    /** Answers every held call with 200. */
    release() {
      for (const res of held.splice(0)) res.writeHead(200).end('{}');
    },
    async close() {
      this.release();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
