/**
 * Images attached to chat messages, stored under `<mediaDir>/attachments` and
 * shown by the renderer as `/media/attachments/<file>`.
 *
 * Nothing about an input is trusted: its type comes from the bytes, never
 * from the name or the declared MIME type, and only raster formats we decode
 * ourselves are accepted. Every image is decoded to pixels and encoded again,
 * so no EXIF, GPS, XMP or ICC data and nothing hidden after the image
 * survives. Each image has a JSON sidecar with its original name.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import sharp, { type Metadata, type OutputInfo } from 'sharp'
import type { Attachment } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { writeFileAtomic } from './files/atomic-write'
import { sniffImage, type ImageFormat } from './files/image-type'
import { Gate } from './gate'

const MB = 1024 * 1024
const DEFAULT_MAX_LONG_SIDE = 2048
const DEFAULT_MAX_INPUT_BYTES = 25 * MB
const DEFAULT_MAX_INPUT_PIXELS = 100_000_000
/** A lossless source (screenshot, diagram) stays PNG while its PNG is at most this big. */
const PNG_KEEP_BYTES = 1 * MB
const JPEG_QUALITY = 85
const MAX_NAME_LENGTH = 200
/** Decoding holds width × height × 4 bytes of pixels; two at a time bounds memory. */
const PARALLEL_DECODES = 2
/**
 * The clean-up at start leaves files changed this close to the start alone:
 * file times can be coarse (2 s on FAT) or slightly off, and an image
 * attached just now must never be taken for one of an earlier session.
 */
const CLEANUP_MARGIN_MS = 60_000
/** `<id>.<ext>` of a stored image or its sidecar; anything else in the folder is left alone. */
const STORED_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.(png|jpg|json)$/

/** Exactly what `randomUUID` makes, so an id can never be a path. */
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const OUTPUT_MIME = { png: 'image/png', jpg: 'image/jpeg' } as const
type Extension = keyof typeof OUTPUT_MIME

const SOURCE_LABEL: Record<ImageFormat, string> = { png: 'PNG', jpeg: 'JPEG', gif: 'GIF', webp: 'WebP', heif: 'HEIC/AVIF' }
const ACCEPTED = 'PNG, JPEG, WebP, GIF, AVIF or HEIC'

export interface AttachmentStoreOptions {
  /** `<userData>/media`; images go to its `attachments` folder. */
  mediaDir: string
  /** Longer side of a stored image, in pixels. Larger images are scaled down. */
  maxLongSide?: number
  /** Largest input accepted, checked before anything is decoded. */
  maxInputBytes?: number
  /** Decompression-bomb guard: images with more pixels are refused before decoding. */
  maxInputPixels?: number
}

export interface AttachmentInput {
  /** Shown to the person; sanitised, never used as a path. */
  name: string
  /** As declared by the sender; ignored, the bytes decide. */
  mime: string
  data: Buffer
}

/** The sidecar `<id>.json`. */
interface AttachmentRecord {
  version: 1
  ext: Extension
  width: number
  height: number
  name: string
  bytes: number
  createdAt: number
}

interface EncodedImage {
  data: Buffer
  ext: Extension
  width: number
  height: number
}

export function isAttachmentId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value)
}

export class AttachmentStore {
  readonly #dir: string
  readonly #maxLongSide: number
  readonly #maxInputBytes: number
  readonly #maxInputPixels: number
  readonly #gate = new Gate(PARALLEL_DECODES)

  constructor(options: AttachmentStoreOptions) {
    this.#dir = join(resolve(options.mediaDir), 'attachments')
    this.#maxLongSide = positiveInteger(options.maxLongSide, DEFAULT_MAX_LONG_SIDE)
    this.#maxInputBytes = positiveInteger(options.maxInputBytes, DEFAULT_MAX_INPUT_BYTES)
    this.#maxInputPixels = positiveInteger(options.maxInputPixels, DEFAULT_MAX_INPUT_PIXELS)
  }

  /** Checks, cleans and stores an image. Throws `invalid_argument` with a reason for people. */
  async add(input: AttachmentInput): Promise<Attachment> {
    const raw: unknown = input?.data
    if (!(raw instanceof Uint8Array)) throw new AppError('invalid_argument', 'No image data was given.')
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
    this.#checkSize(data.length)
    const image = await this.#gate.run(() => this.#process(data))
    return this.#store(image, displayName(input.name))
  }

  /** Stores an image file, e.g. one picked in a file dialog. */
  async addFromFile(path: string): Promise<Attachment> {
    if (typeof path !== 'string' || path === '' || path.includes('\0')) throw new AppError('invalid_argument', 'No file was given.')
    let size: number
    try {
      // Stat first: a FIFO or a directory must not reach `open`, and the size is checked before reading.
      const info = await stat(path)
      if (!info.isFile()) throw new AppError('invalid_argument', 'Only files can be attached.')
      size = info.size
    } catch (error) {
      throw fileError(error)
    }
    this.#checkSize(size)
    let data: Buffer
    try {
      data = await readAtMost(path, size)
    } catch (error) {
      throw fileError(error)
    }
    return this.add({ name: path, mime: '', data })
  }

