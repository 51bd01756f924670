/**
 * Writes a file so that its name only ever holds the old content or the
 * whole new content: a temporary file in the same folder is written and
 * flushed to disk, renamed over the target, and the folder is flushed so
 * the rename itself survives a power cut. A failure removes the temporary
 * file and leaves the target as it was.
 *
 * Written here rather than taken from a package: `atomically` (which conf
 * uses) does not flush the folder, and waits forever when a streamed source
 * fails (it pipes without handling the source's error); this is short.
 */
import { randomBytes } from 'node:crypto'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Text (written as UTF-8), bytes, or pieces of either arriving over time (an export). */
export type AtomicWriteSource = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>

export interface AtomicWriteOptions {
  /** Permissions of the new file (before the umask), e.g. 0o600 for a secret. */
  mode?: number
}

/** Streamed pieces are gathered up to this size before each write: fewer system calls than one per piece. */
const WRITE_BATCH_BYTES = 1024 * 1024

/** Errors from flushing a folder on systems that cannot open one (Windows) or flush one. */
const FOLDER_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EBADF'])

export async function writeFileAtomic(path: string, source: AtomicWriteSource, options: AtomicWriteOptions = {}): Promise<void> {
  const folder = dirname(path)
  const temporary = join(folder, `${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  let handle: FileHandle | null = null
  try {
    // `wx`: never follow or reuse something already at the temporary name.
    handle = await open(temporary, 'wx', options.mode ?? 0o666)
    await writeSource(handle, source)
    await handle.sync()
    await handle.close()
    handle = null
    await rename(temporary, path)
  } catch (error) {
    await handle?.close().catch(() => undefined)
    await rm(temporary, { force: true }).catch(() => undefined)
    throw error
  }
  await syncFolder(folder)
}

async function writeSource(handle: FileHandle, source: AtomicWriteSource): Promise<void> {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    await writeFully(handle, typeof source === 'string' ? Buffer.from(source, 'utf8') : source)
    return
  }
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  for await (const piece of source) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece
    pending.push(bytes)
    pendingBytes += bytes.byteLength
    if (pendingBytes >= WRITE_BATCH_BYTES) {
      await writeFully(handle, Buffer.concat(pending))
      pending = []
      pendingBytes = 0
    }
  }
  if (pendingBytes > 0) await writeFully(handle, Buffer.concat(pending))
}

/** `write` may write less than asked; go on until all is written. */
async function writeFully(handle: FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0
  while (offset < data.byteLength) {
    const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset)
    offset += bytesWritten
  }
}

/** Makes the rename durable. Windows cannot open a folder; its rename is durable enough there. */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | null = null
  try {
    handle = await open(folder, 'r')
    await handle.sync()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code
    if (code === undefined || !FOLDER_SYNC_UNSUPPORTED.has(code)) throw error
  } finally {
    await handle?.close().catch(() => undefined)
  }
}
