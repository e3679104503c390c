import { describe, expect, it } from 'vitest';
import { BodySchema } from '../../../src/domain/blocks.js';
import { convertBody, pendingImages, resolveImages } from '../../../src/ingest/wordpress/body.js';

const p = (text: string) => ({ type: 'paragraph', spans: [{ text }] });

describe('convertBody: classic editor', () => {
  it('blank lines separate paragraphs, a single newline is a line break, entities decoded', () => {
    const r = convertBody('أول سطر\nثانٍ &laquo;مقتبس&raquo; &amp; &#8220;هنا&#8221;\r\n\r\n\nفقرة &lt;ثانية&gt;&hellip;');
    expect(r.editor).toBe('classic');
    expect(r.blocks).toEqual([p('أول سطر\nثانٍ «مقتبس» & “هنا”'), p('فقرة <ثانية>…')]);
    expect(r.warnings).toEqual([]);
  });

  it('[caption] with a linked image: attachment id, alt, caption and credit split', () => {
    const r = convertBody(
      'قبل\n\n[caption id="attachment_31" align="alignright" width="300"]<a href="https://s.example/wp-content/uploads/2020/05/a.jpg"><img class="size-medium wp-image-31" src="https://s.example/wp-content/uploads/2020/05/a-300x200.jpg" alt="وصف &amp; بديل" /></a> جنود على الحدود (أ ف ب)[/caption] بعد',
    );
    expect(r.blocks).toEqual([
      p('قبل'),
      {
        type: 'image',
        pending: { src: 'https://s.example/wp-content/uploads/2020/05/a-300x200.jpg', attachmentId: 31, alt: 'وصف & بديل', caption: 'جنود على الحدود', credit: 'أ ف ب' },
      },
      p('بعد'),
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('old-style [caption caption="…"], and a caption without an agency', () => {
    const r = convertBody('[caption id="attachment_5" caption="صورة أرشيفية"]<img src="https://s.example/x.jpg" />[/caption]');
    expect(r.blocks).toEqual([{ type: 'image', pending: { src: 'https://s.example/x.jpg', attachmentId: 5, caption: 'صورة أرشيفية' } }]);
  });

  it('a bare URL on its own line: an embed for YouTube and X, a link otherwise, with a warning', () => {
    const r = convertBody('نص\nhttps://youtu.be/Q8fZr2LwX1c\nتابع\n\nhttps://x.com/someone/status/123456\n\nhttps://vimeo.com/12345');
    expect(r.blocks).toEqual([
      p('نص'),
      { type: 'embed', url: 'https://youtu.be/Q8fZr2LwX1c', provider: 'youtube' },
      p('تابع'),
      { type: 'embed', url: 'https://x.com/someone/status/123456', provider: 'x' },
      { type: 'paragraph', spans: [{ text: 'https://vimeo.com/12345', href: 'https://vimeo.com/12345' }] },
    ]);
    expect(r.warnings).toEqual(['embed of https://vimeo.com/12345 is not a supported provider (YouTube, X, HLS): kept as a link']);
  });

  it('block-level HTML stays whole across blank lines; blockquote becomes a quote; <hr> is reported', () => {
    const r = convertBody('<ul>\n<li>أ</li>\n\n<li>ب</li>\n</ul>\n<blockquote>قال <strong>هنا</strong>\n\n<cite>فلان</cite></blockquote>\n<hr />\n<h2>عنوان</h2>\nذيل');
    expect(r.blocks).toEqual([
      { type: 'list', ordered: false, items: [[{ text: 'أ' }], [{ text: 'ب' }]] },
      { type: 'quote', spans: [{ text: 'قال ' }, { text: 'هنا', bold: true }], speaker: 'فلان' },
      { type: 'subheading', text: 'عنوان' },
      p('ذيل'),
    ]);
    expect(r.warnings).toEqual(['separator (Nashra bodies have no divider) dropped']);
  });

  it('[gallery ids], [embed], unknown shortcodes, YouTube iframes and lossy tags all say what happened', () => {
    const r = convertBody(
      '[gallery ids="4, 5"]\n\n[embed]https://www.youtube.com/watch?v=abcdefghijk[/embed]\n\n[contact-form id="2"]اتصل بنا[/contact-form]\n\n<iframe src="https://www.youtube.com/embed/Q8fZr2LwX1c" width="560"></iframe>\n\n<table><tr><td>خلية</td></tr></table>\n\n<script>alert(1)</script>',
    );
    expect(r.blocks).toEqual([
      { type: 'image', pending: { attachmentId: 4 } },
      { type: 'image', pending: { attachmentId: 5 } },
      { type: 'embed', url: 'https://www.youtube.com/watch?v=abcdefghijk', provider: 'youtube' },
      p('اتصل بنا'),
      { type: 'embed', url: 'https://www.youtube.com/watch?v=Q8fZr2LwX1c', provider: 'youtube' },
      p('خلية'),
    ]);
    expect(r.warnings).toEqual([
      '[gallery] became 2 image blocks',
      'shortcode [contact-form] is not supported: its brackets were removed, its text kept',
      'dropped a table (its cells became paragraphs) (<table>)',
      'dropped a script (<script>)',
    ]);
  });

  it('an image in running text is taken out in place; a link elsewhere than the picture is reported', () => {
    const r = convertBody('قبل <a href="https://other.example/page"><img src="https://s.example/wp-content/uploads/b.jpg" class="alignleft wp-image-8" alt=""></a> بعد');
    expect(r.blocks).toEqual([p('قبل'), { type: 'image', pending: { src: 'https://s.example/wp-content/uploads/b.jpg', attachmentId: 8 } }, p('بعد')]);
    expect(r.warnings).toEqual(['image link to https://other.example/page dropped (image blocks carry no link)']);
  });

  it('empty and whitespace bodies', () => {
    expect(convertBody('  \n ')).toEqual({ editor: 'empty', blocks: [], warnings: [] });
  });
});

describe('convertBody: Gutenberg blocks', () => {
  it('paragraph, heading, list, quote, image, embed', () => {
    const r = convertBody(`<!-- wp:paragraph -->
<p>فقرة <em>مائلة</em> و<a href="https://a.example/">رابط</a></p>
<!-- /wp:paragraph -->

<!-- wp:heading {"level":3} -->
<h3 class="wp-block-heading">عنوان فرعي</h3>
<!-- /wp:heading -->

<!-- wp:list {"ordered":true} -->
<ol><!-- wp:list-item -->
<li>واحد</li>
<!-- /wp:list-item --><!-- wp:list-item -->
<li>اثنان</li>
<!-- /wp:list-item --></ol>
<!-- /wp:list -->

<!-- wp:quote -->
<blockquote class="wp-block-quote"><!-- wp:paragraph -->
<p>سطر أول</p>
<!-- /wp:paragraph --><!-- wp:paragraph -->
<p>سطر ثان</p>
<!-- /wp:paragraph --><cite>المتحدث</cite></blockquote>
<!-- /wp:quote -->

<!-- wp:image {"id":40,"sizeSlug":"large"} -->
<figure class="wp-block-image size-large"><img src="https://s.example/wp-content/uploads/2024/02/c-1024x640.jpg" alt="بديل" class="wp-image-40"/><figcaption class="wp-element-caption">وصف الصورة (رويترز)</figcaption></figure>
<!-- /wp:image -->

<!-- wp:embed {"url":"https://twitter.com/user/status/1234567890","type":"rich","providerNameSlug":"twitter"} -->
<figure class="wp-block-embed is-type-rich is-provider-twitter wp-block-embed-twitter"><div class="wp-block-embed__wrapper">
https://twitter.com/user/status/1234567890
</div></figure>
<!-- /wp:embed -->`);
    expect(r.editor).toBe('blocks');
    expect(r.warnings).toEqual([]);
    expect(r.blocks).toEqual([
      { type: 'paragraph', spans: [{ text: 'فقرة ' }, { text: 'مائلة', italic: true }, { text: ' و' }, { text: 'رابط', href: 'https://a.example/' }] },
      { type: 'subheading', text: 'عنوان فرعي' },
      { type: 'list', ordered: true, items: [[{ text: 'واحد' }], [{ text: 'اثنان' }]] },
      { type: 'quote', spans: [{ text: 'سطر أول' }, { text: '\n' }, { text: 'سطر ثان' }], speaker: 'المتحدث' },
      { type: 'image', pending: { src: 'https://s.example/wp-content/uploads/2024/02/c-1024x640.jpg', attachmentId: 40, alt: 'بديل', caption: 'وصف الصورة', credit: 'رويترز' } },
      { type: 'embed', url: 'https://twitter.com/user/status/1234567890', provider: 'x' },
    ]);
  });

  it('an unknown block becomes a paragraph of its text, with a warning; an empty one is dropped, with a warning', () => {
    const r = convertBody(
      '<!-- wp:acme/price-box {"sku":"x"} -->\n<div class="price"><span>السعر:</span> <b>100</b> ليرة</div>\n<!-- /wp:acme/price-box -->\n\n<!-- wp:acme/ad-slot /-->',
    );
    expect(r.blocks).toEqual([p('السعر: 100 ليرة')]);
    expect(r.warnings).toEqual(['unknown block wp:acme/price-box kept as a paragraph of its text', 'unknown block wp:acme/ad-slot without text dropped']);
  });

  it('separators, spacers, page breaks: dropped and reported', () => {
    const r = convertBody('<!-- wp:separator -->\n<hr class="wp-block-separator"/>\n<!-- /wp:separator -->\n<!-- wp:spacer {"height":"20px"} -->\n<div style="height:20px" class="wp-block-spacer"></div>\n<!-- /wp:spacer -->\n<!-- wp:nextpage /-->');
    expect(r.blocks).toEqual([]);
    expect(r.warnings).toEqual([
      'separator (Nashra bodies have no divider) dropped',
      'spacer dropped',
      'page break (Nashra articles are one page) dropped',
    ]);
  });

  it('a gallery (inner image blocks or old markup) becomes image blocks', () => {
    const inner = convertBody(`<!-- wp:gallery {"linkTo":"none"} -->
<figure class="wp-block-gallery has-nested-images"><!-- wp:image {"id":1} -->
<figure class="wp-block-image"><img src="https://s.example/1.jpg" alt="" class="wp-image-1"/><figcaption>الأولى (رويترز)</figcaption></figure>
<!-- /wp:image --><!-- wp:image {"id":2} -->
<figure class="wp-block-image"><img src="https://s.example/2.jpg" alt="" class="wp-image-2"/></figure>
<!-- /wp:image --></figure>
<!-- /wp:gallery -->`);
    expect(inner.blocks).toEqual([
      { type: 'image', pending: { src: 'https://s.example/1.jpg', attachmentId: 1, caption: 'الأولى', credit: 'رويترز' } },
      { type: 'image', pending: { src: 'https://s.example/2.jpg', attachmentId: 2 } },
    ]);
    expect(inner.warnings).toEqual(['gallery became 2 image blocks']);
    const old = convertBody(
      '<!-- wp:gallery {"ids":[3,4]} -->\n<figure class="wp-block-gallery"><ul class="blocks-gallery-grid"><li class="blocks-gallery-item"><figure><img src="https://s.example/3.jpg" data-id="3" class="wp-image-3"/><figcaption class="blocks-gallery-item__caption">ثالثة</figcaption></figure></li><li class="blocks-gallery-item"><figure><img src="https://s.example/4.jpg" class="wp-image-4"/></figure></li></ul></figure>\n<!-- /wp:gallery -->',
    );
    expect(pendingImages(old.blocks)).toEqual([
      { src: 'https://s.example/3.jpg', attachmentId: 3, caption: 'ثالثة' },
      { src: 'https://s.example/4.jpg', attachmentId: 4 },
    ]);
  });

  it('custom HTML, layout blocks, preformatted text, unsupported embeds: converted with a warning each', () => {
    const r = convertBody(`<!-- wp:html -->
<p>من <strong>HTML</strong></p><iframe src="https://maps.example/x"></iframe>
<!-- /wp:html -->
<!-- wp:columns --><div class="wp-block-columns"><!-- wp:column --><div class="wp-block-column"><!-- wp:paragraph --><p>عمود</p><!-- /wp:paragraph --></div><!-- /wp:column --></div><!-- /wp:columns -->
<!-- wp:preformatted --><pre class="wp-block-preformatted">سطر
سطر</pre><!-- /wp:preformatted -->
<!-- wp:embed {"url":"https://vimeo.com/1","providerNameSlug":"vimeo"} --><figure class="wp-block-embed"><div class="wp-block-embed__wrapper">https://vimeo.com/1</div><figcaption>وصف</figcaption></figure><!-- /wp:embed -->`);
    expect(r.blocks).toEqual([
      { type: 'paragraph', spans: [{ text: 'من ' }, { text: 'HTML', bold: true }] },
      p('عمود'),
      p('سطر\nسطر'),
      { type: 'paragraph', spans: [{ text: 'https://vimeo.com/1', href: 'https://vimeo.com/1' }] },
      p('وصف'),
    ]);
    expect(r.warnings).toEqual([
      'custom HTML block converted to text blocks',
      'dropped an embedded frame (<iframe>)',
      'layout block wp:columns flattened',
      'layout block wp:column flattened',
      'preformatted block became a paragraph',
      'embed of https://vimeo.com/1 is not a supported provider (YouTube, X, HLS): kept as a link',
      'embed caption kept as a paragraph after the embed',
    ]);
  });

  it('an unclosed tag in one block does not spill into the next (plain blocks share a sanitizer pass)', () => {
    const r = convertBody(
      '<!-- wp:paragraph --><p><strong>أ</p><!-- /wp:paragraph --><!-- wp:paragraph --><p>ب</p><!-- /wp:paragraph -->' +
        '<!-- wp:list --><ul><li><a href="https://x.example/">ج</li></ul><!-- /wp:list --><!-- wp:paragraph --><p>د</p><!-- /wp:paragraph -->',
    );
    expect(r.blocks).toEqual([
      { type: 'paragraph', spans: [{ text: 'أ', bold: true }] },
      p('ب'),
      { type: 'list', ordered: false, items: [[{ text: 'ج', href: 'https://x.example/' }]] },
      p('د'),
    ]);
  });

  it('text between blocks is read as classic content; broken delimiters are reported', () => {
    const r = convertBody('<!-- wp:paragraph --><p>أ</p><!-- /wp:paragraph -->\nنص حر\n\nhttps://youtu.be/Q8fZr2LwX1c\n<!-- /wp:quote --><!-- wp:paragraph {bad json} --><p>ب</p>');
    expect(r.blocks).toEqual([p('أ'), p('نص حر'), { type: 'embed', url: 'https://youtu.be/Q8fZr2LwX1c', provider: 'youtube' }, p('ب')]);
    expect(r.warnings).toEqual([
      'stray closing <!-- /wp:quote --> ignored',
      'block wp:paragraph has unreadable attributes; read without them',
      'block wp:paragraph was not closed; closed at the end of the body',
    ]);
  });
});

describe('resolveImages', () => {
  it('fills media ids and keeps caption and credit; an unresolved image is dropped with a warning', () => {
    const { blocks } = convertBody(
      '[caption id="attachment_1"]<img src="https://s.example/a.jpg" class="wp-image-1">نص (رويترز)[/caption]\n\n[caption id="attachment_2"]<img src="https://s.example/b.jpg">مفقودة[/caption]\n\nنص',
    );
    const r = resolveImages(blocks, (i) => (i.attachmentId === 1 ? 77 : null));
    expect(r.blocks).toEqual([{ type: 'image', mediaId: 77, caption: 'نص', credit: 'رويترز' }, p('نص')]);
    expect(r.warnings).toEqual(['image https://s.example/b.jpg not found: dropped (caption "مفقودة")']);
    expect(BodySchema.safeParse(r.blocks).success).toBe(true);
  });
});
