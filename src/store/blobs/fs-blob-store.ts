/**
 * Content-addressed blob store on a local filesystem, under `<dataDir>/blobs/`.
 *
 * Invariants:
 * - Layout: blobs/ab/cd/<sha256 hex>, where ab and cd are the first two byte pairs of the id;
 *   temporary files live in blobs/tmp/ (same filesystem, so rename is atomic).
 * - A write is: temp file, write, fsync, rename over the final name, fsync the directory (and
 *   the parents it had to create). The promise resolves only after all of that, so a crash at
 *   any point leaves either no file or the complete file under its final name (DESIGN rule 3).
 * - Writing content whose file already exists does not rewrite it, but still fsyncs the file
 *   and its directory: another process may have renamed it without having fsynced yet.
 * - The synchronous variants (writeSync, existsSync, deleteSync) exist for callers that must act
 *   while holding a database write lock (see sqlite/blob-refs.ts); they follow the same rules.
 * - Ids are validated against BLOB_ID_PATTERN before touching the filesystem (no path injection).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../errors.js';
import { BLOB_ID_PATTERN, type BlobStore } from './types.js';

const TMP_DIR = 'tmp';

export const blobIdOf = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

const isErrno = (e: unknown, code: string): boolean =>
  typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === code;

/** The final path of blob `id` under the blob root `<dataDir>/blobs` (no directory is created,
 * so read-only callers such as `facteur store copy` can use it on a source they must not touch). */
export function blobFilePath(root: string, id: string): string {
  if (!BLOB_ID_PATTERN.test(id)) throw new StoreError('NONEXISTENT', `invalid blob id ${JSON.stringify(id)}`);
  return join(root, id.slice(0, 2), id.slice(2, 4), id);
}

export class FsBlobStore implements BlobStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'blobs');
    fs.mkdirSync(join(this.root, TMP_DIR), { recursive: true });
  }

  /** The final path of a blob id. */
  pathOf(id: string): string {
    return blobFilePath(this.root, id);
  }

  private tmpPath(): string {
    return join(this.root, TMP_DIR, `${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  async write(content: Buffer): Promise<string> {
    const id = blobIdOf(content);
    const final = this.pathOf(id);
    const dir = join(final, '..');
    if (await this.syncIfPresent(final, dir)) return id;
    const created = await this.ensureDir(dir);
    const tmp = this.tmpPath();
    const fh = await fsp.open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fsp.rename(tmp, final);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    await fsyncDir(dir);
    for (const d of created) await fsyncDir(d);
    return id;
  }

  /** Same contract as write(), blocking; for use inside a database write lock. */
  writeSync(content: Buffer): string {
    const id = blobIdOf(content);
    const final = this.pathOf(id);
    const dir = join(final, '..');
    const created = this.ensureDirSync(dir);
    const tmp = this.tmpPath();
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      let off = 0;
      while (off < content.length) off += fs.writeSync(fd, content, off, content.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, final);
    fsyncDirSync(dir);
    for (const d of created) fsyncDirSync(d);
    return id;
  }

  async read(id: string, start?: number, end?: number): Promise<Buffer> {
    const path = this.pathOf(id);
    try {
      if (start === undefined && end === undefined) return await fsp.readFile(path);
      const fh = await fsp.open(path, 'r');
      try {
        const size = (await fh.stat()).size;
        const from = Math.min(Math.max(0, start ?? 0), size);
        const to = Math.min(Math.max(from, end ?? size), size);
        const buf = Buffer.alloc(to - from);
        let off = 0;
        while (off < buf.length) {
          const { bytesRead } = await fh.read(buf, off, buf.length - off, from + off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return off === buf.length ? buf : buf.subarray(0, off);
      } finally {
        await fh.close();
      }
    } catch (e) {
      if (isErrno(e, 'ENOENT')) throw new StoreError('CORRUPTED', `blob ${id} is missing`);
      throw e;
    }
  }

  async exists(id: string): Promise<boolean> {
    try {
      await fsp.access(this.pathOf(id));
      return true;
    } catch {
      return false;
    }
  }

  existsSync(id: string): boolean {
    return fs.existsSync(this.pathOf(id));
  }

  async delete(id: string): Promise<void> {
    await fsp.rm(this.pathOf(id), { force: true });
  }

  deleteSync(id: string): void {
    fs.rmSync(this.pathOf(id), { force: true });
  }

  async *list(): AsyncIterable<string> {
    for (const a of await readdirOrEmpty(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(a)) continue;
      for (const b of await readdirOrEmpty(join(this.root, a))) {
        if (!/^[0-9a-f]{2}$/.test(b)) continue;
        for (const name of await readdirOrEmpty(join(this.root, a, b))) {
          if (BLOB_ID_PATTERN.test(name) && name.startsWith(a + b)) yield name;
        }
      }
    }
  }

  /** Removes temporary files older than `maxAgeMs` (left by writers that crashed). */
  async sweepTemp(maxAgeMs: number): Promise<number> {
    const dir = join(this.root, TMP_DIR);
    let removed = 0;
    for (const name of await readdirOrEmpty(dir)) {
      const p = join(dir, name);
      try {
        const st = await fsp.stat(p);
        if (Date.now() - st.mtimeMs > maxAgeMs) {
          await fsp.rm(p, { force: true });
          removed++;
        }
      } catch {
        // Raced with its writer's rename or another sweeper: nothing to do.
      }
    }
    return removed;
  }

  /** If the blob file exists, makes it and its name durable and returns true. */
  private async syncIfPresent(path: string, dir: string): Promise<boolean> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(path, 'r');
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return false;
      throw e;
    }
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsyncDir(dir);
    return true;
  }

  /** Creates `dir` and missing parents up to the root; returns the parents whose entries changed. */
  private async ensureDir(dir: string): Promise<string[]> {
    const first = await fsp.mkdir(dir, { recursive: true });
    return first === undefined ? [] : parentsToSync(this.root, first, dir);
  }

  private ensureDirSync(dir: string): string[] {
    const first = fs.mkdirSync(dir, { recursive: true });
    return first === undefined ? [] : parentsToSync(this.root, first, dir);
  }
}

/** The directories whose entry lists changed when `first`..`dir` were created (deepest first). */
function parentsToSync(root: string, first: string, dir: string): string[] {
  const out: string[] = [];
  let d = dir;
  while (d.length >= first.length && d !== root) {
    d = join(d, '..');
    out.push(d);
  }
  return out;
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return [];
    throw e;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
