/**
 * PNG text chunks (tEXt, zTXt, iTXt): read them, and write new ones into a
 * PNG without touching its pixels.
 *
 * Written by hand: no well-kept npm package writes iTXt (UTF-8) chunks, the
 * readers decode far more than needed, and the format is small (a length, a
 * type, the data, a CRC-32 that node:zlib computes). The reader stops at the
 * first IDAT chunk: every tool writes its text before the pixels, so a rescan
 * reads a few kilobytes per file and never decodes an image.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { crc32, deflateSync, inflateSync } from 'node:zlib'

export interface TextChunk {
  keyword: string
  text: string
}

export interface PngHead {
  width: number
  height: number
  /** The text chunks before the pixels, in file order. */
  texts: TextChunk[]
}

export interface TextChunkOptions {
  /**
   * `latin1`: tEXt when the text is Latin-1 (as Pillow writes A1111's
   * `parameters`), iTXt otherwise. `utf8`: always iTXt.
   */
  encoding?: 'latin1' | 'utf8'
  /** Deflate the text (zTXt or compressed iTXt). */
  compress?: boolean
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const TEXT_TYPES = new Set(['tEXt', 'zTXt', 'iTXt'])
/** A ComfyUI workflow can be a few megabytes; anything far beyond is not settings. */
const MAX_TEXT_CHUNK_BYTES = 16 * 1024 * 1024
const MAX_TEXT_TOTAL_BYTES = 32 * 1024 * 1024
/** Bounds the walk through a hostile file made of many tiny chunks. */
const MAX_CHUNKS_BEFORE_PIXELS = 10_000
/** Read at once: the app's chunks and an A1111 infotext fit; a ComfyUI workflow takes a second read. */
const FIRST_READ_BYTES = 16 * 1024

export class PngFormatError extends Error {
  override name = 'PngFormatError'
}

export function isPng(data: Uint8Array): boolean {
  return data.byteLength >= 8 && Buffer.from(data.buffer, data.byteOffset, 8).equals(SIGNATURE)
}

/** The size and text chunks of a PNG file, read up to its first IDAT only. */
export async function readPngHead(path: string): Promise<PngHead> {
  const handle = await open(path, 'r')
  try {
    return await parseHead(new FileSource(handle))
  } finally {
    await handle.close()
  }
}

/** The same, from bytes in memory. */
export async function readPngHeadFromBuffer(png: Buffer): Promise<PngHead> {
  return parseHead(new BufferSource(png))
}

/**
 * The PNG with `texts` as its text chunks for those keywords: chunks of the
 * same keywords are dropped, the new ones go right after IHDR (before the
 * pixels, where readers look), every other chunk is kept byte for byte.
 */
export function withTextChunks(png: Buffer, texts: ReadonlyArray<TextChunk & TextChunkOptions>): Buffer {
  if (!isPng(png)) throw new PngFormatError('Not a PNG file.')
  const replaced = new Set(texts.map((text) => text.keyword))
  const parts: Buffer[] = [SIGNATURE]
  let offset = 8
  let first = true
  while (offset < png.length) {
    if (offset + 12 > png.length) throw new PngFormatError('The PNG ends inside a chunk.')
    const length = png.readUInt32BE(offset)
    const type = png.toString('latin1', offset + 4, offset + 8)
    const end = offset + 12 + length
    if (length > 0x7fffffff || end > png.length) throw new PngFormatError('The PNG ends inside a chunk.')
    if (first && type !== 'IHDR') throw new PngFormatError('The PNG does not start with its header.')
    const keep = !(TEXT_TYPES.has(type) && replaced.has(keywordOf(png.subarray(offset + 8, offset + 8 + length))))
    if (keep) parts.push(png.subarray(offset, end))
    if (first) for (const text of texts) parts.push(encodeTextChunk(text.keyword, text.text, text))
    first = false
    offset = end
    if (type === 'IEND') break
  }
  return Buffer.concat(parts)
}

/** One text chunk, length and CRC included. */
export function encodeTextChunk(keyword: string, text: string, options: TextChunkOptions = {}): Buffer {
  checkKeyword(keyword)
  const latin1 = options.encoding === 'latin1' && isLatin1(text)
  const name = Buffer.from(keyword, 'latin1')
  let type: string
  let data: Buffer
  if (latin1 && !options.compress) {
    type = 'tEXt'
    data = Buffer.concat([name, Buffer.from([0]), Buffer.from(text, 'latin1')])
  } else if (latin1) {
    type = 'zTXt'
    data = Buffer.concat([name, Buffer.from([0, 0]), deflateSync(Buffer.from(text, 'latin1'))])
  } else {
    // keyword NUL, compression flag, method, language tag NUL, translated keyword NUL, text.
    const body = Buffer.from(text, 'utf8')
    type = 'iTXt'
    data = Buffer.concat([name, Buffer.from([0, options.compress ? 1 : 0, 0, 0, 0]), options.compress ? deflateSync(body) : body])
  }
  return chunk(type, data)
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4, 8))), 0)
  return Buffer.concat([head, data, crc])
}

