import type { Command } from 'commander';
import { ConflictError, ValidationError } from '../domain/errors.js';
import { httpUrl } from '../ingest/feeds/parseFeed.js';
import { parseEvery, type IngestSource, type PollResult } from '../services/ingest.js';
import { CLI_ACTOR, withServices } from './userCommand.js';

/** `nashra ingest …`: feed sources from the terminal, the same service the newsroom uses. */
export function registerIngestCommands(program: Command): void {
  const ingest = program.command('ingest').description('feed sources polled into the newsroom’s incoming queue (docs/ingest.md)');
  ingest
    .command('add')
    .description('add a feed source (RSS 2.0, Atom or JSON Feed)')
    .argument('<url>', 'the feed’s http(s) URL')
    .requiredOption('--name <name>', 'the source’s name, used as the source label of drafts taken from it')
    .option('--section <section>', 'section of drafts taken from it (default: NASHRA_DEFAULT_SECTION)')
    .option('--every <interval>', 'how often to poll: 30s…24h, like 5m or 1h (at least 1m)', '5m')
    .option('--json', 'print the source as JSON on stdout')
    .action(async (url: string, opts: { name: string; section?: string; every: string; json?: boolean }) => {
      // Checked before the database is opened: bad input touches nothing.
      if (refused('ingest add', () => {
        if (!httpUrl(url)) throw new ValidationError(`bad URL "${url}": give a full http or https URL`);
        parseEvery(opts.every);
      })) return;
      process.exitCode = await run('ingest add', async ({ ingest }) => {
        const s = await ingest.addSource(CLI_ACTOR, { url, name: opts.name, section: opts.section, every: opts.every });
        if (opts.json) process.stdout.write(`${JSON.stringify(s)}\n`);
        else process.stdout.write(`added source ${s.id}: ${s.name} <${s.url}>, every ${s.everySeconds} s\n`);
        return 0;
      });
    });
  ingest
    .command('list')
    .description('list the sources with their health')
    .option('--json', 'print the sources as JSON on stdout')
    .action(async (opts: { json?: boolean }) => {
      process.exitCode = await run('ingest list', async ({ ingest }) => {
        const sources = await ingest.sources(CLI_ACTOR);
        if (opts.json) process.stdout.write(`${JSON.stringify(sources)}\n`);
        else process.stdout.write(sources.map(line).join('') || 'no sources\n');
        return 0;
      });
    });
  ingest
    .command('remove')
    .description('remove a source and its items not yet taken')
    .argument('<id>', 'the source id (see `nashra ingest list`)')
    .action(async (id: string) => {
      if (refused('ingest remove', () => sourceId(id))) return;
      process.exitCode = await run('ingest remove', async ({ ingest }) => {
        await ingest.removeSource(CLI_ACTOR, sourceId(id));
        process.stderr.write(`removed source ${id}\n`);
        return 0;
      });
    });
  ingest
    .command('poll')
    .description('poll sources now, due or not (all of them without an id)')
    .argument('[id]', 'one source id')
    .option('--json', 'print the results as JSON on stdout')
    .action(async (id: string | undefined, opts: { json?: boolean }) => {
      if (id !== undefined && refused('ingest poll', () => sourceId(id))) return;
      process.exitCode = await run('ingest poll', async ({ ingest }) => {
        const results = await ingest.pollNow(CLI_ACTOR, id === undefined ? undefined : sourceId(id));
        if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
        else process.stdout.write(results.map(resultLine).join('') || 'no sources\n');
        // A failed poll is recorded on its source; the command says so with its exit code.
        return results.some((r) => r.status === 'error') ? 1 : 0;
      });
    });
}

/** Runs a check of the arguments; a refusal is one line on stderr and exit code 1. */
function refused(what: string, check: () => unknown): boolean {
  try {
    check();
    return false;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    process.stderr.write(`nashra: ${what}: ${e.message}\n`);
    process.exitCode = 1;
    return true;
  }
}

/** Like withServices, with a duplicate source (409) also reported as one line. */
function run(what: string, work: Parameters<typeof withServices>[1]): Promise<number> {
  return withServices(what, async (s) => {
    try {
      return await work(s);
    } catch (e) {
      if (e instanceof ConflictError) throw new ValidationError(e.message);
      throw e;
    }
  });
}

function sourceId(raw: string): number {
  if (!/^[1-9]\d{0,9}$/.test(raw)) throw new ValidationError(`bad source id "${raw}"`);
  return Number(raw);
}

function line(s: IngestSource): string {
  const health = s.lastError && (!s.lastSuccessAt || (s.lastErrorAt ?? '') > s.lastSuccessAt) ? `error: ${s.lastError}` : s.lastSuccessAt ? `ok ${s.lastSuccessAt}` : 'not polled yet';
  return `${s.id}\t${s.name}\t${s.url}\tevery ${s.everySeconds} s\t${health}\tnext ${s.nextPollAt}\n`;
}

function resultLine(r: PollResult): string {
  switch (r.status) {
    case 'ok':
      return `${r.sourceId}\tok: ${r.added} new of ${r.seen}\n`;
    case 'not-modified':
      return `${r.sourceId}\tnot modified\n`;
    case 'busy':
      return `${r.sourceId}\tbusy: another poll holds this source\n`;
    case 'error':
      return `${r.sourceId}\terror: ${r.error} (next try ${r.nextPollAt})\n`;
  }
}
