import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real, tiny filesystem for full-disk tests: a tmpfs mounted in a private mount namespace
 * (`unshare`) held by a helper process, and reached from this process through
 * `/proc/<helper>/root/…`, which resolves paths in the helper's mounts. Writes there hit the
 * kernel's own ENOSPC, no mock involved; and the mount vanishes with the helper, so a crashed
 * test leaves nothing mounted. The helper exits when its stdin closes (when we or the test
 * runner go away).
 *
 * Root (as in CI) needs CAP_SYS_ADMIN for `unshare --mount`; anyone else needs unprivileged user
 * namespaces (`--map-root-user`). A container without either cannot run these tests.
 */
const asRoot = process.getuid?.() === 0;
const unshareArgs = ['--mount', '--propagation', 'private', ...(asRoot ? [] : ['--map-root-user'])];
const MOUNT = 'mount -t tmpfs -o "size=$1" nashra-small-disk "$2"';

/** Empty when a small filesystem can be made here; otherwise why not. */
export function smallDiskUnavailableReason(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nashra-disk-probe-'));
  try {
    const r = spawnSync('unshare', [...unshareArgs, 'sh', '-c', MOUNT, 'sh', '64k', dir], { encoding: 'utf8' });
    if (r.error) return `unshare could not run (${r.error.message})`;
    return r.status === 0 ? '' : `cannot mount a tmpfs in a private mount namespace: ${(r.stderr || `exit ${r.status}`).trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SmallDisk {
  /** A directory on the tiny filesystem, usable by this process. */
  path: string;
  close(): Promise<void>;
}

export async function mountSmallDisk(size: string): Promise<SmallDisk> {
  const mountPoint = mkdtempSync(join(tmpdir(), 'nashra-disk-'));
  const helper = spawn('unshare', [...unshareArgs, 'sh', '-c', `${MOUNT} && echo ready && read _`, 'sh', size, mountPoint], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let err = '';
    helper.stderr.on('data', (d: Buffer) => (err += d));
    helper.stdout.on('data', (d: Buffer) => String(d).includes('ready') && resolve());
    helper.once('exit', (code) => reject(new Error(`the small disk helper exited ${code}: ${err}`)));
  });
  return {
    path: `/proc/${helper.pid}/root${mountPoint}`,
    async close() {
      helper.stdin.end();
      await exited;
      rmSync(mountPoint, { recursive: true, force: true });
    },
  };
}
