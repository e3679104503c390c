/**
 * `npm run bench:import`: generates a deterministic WordPress export (20,000 posts by default,
 * seeded PRNG), imports it without media into a fresh SQLite store and reports posts/s and the
 * process' peak RSS, beside a baseline measured in the same run: the time merely to stream-parse
 * the same file (both passes' worth of reading is part of the import). Results:
 * bench/results/import.md and import.json. Targets (issue 7): ≥ 500 posts/s, peak RSS < 300 MB.
 *
 *   npm run bench:import [-- --posts 20000]
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { importWordpress } from '../src/ingest/wordpress/importSite.js';
import { readWxr } from '../src/ingest/wordpress/wxr.js';
import { createServices } from '../src/services/index.js';
import { migrateToLatest, openStore } from '../src/store/db.js';
import { mulberry32 } from './search/prng.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const POSTS = arg('posts', 20_000);
const SEED = 0x77707870;
const PROGRESS_EVERY = arg('progress-every', 2000);
/** Other work on the machine slows the wall-clock figures; the CPU-time ones are not affected. */
const LOAD_AT_START = Math.round(loadavg()[0]! * 100) / 100;

// ---------------------------------------------------------------- the export

const WORDS =
  'دمشق حلب حمص اللاذقية طرطوس الحكومة المجلس الوزير السوق الأسعار الليرة الكهرباء المياه المدارس الطلاب الجامعة المسرح المهرجان الموسم الزيتون القمح الطاقة الشمسية الانتخابات المحلية البلدية الموازنة الخدمات الطرق النقل المستشفى الأطباء الصحة الرياضة المنتخب الدوري الثقافة الكتاب المعرض الفنون الموسيقى السياحة القلعة الأسواق التجار المزارعين الموظفين الرواتب الصرف المصرف القروض المشاريع الشباب العمل البطالة الهجرة العودة الشتاء الصيف المطر الجفاف'.split(
    ' ',
  );
const enc = (s: string) => encodeURIComponent(s).toLowerCase();
const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
const pad = (n: number) => String(n).padStart(2, '0');

function sentence(rand: () => number, min = 8, max = 20): string {
  const n = min + Math.floor(rand() * (max - min));
  const words = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]!);
  return `${words.join(' ')}.`;
}

/** A post body like the fixture's: Gutenberg paragraphs, a heading and a list; every tenth classic HTML. */
function body(rand: () => number, classic: boolean): string {
  const paras = Array.from({ length: 4 + Math.floor(rand() * 5) }, () => `${sentence(rand)} ${sentence(rand)}`);
  if (classic) return `${paras.slice(0, 2).join('\n\n')}\n\n<h3>${sentence(rand, 3, 6)}</h3>\n\n${paras.slice(2).join('\n\n')}`;
  const p = (t: string) => `<!-- wp:paragraph -->\n<p>${t}</p>\n<!-- /wp:paragraph -->`;
  const list = `<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>${sentence(rand, 3, 6)}</li>\n<!-- /wp:list-item --><!-- wp:list-item -->\n<li>${sentence(rand, 3, 6)}</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->`;
  return [p(paras[0]!), p(paras[1]!), `<!-- wp:heading -->\n<h2>${sentence(rand, 3, 6)}</h2>\n<!-- /wp:heading -->`, ...paras.slice(2).map(p), list].join('\n\n');
}

interface Term {
  name: string;
  slug: string;
}

