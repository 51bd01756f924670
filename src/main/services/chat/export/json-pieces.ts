/**
 * Reads a large JSON document in chunks without ever holding it whole: it is
 * cut into the elements of its one long list (the top-level array, or the
 * array under a given top-level key) and everything else, the skeleton.
 * Each element comes out as its own text for `JSON.parse`; the skeleton,
 * with each element replaced by `0`, is parsed at the end, which checks the
 * syntax between the elements too. Nothing here builds values: the native
 * parser does all of that, element by element.
 *
 * Written here rather than taken from a streaming JSON parser: those build
 * every value in JavaScript, character by character, which is several times
 * slower than `JSON.parse` on the megabyte-long strings of an export; only
 * the cutting needs doing by hand, and it needs to know just brackets,
 * strings and escapes. UTF-8 is cut safely on bytes: every byte of a
 * multi-byte character is above 0x7f, so it is never taken for a bracket,
 * a quote or a comma. Chunks are never kept: the caller may reuse its buffer.
 */
import { StringDecoder } from 'node:string_decoder'

export class JsonPiecesError extends Error {
  readonly reason: 'syntax' | 'too_large'

  constructor(reason: 'syntax' | 'too_large', message: string) {
    super(message)
    this.name = 'JsonPiecesError'
    this.reason = reason
  }
}

export interface JsonPiecesOptions {
  /** The top-level key whose array is the long list, when the document is an object. */
  listKey: string
  /** The most bytes one element, or the skeleton, may take. */
  maxPieceBytes: number
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const ZERO = Buffer.from('0')
const BOM = [0xef, 0xbb, 0xbf]
/** Keys longer than this are not the list's key; no need to keep them. */
const MAX_KEY_BYTES = 256

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

export class JsonPieces {
  readonly #listKey: string
  readonly #max: number

  /** How the document starts, once its first byte is seen. */
  topLevel: 'array' | 'object' | 'other' | null = null
  /** Bytes pushed so far. */
  bytesRead = 0

  #depth = 0
  #bomBytes = 0
  #inString = false
  #escaped = false
  #seenFirstByte = false
  /** At depth 1 of the top-level object: the next string is a key. */
  #expectKey = false
  #keyParts: Buffer[] | null = null
  #keyBytes = 0
  #lastKey: string | null = null
  /** Depth inside the long list (-1: not inside it). */
  #listDepth = -1
  #listFound = false

  #inElement = false
  /** Decoded as it arrives: text lives in V8's heap, whose collector sees it, unlike many dead Buffers. */
  #elementText = ''
  #elementDecoder = new StringDecoder('utf8')
  #elementBytes = 0
  #skeletonParts: Buffer[] = []
  #skeletonBytes = 0

  constructor(options: JsonPiecesOptions) {
    this.#listKey = options.listKey
    this.#max = options.maxPieceBytes
  }

