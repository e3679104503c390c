import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { encode, sendEncoded, type Encoded } from './pageCache.js';

/** The project root: the same walk works from `src/web/reader` (tests) and `dist/web/reader` (built). */
export function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('nashra: package.json not found above the reader assets module');
    dir = up;
  }
  return dir;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Only the faces site.css names: Arabic and Latin subsets, regular and bold. */
const FONT_FILES = [
  'noto-naskh-arabic-arabic-400-normal.woff2',
  'noto-naskh-arabic-arabic-700-normal.woff2',
  'noto-naskh-arabic-latin-400-normal.woff2',
  'noto-naskh-arabic-latin-700-normal.woff2',
];

interface TextAsset {
  type: string;
  body: Encoded;
  hash: string;
}
const textAssets = new Map<string, TextAsset>();

/** `/assets/site.css?v=…`: the hash changes with the content, so browsers may keep each version forever. */
export function assetUrl(name: string): string {
  const a = textAssets.get(name);
  return a ? `/assets/${name}?v=${a.hash}` : `/assets/${name}`;
}

/** A client script (`fontsize`, `editor`) from dist/client, or transpiled from its source. */
async function clientScript(root: string, name: string): Promise<string> {
  const built = join(root, `dist/client/${name}.js`);
  const source = join(root, `src/web/reader/client/${name}.ts`);
  const sourceTime = existsSync(source) ? statSync(source).mtimeMs : 0;
  if (existsSync(built) && statSync(built).mtimeMs >= sourceTime) return readFileSync(built, 'utf8');
  // Not built, or edited since the build (tests run the TS sources): transpile the one small
  // file. TypeScript is only a devDependency, hence imported here, off the production path.
  try {
    const { default: ts } = await import('typescript');
    return ts.transpileModule(readFileSync(source, 'utf8'), {
      compilerOptions: { target: ts.ScriptTarget.ES2020, removeComments: true },
    }).outputText;
  } catch (err) {
    if (existsSync(built)) return readFileSync(built, 'utf8');
    throw err;
  }
}

/** hls.js without its source-map comment: the map is not served, and asking for it would 404. */
function hlsScript(root: string): string {
  return readFileSync(join(root, 'node_modules/hls.js/dist/hls.light.min.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n');
}

async function addText(name: string, type: string, content: string): Promise<void> {
  const body = await encode(content);
  textAssets.set(name, { type, body, hash: body.etagBase.slice(1, 11) });
}

export async function registerAssets(app: FastifyInstance, config: Config): Promise<void> {
  const root = findRoot();
  await addText('site.css', 'text/css; charset=utf-8', readFileSync(join(root, 'src/web/assets/site.css'), 'utf8'));
  // Declared by every page, so browsers never ask for a missing /favicon.ico (a 404 in their console).
  await addText('icon.svg', 'image/svg+xml', readFileSync(join(root, 'src/web/assets/icon.svg'), 'utf8'));
  await addText('newsroom.css', 'text/css; charset=utf-8', readFileSync(join(root, 'src/web/assets/newsroom.css'), 'utf8'));
  await addText('fontsize.js', 'text/javascript; charset=utf-8', await clientScript(root, 'fontsize'));
  await addText('editor.css', 'text/css; charset=utf-8', readFileSync(join(root, 'src/web/assets/editor.css'), 'utf8'));
  await addText('editor.js', 'text/javascript; charset=utf-8', await clientScript(root, 'editor'));
  await addText('autosave.js', 'text/javascript; charset=utf-8', await clientScript(root, 'autosave'));
  await addText('liveConsole.js', 'text/javascript; charset=utf-8', await clientScript(root, 'liveConsole'));
  await addText('live.js', 'text/javascript; charset=utf-8', await clientScript(root, 'live'));
  // The light build (no subtitles, DRM or alternate audio): only browsers without native HLS
  // (all but Safari) load it, and only on a page with an HLS stream.
  // Compressed once per process (a quarter second of brotli per app built): a package file does not change under us.
  if (!textAssets.has('hls.js')) await addText('hls.js', 'text/javascript; charset=utf-8', hlsScript(root));

  const fontDir = join(root, 'node_modules/@fontsource/noto-naskh-arabic/files');
  const fonts = new Map(FONT_FILES.map((f) => [f, readFileSync(join(fontDir, f))]));

  const route = { compress: false, decompress: false } as const;
  // Served from memory with our own negotiation: a few small files, asked for on every first visit.
  app.get<{ Params: { name: string } }>('/assets/:name', route, (req, reply) => {
    const a = textAssets.get(req.params.name);
    if (!a) return reply.callNotFound();
    return sendEncoded(req, reply, a.body, a.type, IMMUTABLE);
  });
  // woff2 is already compressed; recompressing would only cost CPU.
  app.get<{ Params: { name: string } }>('/assets/fonts/:name', route, (req, reply) => {
    const font = fonts.get(req.params.name);
    if (!font) return reply.callNotFound();
    return reply.header('cache-control', IMMUTABLE).type('font/woff2').send(font);
  });

  // Images are content-addressed (a hash in the name), so they never change under one URL.
  mkdirSync(config.mediaDir, { recursive: true });
  await app.register(fastifyStatic, {
    root: config.mediaDir,
    prefix: '/media/',
    decorateReply: false,
    dotfiles: 'deny',
    index: false,
    maxAge: '365d',
    immutable: true,
  });
}
