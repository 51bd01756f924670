/**
 * Just enough of the MP3 format to join files and check them: where the
 * audio frames start and end (past an ID3v2 tag at the head and an ID3v1 tag
 * at the tail), and whether the first frame is a Xing/Info/VBRI header.
 *
 * Written by hand because no maintained library splices MP3s without
 * re-encoding: joining is a byte copy of each part's frames, and the headers
 * must go. A part's own ID3 tag in the middle of a file is noise to players,
 * and its Xing frame states the frame count of that part alone, so a player
 * that trusts it shows the first part's duration for the whole file.
 */
import { open } from 'node:fs/promises'

const ID3V2_HEADER = 10
const ID3V1_SIZE = 128

/** Bitrates in kbps by [MPEG-1 | MPEG-2/2.5][layer III | II | I] and index. */
const BITRATES: Record<string, readonly number[]> = {
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
}
const SAMPLE_RATES: Record<number, readonly number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] }

export interface FrameHeader {
  /** Bytes in this frame, header included. */
  length: number
  sampleRate: number
  /** PCM samples per channel the frame decodes to. */
  samples: number
  channels: 1 | 2
  /** 1 (MPEG-1), 2 or 2.5. */
  version: 1 | 2 | 2.5
  layer: 1 | 2 | 3
  /** A 16-bit CRC follows the header (before the side information). */
  crc: boolean
}

