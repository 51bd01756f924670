/**
 * What a server (or a file) handed over, checked before anything is kept:
 * the bytes must really be a PNG, JPEG or WebP image within the size limit.
 * A web page, JSON or text on a 200 is an error carrying the server's words,
 * never a file. JPEG and WebP are converted to PNG (the library's format: it
 * carries the settings in text chunks); a PNG keeps its bytes.
 */
import sharp from 'sharp'
import { AppError } from '../../../shared/errors'
import { sniffImage } from '../files/image-type'
import { formatBytes, tooLarge } from '../http/body'
import { cleanMessage, isWebPage, messageFromBody, webPageError } from '../http/errors'
import { PngFormatError, readPngHeadFromBuffer, type TextChunk } from './png-metadata'
import { MAX_INPUT_PIXELS } from './thumbnails'

export type KeptFormat = 'png' | 'jpeg' | 'webp'

export interface CheckedImage {
  /** The image as PNG: the original bytes when it was one. */
  png: Buffer
  width: number
  height: number
  format: KeptFormat
  /** Text chunks the original PNG carried (another tool's settings), before the pixels. */
  texts: TextChunk[]
}

const LABEL: Record<KeptFormat, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP' }
/** Enough of a text body to find its message. */
const GIST_BYTES = 64 * 1024

export async function checkIncomingImage(bytes: Buffer, maxBytes: number): Promise<CheckedImage> {
  if (bytes.length === 0) throw new AppError('bad_response', 'The server sent an empty answer instead of an image.')
  if (bytes.length > maxBytes) throw tooLarge(maxBytes)
  const format = sniffImage(bytes)
  if (format === null) throw notAnImage(bytes)
  if (format !== 'png' && format !== 'jpeg' && format !== 'webp') {
    throw new AppError('bad_response', `The server sent a ${format.toUpperCase()} image; only PNG, JPEG and WebP images are kept.`)
  }
  const label = LABEL[format]
  if (format === 'png') {
    let head
    try {
      head = await readPngHeadFromBuffer(bytes)
    } catch (cause) {
      if (cause instanceof PngFormatError) throw damaged(label, cause)
      throw cause
    }
    checkPixels(head.width, head.height)
    return { png: bytes, width: head.width, height: head.height, format, texts: head.texts }
  }
  try {
    const meta = await sharp(bytes, { failOn: 'warning', limitInputPixels: false }).metadata()
    if (meta.format !== format) throw new Error(`sharp reads it as ${meta.format}`)
    checkPixels(meta.width, meta.height)
    // Raw metadata (EXIF, GPS, ICC) is not carried over: sharp drops it unless asked to keep it.
    const { data, info } = await sharp(bytes, { failOn: 'warning', limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true }).png().toBuffer({ resolveWithObject: true })
    return { png: data, width: info.width, height: info.height, format, texts: [] }
  } catch (cause) {
    if (cause instanceof AppError) throw cause
    throw damaged(label, cause)
  }
}

function checkPixels(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new AppError('bad_response', 'The server sent an image with no size.')
  if (width * height > MAX_INPUT_PIXELS) {
    throw new AppError('bad_response', `The server sent an image too large to open safely: ${width} × ${height} pixels.`)
  }
}

export function damaged(label: string, cause: unknown): AppError {
  return new AppError('bad_response', `The server sent a damaged or incomplete ${label} image.`, { cause })
}

/** The gist of what came instead of an image: a page's title, a JSON error's message, the start of a text. */
function notAnImage(bytes: Buffer): AppError {
  const head = bytes.subarray(0, GIST_BYTES)
  const text = head.toString('utf8')
  // Mostly control bytes or invalid UTF-8: some other binary file.
  const unreadable = (text.match(/[\u0000-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0) > text.length / 10
  if (unreadable) return new AppError('bad_response', `The server sent ${formatBytes(bytes.length)} of data that is not an image.`)
  if (isWebPage('', text)) return webPageError(text)
  const found = messageFromBody(text)
  const kind = /^\s*[[{]/.test(text) ? 'JSON' : 'text'
  return new AppError('bad_response', cleanMessage(found === null ? `The server sent ${kind} instead of an image.` : `The server sent ${kind} instead of an image: “${found}”`))
}