/** Written item by item to a stream: the generator holds one post at a time too. */
export async function generateExport(file: string, posts: number): Promise<void> {
  const rand = mulberry32(SEED);
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const authors = Array.from({ length: 20 }, (_, i) => ({ login: `writer${i + 1}`, name: `${WORDS[i]} ${WORDS[i + 20]}` }));
  const categories: (Term & { parent: string | null })[] = Array.from({ length: 30 }, (_, i) => {
    const name = `${WORDS[i * 2]!} ${i + 1}`;
    return { name, slug: name.replace(' ', '-'), parent: i >= 10 ? `${WORDS[(i % 10) * 2]!}-${(i % 10) + 1}` : null };
  });
  const tags: Term[] = Array.from({ length: 200 }, (_, i) => {
    const name = `${WORDS[i % WORDS.length]!} ${WORDS[(i * 7) % WORDS.length]!} ${i}`;
    return { name, slug: name.replaceAll(' ', '-') };
  });
  await write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>موقع للقياس</title>
	<link>https://bench.example</link>
	<description>تصدير مولَّد</description>
	<language>ar</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://bench.example</wp:base_site_url>
	<wp:base_blog_url>https://bench.example</wp:base_blog_url>
`);
  for (const [i, a] of authors.entries()) {
    await write(
      `\t<wp:author><wp:author_id>${i + 2}</wp:author_id><wp:author_login>${cdata(a.login)}</wp:author_login><wp:author_email>${cdata(`${a.login}@bench.example`)}</wp:author_email><wp:author_display_name>${cdata(a.name)}</wp:author_display_name><wp:author_first_name>${cdata('')}</wp:author_first_name><wp:author_last_name>${cdata('')}</wp:author_last_name></wp:author>\n`,
    );
  }
  for (const [i, c] of categories.entries()) {
    await write(
      `\t<wp:category><wp:term_id>${i + 2}</wp:term_id><wp:category_nicename>${cdata(enc(c.slug))}</wp:category_nicename><wp:category_parent>${cdata(c.parent ? enc(c.parent) : '')}</wp:category_parent><wp:cat_name>${cdata(c.name)}</wp:cat_name></wp:category>\n`,
    );
  }
  for (const [i, t] of tags.entries()) {
    await write(`\t<wp:tag><wp:term_id>${i + 100}</wp:term_id><wp:tag_slug>${cdata(enc(t.slug))}</wp:tag_slug><wp:tag_name>${cdata(t.name)}</wp:tag_name></wp:tag>\n`);
  }
  const start = Date.UTC(2012, 0, 1);
  for (let n = 1; n <= posts; n++) {
    const id = n + 1000;
    const at = new Date(start + Math.floor(rand() * 14 * 365 * 86_400_000));
    const gmt = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:00`;
    const local = new Date(at.getTime() + 3 * 3600_000);
    const wall = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:00`;
    const r = rand();
    const status = r < 0.9 ? 'publish' : r < 0.95 ? 'draft' : r < 0.98 ? 'private' : 'future';
    const title = sentence(rand, 6, 12).slice(0, -1);
    const slug = `${title.split(' ').slice(0, 5).join('-')}-${n}`;
    const path = `/${gmt.slice(0, 4)}/${gmt.slice(5, 7)}/${gmt.slice(8, 10)}/${enc(slug)}/`;
    const author = authors[Math.floor(rand() * authors.length)]!;
    const cat = categories[Math.floor(rand() * categories.length)]!;
    const postTags = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => tags[Math.floor(rand() * tags.length)]!);
    const oldSlug = rand() < 0.05 ? `<wp:postmeta><wp:meta_key>${cdata('_wp_old_slug')}</wp:meta_key><wp:meta_value>${cdata(enc(`old-${slug}`))}</wp:meta_value></wp:postmeta>` : '';
    const comments = rand() < 0.2 ? `<wp:comment><wp:comment_id>${id}</wp:comment_id><wp:comment_author>${cdata('قارئ')}</wp:comment_author><wp:comment_date>${cdata(wall)}</wp:comment_date><wp:comment_date_gmt>${cdata(gmt)}</wp:comment_date_gmt><wp:comment_content>${cdata(sentence(rand))}</wp:comment_content><wp:comment_approved>${cdata('1')}</wp:comment_approved><wp:comment_parent>0</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>` : '';
    await write(`\t<item>
		<title>${cdata(title)}</title>
		<link>https://bench.example${status === 'publish' ? path : `/?p=${id}`}</link>
		<dc:creator>${cdata(author.login)}</dc:creator>
		<guid isPermaLink="false">https://bench.example/?p=${id}</guid>
		<description></description>
		<content:encoded>${cdata(body(rand, n % 10 === 0))}</content:encoded>
		<excerpt:encoded>${cdata(rand() < 0.3 ? sentence(rand) : '')}</excerpt:encoded>
		<wp:post_id>${id}</wp:post_id>
		<wp:post_date>${cdata(wall)}</wp:post_date>
		<wp:post_date_gmt>${cdata(status === 'draft' ? '0000-00-00 00:00:00' : gmt)}</wp:post_date_gmt>
		<wp:post_modified>${cdata(wall)}</wp:post_modified>
		<wp:post_modified_gmt>${cdata(status === 'draft' ? '0000-00-00 00:00:00' : gmt)}</wp:post_modified_gmt>
		<wp:post_name>${cdata(enc(slug))}</wp:post_name>
		<wp:status>${cdata(status)}</wp:status>
		<wp:post_parent>0</wp:post_parent>
		<wp:menu_order>0</wp:menu_order>
		<wp:post_type>${cdata('post')}</wp:post_type>
		<wp:is_sticky>${rand() < 0.01 ? 1 : 0}</wp:is_sticky>
		<category domain="category" nicename="${enc(cat.slug)}">${cdata(cat.name)}</category>
		${postTags.map((t) => `<category domain="post_tag" nicename="${enc(t.slug)}">${cdata(t.name)}</category>`).join('')}
		${oldSlug}${comments}
	</item>
`);
  }
  await write('</channel>\n</rss>\n');
  out.end();
  await once(out, 'finish');
}

// ---------------------------------------------------------------- measuring

/** The kernel's record of this process' peak resident set (VmHWM), in MB; sampled RSS where /proc is absent. */
function peakRssMb(sampled: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(sampled / 1024 / 1024);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'nashra-bench-import-'));
  const file = join(dir, 'export.xml');
  let sampled = 0;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 50);
  try {
    let t = performance.now();
    await generateExport(file, POSTS);
    const genS = (performance.now() - t) / 1000;
    const bytes = statSync(file).size;
    process.stderr.write(`generated ${POSTS} posts, ${(bytes / 1e6).toFixed(1)} MB in ${genS.toFixed(1)} s\n`);

    // Baseline: streaming the file through the parser alone, once.
    t = performance.now();
    const parseCpu0 = process.cpuUsage();
    let items = 0;
    for await (const r of readWxr(file)) if (r.kind === 'item') items++;
    const parseS = (performance.now() - t) / 1000;
    const parseCpu = process.cpuUsage(parseCpu0);
    const parseCpuS = (parseCpu.user + parseCpu.system) / 1e6;
    process.stderr.write(`parse alone: ${items} items in ${parseS.toFixed(2)} s\n`);

    const dataDir = join(dir, 'data');
    const store = openStore({ dataDir });
    await migrateToLatest(store.db);
    const services = createServices(store, loadConfig({ NASHRA_DATA_DIR: dataDir, NASHRA_TIMEZONE: 'Asia/Damascus' }));
    let last = 0;
    t = performance.now();
    const cpu0 = process.cpuUsage();
    const report = await importWordpress(services, file, {
      timeZone: 'Asia/Damascus',
      onProgress: ({ done, total }) => {
        if (done - last >= PROGRESS_EVERY || done === total) {
          last = done;
          const m = process.memoryUsage();
          const mb = (n: number) => Math.round(n / 1048576);
          process.stderr.write(`  ${done}/${total}  rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)} MB, external ${mb(m.external)} MB\n`);
        }
      },
    });
    const importS = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const importCpuS = (cpu.user + cpu.system) / 1e6;
    await store.close();
    sampled = Math.max(sampled, process.memoryUsage().rss);

    const a = report.counts.article;
    const postsDone = a.imported + a.updated + a.unchanged;
    const result = {
      posts: POSTS,
      file_mb: Math.round(bytes / 1e5) / 10,
      engine: 'sqlite',
      media: false,
      imported: a.imported,
      failed: a.failed,
      import_s: Math.round(importS * 100) / 100,
      posts_per_s: Math.round(postsDone / importS),
      /** The same per second of this process' CPU time: what the code costs, whatever else the machine runs. */
      import_cpu_s: Math.round(importCpuS * 100) / 100,
      posts_per_cpu_s: Math.round(postsDone / importCpuS),
      parse_only_s: Math.round(parseS * 100) / 100,
      parse_only_items_per_s: Math.round(items / parseS),
      /** Import time over one streaming parse of the same file, same run. */
      import_over_parse: Math.round((importS / parseS) * 10) / 10,
      import_over_parse_cpu: Math.round((importCpuS / parseCpuS) * 10) / 10,
      load_average_at_start: LOAD_AT_START,
      peak_rss_mb: peakRssMb(sampled),
      targets: { posts_per_s: 500, peak_rss_mb: 300 },
      node: process.version,
      date: new Date().toISOString().slice(0, 10),
    };
    const ok = (b: boolean) => (b ? 'met' : '**missed**');
    const md = `# bench:import

