import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services/index.js';
import { migrateToLatest, openStore } from '../../src/store/db.js';
import { actorFor, insertTestUser } from '../helpers/users.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The acceptance case for reliable scheduling: the server is down when an article's time comes,
 * and the article is live within 5 s of the next start, with no one touching it.
 */
describe('a schedule that passes while the server is down', () => {
  it('is published right after the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nashra-schedule-'));
    const store = openStore({ dataDir });
    await migrateToLatest(store.db);
    const services = createServices(store, loadConfig({ NASHRA_DATA_DIR: dataDir }));
    const editor = actorFor(await insertTestUser(store, 'editor'));
    const article = await services.workflow.create(editor, {
      headline: 'خبر مجدول',
      body: [{ type: 'paragraph', spans: [{ text: 'نص الخبر.' }] }],
      section: 'سياسة',
      timeZone: 'Asia/Damascus',
      city: 'دمشق',
    });
    const at = new Date(Date.now() + 1500);
    await services.workflow.schedule(editor, article.id, at.toISOString());
    await store.close();
    // The moment passes with no server running.
    await sleep(at.getTime() - Date.now() + 1000);

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      cwd: root,
      env: { ...process.env, PORT: '0', NASHRA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d;
          const m = /Nashra serves (http:\/\/\S+?)\/?\n/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const started = Date.now();
      let status = 0;
      while (Date.now() - started < 5000) {
        status = (await fetch(`${url}/news/${article.id}`, { redirect: 'manual' })).status;
        if (status === 301) break;
        await sleep(100);
      }
      // 301 to the canonical URL: the article is public (a draft or scheduled one answers 404).
      expect(status).toBe(301);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
