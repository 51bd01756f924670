/**
 * Downloads a media file (a song, its cover or video) from wherever the
 * gateway links to: streamed to disk, never held whole, with progress, a size
 * limit and a check of the first bytes (a 200 HTML error page is not a song).
 * A connection broken half way is resumed with `Range: bytes=<have>-`, and
 * so is a file left half done by a restart; a server that ignores the range
 * (200 instead of 206) is read again from the start.
 *
 * The requests go through HttpClient, which sends the API key to the
 * configured base URL's origin only: the media hosts never see it.
 */
import { open, stat } from 'node:fs/promises'
import { AppError } from '../../../shared/errors'
import type { HttpClient } from '../http/client'

export interface DownloadOptions {
  url: string
  /** The partial file to write (kept between attempts and restarts). */
  file: string
  maxBytes: number
  /** Whether the first bytes are what was expected (magic bytes). */
  looksRight: (head: Uint8Array) => boolean
  /** What the file should be, for the error message ("MP3 audio"). */
  what: string
  signal?: AbortSignal | undefined
  onProgress?: (done: number, total: number | null) => void
  /** Connections tried in all (the first and the resumed ones). */
  attempts?: number
}

/** Errors after which the same download may go on where it stopped. */
const RESUMABLE = new Set(['network', 'timeout', 'server_error', 'unavailable', 'stream_error'])
const HEAD_BYTES = 16

/** Resolves to the file's size once it is complete. */
export async function downloadFile(http: HttpClient, options: DownloadOptions): Promise<number> {
  const attempts = options.attempts ?? 5
  let lastError: unknown
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await attemptDownload(http, options)
    } catch (error) {
      lastError = error
      if (options.signal?.aborted || !(error instanceof AppError) || !RESUMABLE.has(error.code)) throw error
    }
  }
  throw lastError
}

async function attemptDownload(http: HttpClient, options: DownloadOptions): Promise<number> {
  let have = await stat(options.file).then((info) => info.size, () => 0)
  const response = await http.stream({
    path: options.url,
    signal: options.signal,
    headers: have > 0 ? { range: `bytes=${have}-` } : {}
  })
  const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(response.headers['content-range'] ?? ''))
  if (response.status !== 206 || !range || Number(range[1]) !== have) have = 0
  const declared = Number(response.headers['content-length'])
  const total = range && range[2] !== '*' ? Number(range[2]) : Number.isFinite(declared) ? have + declared : null
  if (total !== null && total > options.maxBytes) {
    // Stopping a started read closes the connection (a body never read would stay open).
    for await (const _chunk of response.body) break
    throw new AppError('response_too_large', `The ${options.what} is larger than ${Math.round(options.maxBytes / (1024 * 1024))} MB.`)
  }
  const handle = await open(options.file, have > 0 ? 'a' : 'w')
  let head = have > 0 ? null : Buffer.alloc(0)
  try {
    for await (const chunk of response.body) {
      if (head !== null) {
        head = Buffer.concat([head, chunk])
        if (head.length >= HEAD_BYTES) {
          checkHead(head, options)
          head = null
        }
      }
      await handle.write(chunk)
      have += chunk.byteLength
      if (have > options.maxBytes) throw new AppError('response_too_large', `The ${options.what} is larger than ${Math.round(options.maxBytes / (1024 * 1024))} MB.`)
      options.onProgress?.(have, total)
    }
  } finally {
    await handle.close()
  }
  if (head !== null) checkHead(head, options)
  if (total !== null && have < total) throw new AppError('network', `The ${options.what} download ended at ${have} of ${total} bytes.`)
  return have
}

function checkHead(head: Uint8Array, options: DownloadOptions): void {
  if (!options.looksRight(head)) throw new AppError('bad_response', `The file downloaded from ${new URL(options.url).host} is not ${options.what}.`)
}