\`npm run bench:import\` (bench/import.ts): a generated WordPress export (seeded, the same on every run) of
${POSTS.toLocaleString('en')} posts (${result.file_mb} MB: Gutenberg and classic bodies, 20 authors, 30 nested categories, 200
tags, old slugs, comments) imported without media into a fresh SQLite store, each post in its own
transaction with its revision, search indexing, import keys and redirects. ${result.date}, Node ${process.version}.

| measure | value | target |
|---|---|---|
| posts imported | ${a.imported} (failed ${a.failed}) | |
| import time (wall) | ${result.import_s} s | |
| import CPU time (user + system) | ${result.import_cpu_s} s | |
| **posts/s** (wall clock) | **${result.posts_per_s}** | ≥ 500 (${ok(result.posts_per_s >= 500)}) |
| posts per CPU second | ${result.posts_per_cpu_s} | |
| **peak RSS** | **${result.peak_rss_mb} MB** | < 300 MB (${ok(result.peak_rss_mb < 300)}) |
| baseline: one streaming parse of the file | ${result.parse_only_s} s (${result.parse_only_items_per_s} items/s) | |
| import time ÷ parse time (wall / CPU) | ${result.import_over_parse} × / ${result.import_over_parse_cpu} × | |
| machine load average at start (2 cores) | ${LOAD_AT_START} | |

Peak RSS is the kernel's high-water mark for the whole process (generation, parse baseline and
import). The import reads the file twice (a first pass for authors, terms and attachments,
which may come after the posts that use them), so two parses' worth of the baseline is inside
the import time.
`;
    const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
    writeFileSync(join(resultsDir, 'import.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(resultsDir, 'import.md'), md);
    process.stdout.write(md);
  } finally {
    clearInterval(sampler);
    if (process.env.KEEP_EXPORT) process.stderr.write(`kept ${file}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
