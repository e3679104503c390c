import { Command, CommanderError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { ImportError } from '../ingest/page/read.js';
import { migrateToLatest, openStore } from '../store/db.js';
import { backup, restore } from './backupCommand.js';
import { importHtmlPages, importPages } from './importCommand.js';
import { registerIngestCommands } from './ingestCommand.js';
import { importWordpressSite } from './wordpressCommand.js';
import { reindexSearch } from './searchCommand.js';
import { serve } from './serve.js';
import { createToken, revokeToken } from './tokenCommand.js';
import { addUser } from './userCommand.js';

const program = new Command('nashra')
  .description('Nashra (نشرة): an Arabic-first news publishing platform')
  .showHelpAfterError()
  .exitOverride();

program
  .command('serve')
  .description('migrate the database and serve the site')
  .option('--demo', 'load the demo content when the site has no articles yet')
  .action(async (opts: { demo?: boolean }) => {
    await serve(loadConfig(), { demo: !!opts.demo });
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    const config = loadConfig();
    const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const applied = await migrateToLatest(store.db);
      process.stderr.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    } finally {
      await store.close();
    }
  });

const imports = program.command('import').description('bring content in from files');
imports
  .command('page')
  .description('import text dumps of article pages as articles')
  .argument('<files...>', 'page text files (UTF-8, at most 5 MB each)')
  .option('--publish', 'publish the articles (default: drafts)')
  .option('--json', 'print the results as JSON on stdout')
  .option('--media-dir <dir>', 'where to find the image files the pages name (default: each page file’s folder)')
  .option('--section <name>', 'section for the articles (default: NASHRA_DEFAULT_SECTION)')
  .option('--keep-going', 'go on with the next file after a failed one')
  .action(async (files: string[], opts) => {
    process.exitCode = await importPages(files, opts);
  });
imports
  .command('wordpress')
  .description('import a WordPress export (WXR): authors, categories, tags, posts, pages, media; run again to update')
  .argument('<file>', 'the export (Tools → Export → All content)')
  .option('--uploads <dir>', 'the folder mirroring wp-content/uploads (without it, no pictures are imported)')
  .option('--timezone <zone>', 'the site’s IANA time zone, for drafts’ dates (default: NASHRA_TIMEZONE)')
  .option('--dry-run', 'write nothing; report what would change')
  .option('--json', 'print the report as JSON on stdout')
  .action(async (file: string, opts) => {
    process.exitCode = await importWordpressSite(file, opts);
  });
imports
  .command('html')
  .description('turn saved news article pages (.html) into drafts; nothing is downloaded')
  .argument('<files...>', 'saved pages (UTF-8 HTML, at most 5 MB each); images are taken from each page’s NAME_files folder')
  .option('--json', 'print the results as JSON on stdout')
  .option('--keep-going', 'go on with the next file after a failed one')
  .action(async (files: string[], opts) => {
    process.exitCode = await importHtmlPages(files, opts);
  });

program
  .command('backup')
  .description('write a consistent backup (database snapshot, media files, manifest with checksums) while the site serves')
  .option('--to <dir>', 'the new backup folder (default: <NASHRA_DATA_DIR>/backups/<UTC time>)')
  .option('--json', 'print the result as JSON on stdout')
  .action(async (opts: { to?: string; json?: boolean }) => {
    process.exitCode = await backup(opts);
  });

program
  .command('restore')
  .description('check a backup’s checksums and restore it into an empty data directory or database, then migrate')
  .argument('<dir>', 'a backup folder written by `nashra backup`')
  .option('--json', 'print the result as JSON on stdout')
  .action(async (dir: string, opts: { json?: boolean }) => {
    process.exitCode = await restore(dir, opts);
  });

const search = program.command('search').description('the search index');
search
  .command('reindex')
  .description('rebuild the search index from published articles and visible live entries (after an analyzer change)')
  .option('--json', 'print the result as JSON on stdout')
  .action(async (opts: { json?: boolean }) => {
    process.exitCode = await reindexSearch(opts);
  });

registerIngestCommands(program);

const users = program.command('user').description('newsroom accounts');
users
  .command('add')
  .description('add a newsroom user; the password is read from standard input')
  .argument('<email>', 'the email the user signs in with')
  .addOption(new Option('--role <role>', 'what the user may do').choices(['contributor', 'editor', 'admin']).makeOptionMandatory())
  .option('--password-stdin', 'read the password from standard input (one trailing newline is dropped)')
  .option('--name <name>', 'name shown in the newsroom (default: the part of the email before @)')
  .action(async (email: string, opts) => {
    process.exitCode = await addUser(email, opts);
  });

const tokens = program.command('token').description('API tokens (Authorization: Bearer) for /api');
tokens
  .command('create')
  .description('create a token for a user and print it on stdout; it is shown only this once')
  .argument('<email>', 'the user the token acts for')
  .addOption(new Option('--scope <scope>', 'read: GET only; write: also changes').choices(['read', 'write']).default('read'))
  .option('--name <name>', 'what the token is for, as listed later')
  .action(async (email: string, opts) => {
    process.exitCode = await createToken(email, opts);
  });
tokens
  .command('revoke')
  .description('revoke a token by its id')
  .argument('<id>', 'the token id printed when it was created')
  .action(async (id: string) => {
    process.exitCode = await revokeToken(id);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode;
  } else if (e instanceof ConfigError || e instanceof ImportError) {
    process.stderr.write(`nashra: ${String(e.message)}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`nashra: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
