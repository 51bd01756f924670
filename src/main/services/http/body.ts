/**
 * Reading response bodies without trusting their size: stop (and drop the
 * connection) as soon as a limit is passed instead of buffering it all first.
 */
import { AppError } from '../../../shared/errors'

export const formatBytes = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${+(bytes / 1024).toFixed(1)} KB` : `${bytes} bytes`

export function tooLarge(maxBytes: number): AppError {
  return new AppError('response_too_large', `The server's answer is larger than the ${formatBytes(maxBytes)} limit.`)
}

/** Throws `response_too_large` when a declared Content-Length is already over the limit. */
export function checkDeclaredLength(contentLength: string | undefined, maxBytes: number): void {
  if (contentLength === undefined || !/^\d+$/.test(contentLength.trim())) return
  if (Number(contentLength) > maxBytes) throw tooLarge(maxBytes)
}

/**
 * Collects `body` into one Buffer. Leaving the loop early (limit passed or
 * an error) ends the iterator, which destroys an undici body and its socket.
 */
export async function readLimited(body: AsyncIterable<Uint8Array | string>, maxBytes: number): Promise<Buffer> {
  const parts: Buffer[] = []
  let total = 0
  for await (const chunk of body) {
    const part = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    total += part.byteLength
    if (total > maxBytes) throw tooLarge(maxBytes)
    parts.push(part)
  }
  return Buffer.concat(parts, total)
}

/** The first `limit` bytes of `body` (for error messages); read errors end it quietly. */
export async function readPrefix(body: AsyncIterable<Uint8Array | string>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = []
  let total = 0
  try {
    for await (const chunk of body) {
      const part = Buffer.from(chunk)
      parts.push(part)
      total += part.byteLength
      if (total >= limit) break
    }
  } catch {
    // A broken error body still leaves the status to report.
  }
  return Buffer.concat(parts, total).subarray(0, limit)
}
