import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { decodeSlug, readWxr, WxrError, type WxrItem, type WxrRecord } from '../../../src/ingest/wordpress/wxr.js';

const HEAD = (ns = '1.2') => `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/${ns}/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/${ns}/">
<channel>
	<title>موقع</title>
	<link>https://site.example</link>
	<language>ar</language>
	<wp:wxr_version>${ns}</wp:wxr_version>
	<wp:base_site_url>https://site.example</wp:base_site_url>
	<wp:base_blog_url>https://site.example</wp:base_blog_url>
`;
const TAIL = '</channel>\n</rss>\n';

function item(id: number, content: string, extra = ''): string {
  return `<item>
		<title><![CDATA[عنوان ${id}]]></title>
		<link>https://site.example/?p=${id}</link>
		<dc:creator><![CDATA[editor]]></dc:creator>
		<guid isPermaLink="false">https://site.example/?p=${id}</guid>
		<content:encoded><![CDATA[${content}]]></content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>${id}</wp:post_id>
		<wp:post_date><![CDATA[2024-01-01 10:00:00]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[2024-01-01 07:00:00]]></wp:post_date_gmt>
		<wp:post_name><![CDATA[post-${id}]]></wp:post_name>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<wp:is_sticky>0</wp:is_sticky>${extra}
	</item>
`;
}

async function collect(source: Parameters<typeof readWxr>[0]): Promise<WxrRecord[]> {
  const out: WxrRecord[] = [];
  for await (const r of readWxr(source)) out.push(r);
  return out;
}

async function failure(source: Parameters<typeof readWxr>[0]): Promise<WxrError> {
  try {
    await collect(source);
  } catch (e) {
    if (e instanceof WxrError) return e;
    throw e;
  }
  throw new Error('expected a WxrError');
}

const items = (rs: WxrRecord[]) => rs.filter((r): r is WxrItem => r.kind === 'item');