/** The MPEG audio frame header at `offset`, or null when those bytes are not one. */
export function frameHeaderAt(data: Uint8Array, offset: number): FrameHeader | null {
  if (offset + 4 > data.length) return null
  const b1 = data[offset + 1]!
  const b2 = data[offset + 2]!
  const b3 = data[offset + 3]!
  if (data[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return null
  const versionBits = (b1 >> 3) & 3
  const layerBits = (b1 >> 1) & 3
  const bitrateIndex = b2 >> 4
  const rateIndex = (b2 >> 2) & 3
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5
  const layer = (4 - layerBits) as 1 | 2 | 3
  const kbps = BITRATES[`${version === 1 ? 1 : 2}-${layer}`]![bitrateIndex]!
  const sampleRate = SAMPLE_RATES[versionBits]![rateIndex]!
  const padding = (b2 >> 1) & 1
  const samples = layer === 1 ? 384 : layer === 2 || version === 1 ? 1152 : 576
  const length = layer === 1 ? (Math.floor((12 * kbps * 1000) / sampleRate) + padding) * 4 : Math.floor(((samples / 8) * kbps * 1000) / sampleRate) + padding
  return { length, sampleRate, samples, channels: (b3 >> 6) === 3 ? 1 : 2, version, layer, crc: (b1 & 1) === 0 }
}

/** The size of an ID3v2 tag at the start of `head` (header, body and footer), 0 when there is none. */
export function id3v2Size(head: Uint8Array): number {
  if (head.length < ID3V2_HEADER || head[0] !== 0x49 || head[1] !== 0x44 || head[2] !== 0x33) return 0
  const size = ((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f)
  const footer = head[5]! & 0x10 ? ID3V2_HEADER : 0
  return ID3V2_HEADER + size + footer
}

/** Bytes of Layer III side information, by version and channels. */
function sideInfoBytes(header: FrameHeader): number {
  return header.version === 1 ? (header.channels === 1 ? 17 : 32) : header.channels === 1 ? 9 : 17
}

/** Whether a frame is a Xing/Info (LAME) or VBRI header rather than audio. */
export function isInfoFrame(data: Uint8Array, offset: number, header: FrameHeader): boolean {
  const end = Math.min(offset + header.length, data.length)
  const ascii = (at: number) => (at + 4 <= end ? String.fromCharCode(data[at]!, data[at + 1]!, data[at + 2]!, data[at + 3]!) : '')
  // Xing/Info sit after the side information, whose size depends on version and channels.
  const xing = ascii(offset + 4 + sideInfoBytes(header))
  return xing === 'Xing' || xing === 'Info' || ascii(offset + 36) === 'VBRI'
}

/**
 * The encoder delay and padding (samples) a LAME tag in a Xing/Info frame
 * records, which a gapless decoder drops from the start and the end; null
 * when the frame carries none.
 */
export function lameGapless(data: Uint8Array, offset: number, header: FrameHeader): { delay: number; padding: number } | null {
  const xing = offset + 4 + sideInfoBytes(header)
  const end = Math.min(offset + header.length, data.length)
  if (xing + 8 > end) return null
  const flags = ((data[xing + 4]! << 24) | (data[xing + 5]! << 16) | (data[xing + 6]! << 8) | data[xing + 7]!) >>> 0
  // Frames, bytes, table of contents and quality come first when their flags are set.
  const lame = xing + 8 + (flags & 1 ? 4 : 0) + (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) + (flags & 8 ? 4 : 0)
  if (lame + 24 > end) return null
  const delay = (data[lame + 21]! << 4) | (data[lame + 22]! >> 4)
  const padding = ((data[lame + 22]! & 0x0f) << 8) | data[lame + 23]!
  return delay === 0 && padding === 0 ? null : { delay, padding }
}

/** What a Layer III frame's side information tells without decoding its audio. */
export interface Layer3Side {
  /** How many bytes back, in the main data of earlier frames, this frame's audio data starts (the bit reservoir). */
  mainDataBegin: number
  /** Bytes of main data this frame's own body holds (what later frames may borrow). */
  mainDataBytes: number
  /** Bits of audio data its granules carry (part2_3_length); 0 means every granule is silent. */
  audioBits: number
}

/** Reads a Layer III frame's side information (the frame must be whole in `data`). */
export function layer3Side(data: Uint8Array, offset: number, header: FrameHeader): Layer3Side {
  const start = offset + 4 + (header.crc ? 2 : 0)
  const bits = (at: number, count: number): number => {
    let value = 0
    for (let i = 0; i < count; i++) {
      const bit = at + i
      value = (value << 1) | ((data[start + (bit >> 3)]! >> (7 - (bit & 7))) & 1)
    }
    return value
  }
  const mpeg1 = header.version === 1
  const channels = header.channels
  // main_data_begin, private bits and (MPEG-1) scfsi, then one block per granule and channel, part2_3_length first.
  const head = mpeg1 ? 9 + (channels === 1 ? 5 : 3) + 4 * channels : 8 + (channels === 1 ? 1 : 2)
  const block = mpeg1 ? 59 : 63
  const blocks = (mpeg1 ? 2 : 1) * channels
  let audioBits = 0
  for (let i = 0; i < blocks; i++) audioBits += bits(head + i * block, 12)
  return {
    mainDataBegin: bits(0, mpeg1 ? 9 : 8),
    mainDataBytes: Math.max(0, header.length - 4 - (header.crc ? 2 : 0) - sideInfoBytes(header)),
    audioBits
  }
}

export interface AudioSpan {
  /** Where the first audio frame starts (after tags and any Xing/Info frame). */
  start: number
  /** Where the audio ends (before an ID3v1 tag). */
  end: number
  sampleRate: number
  /** The first frame's shape, for checking that parts can be joined. */
  channels: 1 | 2
}

/**
 * The audio frames of an MP3 held in memory (a speech part: small). Throws
 * when the bytes are not MP3 audio (the magic-byte check: an ID3 tag alone,
 * an HTML error page or a PNG are refused).
 */
export function audioSpan(data: Uint8Array): AudioSpan {
  let start = id3v2Size(data)
  let end = data.length
  if (end - start >= ID3V1_SIZE && data[end - ID3V1_SIZE] === 0x54 && data[end - ID3V1_SIZE + 1] === 0x41 && data[end - ID3V1_SIZE + 2] === 0x47) end -= ID3V1_SIZE
  // Some encoders pad between the tag and the first frame; a little slack is allowed, never a scan of the whole file.
  const limit = Math.min(end, start + 4096)
  let header: FrameHeader | null = null
  while (start < limit && !(header = frameHeaderAt(data, start))) start++
  if (!header || !frameHeaderAt(data, start + header.length) && start + header.length < end) throw new Error('not MP3 audio')
  const first = header
  if (isInfoFrame(data, start, first)) start += first.length
  if (start >= end) throw new Error('MP3 without audio frames')
  return { start, end, sampleRate: first.sampleRate, channels: first.channels }
}

/** Whether the first bytes of a download look like MP3 audio (an ID3v2 tag or a frame header). */
export function looksLikeMp3(head: Uint8Array): boolean {
  if (head.length >= 3 && head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33) return true
  return frameHeaderAt(head, 0) !== null
}

/** Whether the first bytes look like an MP4 (ISO BMFF `ftyp` box). */
export function looksLikeMp4(head: Uint8Array): boolean {
  return head.length >= 8 && head[4] === 0x66 && head[5] === 0x74 && head[6] === 0x79 && head[7] === 0x70
}

/** The audio frames of several MP3s, one after the other, with no tags or Xing frames in between. */
export function joinMp3(parts: readonly Uint8Array[]): Buffer {
  const spans = parts.map((part, index) => {
    try {
      return audioSpan(part)
    } catch (error) {
      throw new Error(`Part ${index + 1} is not usable MP3 audio (${error instanceof Error ? error.message : String(error)}).`, { cause: error })
    }
  })
  const first = spans[0]
  spans.forEach((span, index) => {
    if (first && (span.sampleRate !== first.sampleRate || span.channels !== first.channels)) {
      throw new Error(`Part ${index + 1} has another sample rate or channel count than the first; they cannot be joined without re-encoding.`)
    }
  })
  return Buffer.concat(parts.map((part, index) => part.subarray(spans[index]!.start, spans[index]!.end)))
}

/** The first bytes of a file (to sniff or to find its tag). */
export async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** The duration of MP3 audio in memory, from its frame headers (no decode): what a player shows for it. */
export function mp3DurationMs(data: Uint8Array): number {
  const span = audioSpan(data)
  let samples = 0
  let offset = span.start
  let rate = span.sampleRate
  while (offset < span.end) {
    const header = frameHeaderAt(data, offset)
    if (!header || header.length <= 0) break
    samples += header.samples
    rate = header.sampleRate
    offset += header.length
  }
  return Math.round((samples / rate) * 1000)
}