  async get(id: string): Promise<Attachment> {
    checkId(id)
    const record = await this.#readRecord(id)
    try {
      const info = await stat(join(this.#dir, `${id}.${record.ext}`))
      if (!info.isFile()) throw new Error('not a file')
    } catch {
      throw new AppError('not_found', 'The attached image no longer exists.')
    }
    return toAttachment(id, record)
  }

  /** The stored file of an image, checked to exist (for saving a copy or the clipboard). */
  async filePath(id: string): Promise<string> {
    const stored = await this.get(id)
    return join(this.#dir, stored.url.slice(stored.url.lastIndexOf('/') + 1))
  }

  /** The image as a `data:` URL, for an `image_url` content part. Reads the stored file, not the caller's fields. */
  async toDataUrl(attachment: Attachment | string): Promise<string> {
    const id = typeof attachment === 'string' ? attachment : attachment?.id
    const stored = await this.get(id)
    const ext = stored.url.slice(stored.url.lastIndexOf('.') + 1) as Extension
    let data: Buffer
    try {
      data = await readFile(join(this.#dir, `${id}.${ext}`))
    } catch {
      throw new AppError('not_found', 'The attached image no longer exists.')
    }
    return `data:${stored.mime};base64,${data.toString('base64')}`
  }

  /** Deletes an image and its sidecar. Returns false when there was nothing to delete. */
  async remove(id: string): Promise<boolean> {
    checkId(id)
    const sidecar = join(this.#dir, `${id}.json`)
    const existed = await stat(sidecar).then(
      () => true,
      () => false
    )
    // The image goes first: a sidecar without its image reads as missing and is removed next time.
    for (const ext of Object.keys(OUTPUT_MIME)) await rm(join(this.#dir, `${id}.${ext}`), { force: true })
    await rm(sidecar, { force: true })
    return existed
  }

  /**
   * Run once at start, after the trash is purged: deletes the images (and
   * sidecars) that no message refers to any more, and temporary files a
   * crash left. An image attached in this session but not sent yet is
   * referred to by no message either, so only files last changed before
   * `startedAt` (less a margin) are touched. `references` is asked only when
   * there is something to judge: reading them walks every message.
   * Returns how many files went.
   */
  async removeUnreferenced(references: () => Promise<ReadonlySet<string>>, startedAt: number): Promise<number> {
    let names: string[]
    try {
      names = await readdir(this.#dir)
    } catch {
      return 0 // no attachments folder yet
    }
    const before = startedAt - CLEANUP_MARGIN_MS
    const candidates: Array<{ path: string; id: string | null }> = []
    for (const name of names) {
      const id = STORED_FILE.exec(name)?.[1] ?? null
      if (id === null && !name.endsWith('.tmp')) continue
      const path = join(this.#dir, name)
      try {
        const info = await stat(path)
        if (info.isFile() && info.mtimeMs < before) candidates.push({ path, id })
      } catch {
        // Gone meanwhile.
      }
    }
    if (candidates.length === 0) return 0
    const used = await references()
    let removed = 0
    for (const { path, id } of candidates) {
      if (id !== null && used.has(id)) continue
      try {
        await rm(path, { force: true })
        removed++
      } catch {
        // Not ours to delete after all: the next start tries again.
      }
    }
    return removed
  }

  #checkSize(size: number): void {
    if (size === 0) throw new AppError('invalid_argument', 'The file is empty.')
    if (size > this.#maxInputBytes) {
      throw new AppError('invalid_argument', `The image is larger than ${formatSize(this.#maxInputBytes)}, the most that can be attached.`)
    }
  }

  async #process(data: Buffer): Promise<EncodedImage> {
    const format = sniffImage(data)
    if (format === null) throw new AppError('invalid_argument', unsupportedReason(data))
    const label = SOURCE_LABEL[format]

    // The header alone: refuse bombs before a single pixel is decoded.
    let meta: Metadata
    try {
      meta = await sharp(data, { failOn: 'warning', limitInputPixels: false }).metadata()
    } catch (cause) {
      throw new AppError('invalid_argument', `The ${label} image is damaged and cannot be read.`, { cause })
    }
    if (meta.format !== format) throw new AppError('invalid_argument', `The file starts like a ${label} image but is not one.`)
    if (!(meta.width > 0 && meta.height > 0)) throw new AppError('invalid_argument', `The ${label} image has no size.`)
    if (meta.width * meta.height > this.#maxInputPixels) throw this.#tooManyPixels(meta.width, meta.height)

    let pixels: Buffer
    let info: OutputInfo
    try {
      // Orient first so the long side is measured as shown; `pages: 1` takes an animation's first frame.
      ;({ data: pixels, info } = await sharp(data, { failOn: 'warning', limitInputPixels: this.#maxInputPixels, pages: 1, autoOrient: true })
        .resize({ width: this.#maxLongSide, height: this.#maxLongSide, fit: 'inside', withoutEnlargement: true })
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true }))
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : ''
      if (/pixel limit/i.test(message)) throw this.#tooManyPixels(meta.width, meta.height)
      if (format === 'heif' && meta.compression === 'hevc') {
        throw new AppError('invalid_argument', 'HEIC photos cannot be read here. Save the photo as JPEG and attach it again.', { cause })
      }
      throw new AppError('invalid_argument', `The ${label} image is damaged or incomplete and cannot be read.`, { cause })
    }

    // Raw pixels carry no metadata, so nothing from the original file can reach the output.
    const { width, height, channels } = info
    const image = () => sharp(pixels, { raw: { width, height, channels } })
    if (channels === 4 && hasTransparency(pixels)) return { data: await image().png().toBuffer(), ext: 'png', width, height }
    const opaque = () => (channels === 4 ? image().removeAlpha() : image())
    if (format === 'png' || format === 'gif') {
      const png = await opaque().png().toBuffer()
      if (png.length <= PNG_KEEP_BYTES) return { data: png, ext: 'png', width, height }
    }
    return { data: await opaque().jpeg({ quality: JPEG_QUALITY }).toBuffer(), ext: 'jpg', width, height }
  }

  #tooManyPixels(width: number, height: number): AppError {
    const limit = Math.round(this.#maxInputPixels / 1e6)
    return new AppError('invalid_argument', `The image is too large to open safely: ${width} × ${height} pixels (the limit is ${limit} megapixels).`)
  }

  async #store(image: EncodedImage, name: string): Promise<Attachment> {
    const id = randomUUID()
    const record: AttachmentRecord = { version: 1, ext: image.ext, width: image.width, height: image.height, name, bytes: image.data.length, createdAt: Date.now() }
    await mkdir(this.#dir, { recursive: true })
    const imagePath = join(this.#dir, `${id}.${image.ext}`)
    // A crash never leaves half an image under its real name.
    await writeFileAtomic(imagePath, image.data, { mode: 0o644 })
    try {
      await writeFileAtomic(join(this.#dir, `${id}.json`), JSON.stringify(record), { mode: 0o644 })
    } catch (error) {
      await rm(imagePath, { force: true })
      throw error
    }
    return toAttachment(id, record)
  }

  async #readRecord(id: string): Promise<AttachmentRecord> {
    let text: string
    try {
      text = await readFile(join(this.#dir, `${id}.json`), 'utf8')
    } catch {
      throw new AppError('not_found', 'The attached image no longer exists.')
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      value = null
    }
    // The url is built from `ext`, so an edited sidecar must not be able to name another file.
    const record = value as Partial<AttachmentRecord> | null
    const valid =
      record !== null &&
      typeof record === 'object' &&
      typeof record.ext === 'string' &&
      Object.hasOwn(OUTPUT_MIME, record.ext) &&
      isPositiveInteger(record.width) &&
      isPositiveInteger(record.height) &&
      isPositiveInteger(record.bytes) &&
      typeof record.name === 'string'
    if (!valid) throw new AppError('not_found', 'The attached image’s record is damaged.')
    return record as AttachmentRecord
  }
}

/** The original file name, safe to show: no folders, no control or direction-changing characters, not too long. */
export function displayName(raw: unknown): string {
  const base = typeof raw === 'string' ? (raw.split(/[\\/]/).pop() ?? '') : ''
  const cleaned = base
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  const name = Array.from(cleaned).slice(0, MAX_NAME_LENGTH).join('').trim()
  return name === '' || name === '.' || name === '..' ? 'image' : name
}

function toAttachment(id: string, record: AttachmentRecord): Attachment {
  return {
    id,
    kind: 'image',
    url: `/media/attachments/${id}.${record.ext}`,
    mime: OUTPUT_MIME[record.ext],
    width: record.width,
    height: record.height,
    name: record.name,
    bytes: record.bytes
  }
}

function checkId(id: unknown): asserts id is string {
  if (!isAttachmentId(id)) throw new AppError('invalid_argument', 'The attachment id is not valid.')
}

function unsupportedReason(data: Buffer): string {
  const head = data.toString('latin1', 0, 1024).toLowerCase()
  if (head.startsWith('%pdf')) return `PDF files cannot be attached; attach a ${ACCEPTED} image.`
  if (head.includes('<svg')) return `SVG images cannot be attached (they may contain scripts); attach a ${ACCEPTED} image.`
  return `This file is not a supported image; attach a ${ACCEPTED} image.`
}

function hasTransparency(rgba: Buffer): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return true
  return false
}

/** Reads no more than `size` bytes, even if the file grew since it was measured. */
async function readAtMost(path: string, size: number): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(size)
    let filled = 0
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return buffer.subarray(0, filled)
  } finally {
    await handle.close()
  }
}

function fileError(error: unknown): AppError {
  if (error instanceof AppError) return error
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (code === 'ENOENT' || code === 'ENOTDIR') return new AppError('not_found', 'The file was not found.', { cause: error })
  return new AppError('invalid_argument', 'The file could not be read.', { cause: error })
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  return bytes < MB ? `${Math.floor(bytes / 1024)} KB` : `${Number((bytes / MB).toFixed(1))} MB`
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0
}

function positiveInteger(value: number | undefined, fallback: number): number {
  return value !== undefined && isPositiveInteger(value) ? value : fallback
}
