import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { rss, send, startFeedServer, type FeedServer } from '../ingest/feeds/feedServer.js';
import { runNashra, startNashra } from '../helpers/serverProcess.js';

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(() => server.close());

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c-${i + 1}`, title: `خبر ${i + 1}`, link: `https://wire.test/${i + 1}`, html: `<p>نص ${i + 1}</p>` }));

describe('nashra ingest', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nashra-ingest-cli-'));
  const env = { NASHRA_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  const nashra = (...args: string[]) => runNashra(['ingest', ...args], env);

  it('refuses bad input with one clear line and a non-zero exit, writing nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['add', 'not a url', '--name', 'x'], /^nashra: ingest add: bad URL "not a url": give a full http or https URL\n$/],
      [['add', 'ftp://files.test/feed.xml', '--name', 'x'], /^nashra: ingest add: bad URL/],
      [['add', 'https://wire.test/feed.xml', '--name', 'x', '--every', 'often'], /^nashra: ingest add: bad interval "often": use a number and a unit, like 30s, 5m, 2h or 1d\n$/],
      [['add', 'https://wire.test/feed.xml', '--name', 'x', '--every', '10s'], /^nashra: ingest add: bad interval "10s": between 1m and 24h\n$/],
      [['remove', 'abc'], /^nashra: ingest remove: bad source id "abc"\n$/],
      [['remove', '99'], /^nashra: ingest remove: المصدر 99 غير موجود\n$/],
      [['poll', '99'], /^nashra: ingest poll: المصدر 99 غير موجود\n$/],
    ];
    for (const [args, line] of cases) {
      const r = await nashra(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(line);
      expect(r.stdout).toBe('');
    }
    const noName = await nashra('add', 'https://wire.test/feed.xml');
    expect(noName.code).not.toBe(0);
    expect(noName.stderr).toContain("required option '--name <name>' not specified");
    const list = await nashra('list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([]);
  }, 180_000);

  it('adds, lists, polls and removes sources', async () => {
    server.route('/cli.xml', send(rss(items(2))));
    const added = await nashra('add', server.url('/cli.xml'), '--name', 'وكالة سطر الأوامر', '--section', 'دولي', '--every', '10m', '--json');
    expect(added.code).toBe(0);
    const source = JSON.parse(added.stdout) as { id: number; everySeconds: number; section: string };
    expect(source).toMatchObject({ everySeconds: 600, section: 'دولي' });

    const dup = await nashra('add', server.url('/cli.xml'), '--name', 'نسخة');
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/^nashra: ingest add: المصدر مضاف من قبل/);

    const poll = await nashra('poll', String(source.id), '--json');
    expect(poll.code).toBe(0);
    expect(JSON.parse(poll.stdout)).toEqual([{ sourceId: source.id, status: 'ok', added: 2, seen: 2 }]);

    server.route('/broken.xml', (_req, res) => void res.writeHead(503).end());
    const broken = await nashra('add', server.url('/broken.xml'), '--name', 'معطّل');
    const brokenId = Number(/added source (\d+)/.exec(broken.stdout)![1]);
    const all = await nashra('poll');
    // A failed source makes the exit non-zero; the healthy one was still polled.
    expect(all.code).toBe(1);
    expect(all.stdout).toContain(`${source.id}\tok: 0 new of 2`);
    expect(all.stdout).toContain(`${brokenId}\terror: HTTP 503`);

    const list = await nashra('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${source.id}\\tوكالة سطر الأوامر\\t.*\\tevery 600 s\\tok `, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^${brokenId}\\tمعطّل\\t.*\\terror: HTTP 503`, 'm'));

    expect((await nashra('remove', String(brokenId))).code).toBe(0);
    expect((JSON.parse((await nashra('list', '--json')).stdout) as { id: number }[]).map((s) => s.id)).toEqual([source.id]);
  }, 180_000);

  it('polls inside nashra serve, and after a restart polls what fell due while it was down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nashra-ingest-serve-'));
    const senv = { NASHRA_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'warn' };
    server.route('/serve.xml', send(rss(items(1))));
    const added = await runNashra(['ingest', 'add', server.url('/serve.xml'), '--name', 'خادم', '--json'], senv);
    expect(added.code).toBe(0);
    const id = (JSON.parse(added.stdout) as { id: number }).id;

    const count = async () => {
      const store = openStore({ dataDir: dir });
      try {
        const rows = await store.db.selectFrom('incoming_items').select('id').where('source_id', '=', id).execute();
        return rows.length;
      } finally {
        await store.close();
      }
    };
    const waitFor = async (n: number) => {
      // Generous: the machine may be busy; the loop's first run starts with the server.
      for (let i = 0; i < 600 && (await count()) < n; i++) await sleep(100);
      return count();
    };

    const first = await startNashra(senv);
    try {
      expect(await waitFor(1)).toBe(1);
    } finally {
      await first.stop();
    }

    // While no server runs, the source falls due and its feed gains an item.
    server.route('/serve.xml', send(rss(items(2))));
    const store = openStore({ dataDir: dir });
    await store.db.updateTable('ingest_sources').set({ next_poll_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', id).execute();
    await store.close();

    const second = await startNashra(senv);
    try {
      expect(await waitFor(2)).toBe(2);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