  /** Takes the next chunk; returns the text of each element it completed, in order. */
  push(input: Uint8Array): string[] {
    let chunk = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
    this.bytesRead += input.byteLength
    // A byte-order mark (some editors add one) is not part of the JSON.
    while (this.#bomBytes < BOM.length && chunk.length > 0) {
      if (chunk[0] !== BOM[this.#bomBytes]) {
        if (this.#bomBytes > 0) throw new JsonPiecesError('syntax', 'The file does not start with JSON.')
        this.#bomBytes = BOM.length
        break
      }
      this.#bomBytes++
      chunk = chunk.subarray(1)
    }
    const done: string[] = []
    /** Where the part of this chunk not yet given to the element or the skeleton starts. */
    let mark = 0
    /** Where a key being read starts in this chunk (-1: none is being read). */
    let keyMark = this.#keyParts === null ? -1 : 0
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false
        else if (byte === BACKSLASH) this.#escaped = true
        else if (byte === QUOTE) {
          this.#inString = false
          if (this.#keyParts !== null) {
            this.#addKeyPart(chunk.subarray(keyMark, i))
            this.#finishKey()
            keyMark = -1
          }
        }
        continue
      }
      if (this.#inElement && this.#depth === this.#listDepth && (byte === COMMA || byte === CLOSE_BRACKET)) {
        this.#addElementPart(chunk.subarray(mark, i))
        done.push(this.#takeElement())
        mark = i
      } else if (!this.#inElement && this.#depth === this.#listDepth && byte !== COMMA && byte !== CLOSE_BRACKET && !isWhitespace(byte)) {
        this.#addSkeletonPart(chunk.subarray(mark, i))
        this.#addSkeletonPart(ZERO)
        this.#inElement = true
        mark = i
      }
      if (isWhitespace(byte)) continue
      if (!this.#seenFirstByte) {
        this.#seenFirstByte = true
        this.topLevel = byte === OPEN_BRACKET ? 'array' : byte === OPEN_BRACE ? 'object' : 'other'
      }
      switch (byte) {
        case QUOTE:
          this.#inString = true
          if (this.#depth === 1 && this.topLevel === 'object' && this.#expectKey) {
            this.#keyParts = []
            this.#keyBytes = 0
            keyMark = i + 1
          }
          break
        case OPEN_BRACE:
        case OPEN_BRACKET:
          this.#depth++
          if (byte === OPEN_BRACKET && !this.#inElement && this.#isListStart()) {
            if (this.#listFound) throw new JsonPiecesError('syntax', `The list "${this.#listKey}" appears twice.`)
            this.#listFound = true
            this.#listDepth = this.#depth
          }
          if (this.#depth === 1 && byte === OPEN_BRACE) this.#expectKey = true
          break
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          if (this.#depth === this.#listDepth) this.#listDepth = -1
          this.#depth--
          if (this.#depth < 0) throw new JsonPiecesError('syntax', 'A bracket is closed that was never opened.')
          break
        case COMMA:
          if (this.#depth === 1 && this.topLevel === 'object') this.#expectKey = true
          break
        case COLON:
          if (this.#depth === 1) this.#expectKey = false
          break
      }
    }
    if (this.#keyParts !== null && keyMark >= 0) this.#addKeyPart(chunk.subarray(keyMark))
    if (this.#inElement) this.#addElementPart(chunk.subarray(mark))
    else this.#addSkeletonPart(chunk.subarray(mark))
    return done
  }

  /** After the last chunk: the skeleton, parsed. Throws if the document is cut short or malformed. */
  end(): unknown {
    if (!this.#seenFirstByte) throw new JsonPiecesError('syntax', this.bytesRead === 0 ? 'The file is empty.' : 'The file holds no JSON.')
    if (this.#inString || this.#depth !== 0 || this.#inElement) throw new JsonPiecesError('syntax', 'The file ends in the middle of the data (it may be cut short).')
    const text = Buffer.concat(this.#skeletonParts).toString('utf8')
    this.#skeletonParts = []
    try {
      return JSON.parse(text) as unknown
    } catch (error) {
      throw new JsonPiecesError('syntax', (error as Error).message)
    }
  }

  #isListStart(): boolean {
    // `#depth` has already counted the bracket being opened.
    if (this.topLevel === 'array') return this.#depth === 1
    return this.topLevel === 'object' && this.#depth === 2 && this.#lastKey === this.#listKey
  }

  #finishKey(): void {
    const parts = this.#keyParts
    this.#keyParts = null
    if (parts === null) return
    try {
      this.#lastKey = this.#keyBytes > MAX_KEY_BYTES ? null : (JSON.parse(`"${Buffer.concat(parts).toString('utf8')}"`) as string)
    } catch {
      this.#lastKey = null
    }
  }

  #addKeyPart(part: Buffer): void {
    if (this.#keyParts === null) return
    this.#keyBytes += part.length
    // Copied: a long key must not keep whole chunks alive.
    if (this.#keyBytes <= MAX_KEY_BYTES) this.#keyParts.push(Buffer.from(part))
  }

  #addElementPart(part: Buffer): void {
    if (part.length === 0) return
    this.#elementBytes += part.length
    if (this.#elementBytes > this.#max) throw this.#tooLarge()
    this.#elementText += this.#elementDecoder.write(part)
  }

  #takeElement(): string {
    const element = this.#elementText + this.#elementDecoder.end()
    this.#elementText = ''
    this.#elementBytes = 0
    this.#inElement = false
    return element
  }

  #addSkeletonPart(part: Buffer): void {
    if (part.length === 0) return
    this.#skeletonBytes += part.length
    if (this.#skeletonBytes > this.#max) throw this.#tooLarge()
    // Copied: the skeleton lives until the end and must not keep whole chunks alive.
    this.#skeletonParts.push(Buffer.from(part))
  }

  #tooLarge(): JsonPiecesError {
    return new JsonPiecesError('too_large', `One item of the file is larger than ${Math.round(this.#max / (1024 * 1024))} MB.`)
  }
}