describe('readWxr', () => {
  it('reads an item: CDATA, entities outside CDATA, categories, repeated postmeta, comments', async () => {
    const extra = `
		<category domain="category" nicename="%d8%b3%d9%8a%d8%a7%d8%b3%d8%a9"><![CDATA[سياسة]]></category>
		<category domain="post_tag" nicename="a-b">A &amp; B</category>
		<wp:postmeta><wp:meta_key><![CDATA[_wp_old_slug]]></wp:meta_key><wp:meta_value><![CDATA[old-1]]></wp:meta_value></wp:postmeta>
		<wp:postmeta><wp:meta_key><![CDATA[_wp_old_slug]]></wp:meta_key><wp:meta_value><![CDATA[old-2]]></wp:meta_value></wp:postmeta>
		<wp:comment><wp:comment_id>9</wp:comment_id><wp:comment_approved><![CDATA[spam]]></wp:comment_approved><wp:comment_parent>0</wp:comment_parent>
			<wp:commentmeta><wp:meta_key>akismet</wp:meta_key><wp:meta_value>x</wp:meta_value></wp:commentmeta></wp:comment>
		<plugin:thing xmlns:plugin="https://plugin.example/ns"><plugin:inner>ignored</plugin:inner></plugin:thing>
		<unknown>ignored too</unknown>`;
    const rs = await collect([HEAD() + item(7, '<p>نص &amp; ]]]]><![CDATA[> بقية</p>', extra) + TAIL]);
    const [it7] = items(rs);
    expect(it7).toMatchObject({
      postId: 7,
      title: 'عنوان 7',
      content: '<p>نص &amp; ]]> بقية</p>',
      slug: 'post-7',
      type: 'post',
      terms: [
        { domain: 'category', slug: 'سياسة', slugEncoded: '%d8%b3%d9%8a%d8%a7%d8%b3%d8%a9', name: 'سياسة' },
        { domain: 'post_tag', slug: 'a-b', name: 'A & B' },
      ],
      meta: [{ key: '_wp_old_slug', value: 'old-1' }, { key: '_wp_old_slug', value: 'old-2' }],
    });
    expect(it7!.comments).toEqual([expect.objectContaining({ id: 9, approved: 'spam', parent: 0 })]);
    expect(rs.filter((r) => r.kind === 'warning')).toEqual([]);
  });

  it('reads WXR 1.1 namespaces and other prefixes the same way', async () => {
    const xml = (HEAD('1.1') + item(3, 'x') + TAIL).replaceAll('wp:', 'wordpress:').replace('xmlns:wp=', 'xmlns:wordpress=');
    const rs = await collect([xml]);
    expect(rs[0]).toMatchObject({ kind: 'site', wxrVersion: '1.1', baseBlogUrl: 'https://site.example' });
    expect(items(rs)[0]).toMatchObject({ postId: 3, slug: 'post-3', status: 'publish', type: 'post' });
  });

  it('types other post types, and reads attachment URLs', async () => {
    const body = [
      item(1, '').replace('[post]', '[nav_menu_item]'),
      item(2, '').replace('[post]', '[wp_block]'),
      item(3, '').replace('[post]', '[attachment]').replace('<wp:is_sticky>', '<wp:attachment_url>https://site.example/wp-content/uploads/2024/01/a.jpg</wp:attachment_url><wp:is_sticky>'),
    ].join('');
    const rs = items(await collect([HEAD() + body + TAIL]));
    expect(rs.map((r) => [r.type, r.postType])).toEqual([['nav_menu_item', 'nav_menu_item'], ['other', 'wp_block'], ['attachment', 'attachment']]);
    expect(rs[2]!.attachmentUrl).toBe('https://site.example/wp-content/uploads/2024/01/a.jpg');
  });

  it('malformed XML: an error naming the line, after the records before it', async () => {
    const xml = HEAD() + item(1, 'ok') + '<item><title>broken</titel>\n</item>' + TAIL;
    const line = xml.split('\n').findIndex((l) => l.includes('</titel>')) + 1;
    const got: WxrRecord[] = [];
    let error: unknown;
    try {
      // Byte chunks split mid-character: the decoder must carry the partial sequence over.
      const bytes = Buffer.from(xml);
      const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
      for await (const r of readWxr(chunks)) got.push(r);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WxrError);
    expect((error as WxrError).line).toBe(line);
    expect((error as WxrError).message).toMatch(new RegExp(`^line ${line}:\\d+: `));
    expect(items(got).map((i) => i.postId)).toEqual([1]);
  });

  it('an undeclared entity, a bad encoding, a non-RSS root and an empty file are errors with a line', async () => {
    const entity = await failure([HEAD() + '<item><title>a&nbsp;b</title></item>' + TAIL]);
    expect(entity.line).toBe(HEAD().split('\n').length);
    expect((await failure([Buffer.from([0x3c, 0x72, 0x73, 0x73, 0x3e, 0x0a, 0xff, 0xfe])])).message).toMatch(/UTF-8/);
    expect((await failure(['<html><body>no</body></html>'])).message).toMatch(/expected an <rss> export/);
    expect((await failure([''])).message).toMatch(/root element/);
    expect((await failure([HEAD() + item(1, 'x')])).message).toMatch(/line \d+/); // cut off: unclosed elements
  });

  it('control characters XML forbids are removed with one warning, not a failure', async () => {
    const rs = await collect([HEAD() + item(1, 'a\u0001b\u000bc') + TAIL]);
    expect(items(rs)[0]!.content).toBe('abc');
    expect(rs.filter((r) => r.kind === 'warning').map((r) => (r.kind === 'warning' ? r.message : ''))).toEqual([
      'removed 2 characters XML does not allow (control characters)',
    ]);
  });

  it('a file without wp:wxr_version is read with a warning', async () => {
    const rs = await collect([HEAD().replace(/<wp:wxr_version>.*<\/wp:wxr_version>/, '') + TAIL]);
    expect(rs.map((r) => r.kind)).toEqual(['site', 'warning']);
  });

  it('decodeSlug: percent-encoded UTF-8, and broken encodings kept as written', () => {
    expect(decodeSlug('%d9%85%d9%86-%d9%86%d8%ad%d9%86')).toBe('من-نحن');
    expect(decodeSlug('%D9%85%D9%86')).toBe('من');
    expect(decodeSlug('100%-sure')).toBe('100%-sure');
    expect(decodeSlug('plain')).toBe('plain');
  });

  it('streams: 5,000 items are read one at a time, in bounded memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const N = 5000;
    const paragraph = `<!-- wp:paragraph --><p>${'نص عربي طويل للاختبار '.repeat(200)}</p><!-- /wp:paragraph -->`;
    let produced = 0;
    let totalChars = 0;
    async function* source() {
      yield HEAD();
      for (let i = 1; i <= N; i++) {
        produced++;
        const chunk = item(i, paragraph);
        totalChars += chunk.length;
        yield chunk;
      }
      yield TAIL;
    }
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    let producedAtFirst = -1;
    for await (const r of readWxr(source())) {
      if (r.kind !== 'item') continue;
      if (producedAtFirst < 0) producedAtFirst = produced;
      count++;
      if (count % 500 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
    }
    expect(count).toBe(N);
    // Lazy: the first item came out before the source had produced more than it.
    expect(producedAtFirst).toBeLessThanOrEqual(2);
    // The text read is ~25 M characters (50 MB as UTF-16; keeping the items measures ~55 MB);
    // streamed, what stays alive is a chunk and an item (measured ~0.4 MB).
    expect(totalChars).toBeGreaterThan(20_000_000);
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  });
});