/** PNG keywords: 1 to 79 Latin-1 characters, printable, no leading, trailing or double spaces. */
function checkKeyword(keyword: string): void {
  if (!/^[\x21-\x7e\xa1-\xff](?:[\x21-\x7e\xa1-\xff]| (?! ))*$/.test(keyword) || keyword.length > 79 || keyword.endsWith(' ')) {
    throw new PngFormatError(`"${keyword}" cannot be a PNG text keyword.`)
  }
}

function isLatin1(text: string): boolean {
  return /^[\x01-\xff]*$/.test(text)
}

function keywordOf(data: Buffer): string {
  const end = data.indexOf(0)
  return data.toString('latin1', 0, end === -1 ? Math.min(data.length, 80) : end)
}

/** Reads bytes at a position; the file version keeps a window so most reads need no system call. */
interface ByteSource {
  read(position: number, length: number): Promise<Buffer>
}

class BufferSource implements ByteSource {
  readonly #data: Buffer

  constructor(data: Buffer) {
    this.#data = data
  }

  async read(position: number, length: number): Promise<Buffer> {
    return this.#data.subarray(position, position + length)
  }
}

class FileSource implements ByteSource {
  readonly #handle: FileHandle
  #window = Buffer.alloc(0)
  #windowStart = 0

  constructor(handle: FileHandle) {
    this.#handle = handle
  }

  async read(position: number, length: number): Promise<Buffer> {
    const offset = position - this.#windowStart
    if (offset >= 0 && offset + length <= this.#window.length) return this.#window.subarray(offset, offset + length)
    const size = Math.max(length, FIRST_READ_BYTES)
    // Only the bytes read are ever looked at (the window is cut to them): no need to zero it first.
    const buffer = Buffer.allocUnsafe(size)
    let filled = 0
    while (filled < size) {
      const { bytesRead } = await this.#handle.read(buffer, filled, size - filled, position + filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    this.#window = buffer.subarray(0, filled)
    this.#windowStart = position
    return this.#window.subarray(0, Math.min(length, filled))
  }
}

async function parseHead(source: ByteSource): Promise<PngHead> {
  const signature = await source.read(0, 8)
  if (!signature.equals(SIGNATURE)) throw new PngFormatError('Not a PNG file.')
  let offset = 8
  let width = 0
  let height = 0
  let textBytes = 0
  const texts: TextChunk[] = []
  for (let index = 0; index < MAX_CHUNKS_BEFORE_PIXELS; index++) {
    const head = await source.read(offset, 8)
    if (head.length < 8) throw new PngFormatError('The PNG ends before its pixels.')
    const length = head.readUInt32BE(0)
    const type = head.toString('latin1', 4, 8)
    if (length > 0x7fffffff) throw new PngFormatError('The PNG has a chunk of impossible length.')
    if (index === 0) {
      if (type !== 'IHDR' || length !== 13) throw new PngFormatError('The PNG does not start with its header.')
      const data = await source.read(offset + 8, 8)
      if (data.length < 8) throw new PngFormatError('The PNG ends inside its header.')
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      if (width === 0 || height === 0) throw new PngFormatError('The PNG has no size.')
    } else if (type === 'IDAT' || type === 'IEND') {
      return { width, height, texts }
    } else if (TEXT_TYPES.has(type) && length <= MAX_TEXT_CHUNK_BYTES && textBytes + length <= MAX_TEXT_TOTAL_BYTES) {
      const body = await source.read(offset + 4, length + 8)
      if (body.length < length + 8) throw new PngFormatError('The PNG ends inside a text chunk.')
      textBytes += length
      // A chunk whose CRC does not match was damaged: its text is not trusted.
      if (crc32(body.subarray(0, 4 + length)) === body.readUInt32BE(4 + length)) {
        const text = decodeText(type, body.subarray(4, 4 + length))
        if (text !== null) texts.push(text)
      }
    }
    offset += 12 + length
  }
  throw new PngFormatError('The PNG has too many chunks before its pixels.')
}

function decodeText(type: string, data: Buffer): TextChunk | null {
  const nul = data.indexOf(0)
  if (nul < 1 || nul > 79) return null
  const keyword = data.toString('latin1', 0, nul)
  try {
    if (type === 'tEXt') return { keyword, text: data.toString('latin1', nul + 1) }
    if (type === 'zTXt') {
      if (data[nul + 1] !== 0) return null
      return { keyword, text: inflate(data.subarray(nul + 2)).toString('latin1') }
    }
    // iTXt
    const compressed = data[nul + 1] === 1
    const languageEnd = data.indexOf(0, nul + 3)
    const translatedEnd = languageEnd === -1 ? -1 : data.indexOf(0, languageEnd + 1)
    if (translatedEnd === -1) return null
    const body = data.subarray(translatedEnd + 1)
    return { keyword, text: (compressed ? inflate(body) : body).toString('utf8') }
  } catch {
    return null // a damaged compressed stream: that chunk alone is skipped
  }
}

/** A compressed chunk may not expand past the text limit (a deflate bomb). */
function inflate(data: Buffer): Buffer {
  return inflateSync(data, { maxOutputLength: MAX_TEXT_CHUNK_BYTES })
}
