/**
 * The deployment files against the code they deploy. No Docker engine runs these tests (none
 * exists where they were written), so what can be checked without building is checked here:
 * the image copies everything the server reads at run time, from packages it installs, and the
 * entry point, health check and proxy rules name things that exist.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const dockerfile = read('Dockerfile');
const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string>; scripts: Record<string, string>; dependencies: Record<string, string> };

/** The runtime stage: from its FROM to the end. */
const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
/** What the runtime stage copies, as paths in /app (`COPY package.json ./` → `package.json`). */
const runtimeCopies = [...runtime.matchAll(/^COPY (?:--from=\S+ )?(\S+) (\S+)$/gm)].map((m) =>
  m[2] === './' ? m[1]!.replace(/^\/app\//, '') : m[2]!.replace(/^\.\//, ''),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return path.endsWith('/client') ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Paths the server reads relative to the project root: `join(root, 'src/…')`, `'node_modules/…'`. */
const runtimeReads = sourceFiles('src').flatMap((file) =>
  [...read(file).matchAll(/join\(root, [`']((?:src|node_modules)\/[^`'$]+)/g)].map((m) => ({ file, path: m[1]! })),
);

describe('Dockerfile', () => {
  it('starts the package bin with serve, after the build script the build stage runs', () => {
    expect(Object.values(pkg.bin)).toContain('bin/nashra.js');
    expect(runtime).toMatch(/^ENTRYPOINT \["node", "bin\/nashra\.js"\]$/m);
    expect(runtime).toMatch(/^CMD \["serve"\]$/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(pkg.scripts.build).toBeDefined();
    for (const path of ['dist', 'bin', 'package.json', 'node_modules']) expect(runtimeCopies).toContain(path);
  });

  it('copies every file the server reads from the project root, and installs every package it reads from', () => {
    expect(runtimeReads.length).toBeGreaterThan(0);
    for (const { file, path } of runtimeReads) {
      if (path.startsWith('node_modules/')) {
        const name = path.split('/')[1]!.startsWith('@') ? path.split('/').slice(1, 3).join('/') : path.split('/')[1]!;
        expect(pkg.dependencies, `${file} reads ${path}: ${name} must be a production dependency`).toHaveProperty([name]);
      } else if (!path.startsWith('src/web/reader/client/')) {
        // The client scripts' sources are only a fallback: dist/client is what production reads.
        expect(runtimeCopies.some((copied) => path.startsWith(`${copied}/`)), `${file} reads ${path}, which the image does not copy`).toBe(true);
      }
    }
  });

  it('runs as a non-root user with the data volume and a health check on a route that exists', () => {
    expect(runtime).toMatch(/^USER nashra$/m);
    expect(runtime).toMatch(/^VOLUME \/data$/m);
    expect(runtime).toMatch(/NASHRA_DATA_DIR=\/data/);
    expect(runtime).toMatch(/HOST=0\.0\.0\.0/);
    expect(runtime).toMatch(/^EXPOSE 3000$/m);
    // The command is on the continuation line.
    expect(runtime).toMatch(/^HEALTHCHECK [^\n]*\\\n[^\n]*\/healthz'/m);
    expect(sourceFiles('src/web').some((f) => read(f).includes("app.get('/healthz'"))).toBe(true);
  });

  it('sends everything the build copies into the context (.dockerignore leaves it in)', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    expect(copied.length).toBeGreaterThan(0);
    for (const path of copied) {
      for (const rule of ignored) expect(path === rule || path.startsWith(`${rule}/`), `${path} is ignored by "${rule}"`).toBe(false);
    }
  });
});

describe('deploy/nginx.conf', () => {
  it('turns buffering off for the live stream route', () => {
    const conf = read('deploy/nginx.conf');
    const m = /location ~ (\S+) \{([^}]*)\}/.exec(conf);
    expect(m).not.toBeNull();
    expect(new RegExp(m![1]!).test('/live/منخفض-جوي/events')).toBe(true);
    expect(new RegExp(m![1]!).test('/live/منخفض-جوي')).toBe(false);
    expect(m![2]).toContain('proxy_buffering off');
    expect(read('src/web/reader/liveStream.ts')).toContain("app.get('/live/:slug/events'");
  });
});
