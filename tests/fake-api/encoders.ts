/**
 * Real media files, made deterministically: PNG pictures (pngjs), MP3 audio
 * (lamejs, pure JS) with an ID3v2.4 tag, and an MP4 holding that MP3 as its
 * audio track. Clients must be able to decode, display and play them.
 */
import { Mp3Encoder } from '@breezystack/lamejs'
import { PNG } from 'pngjs'
import { hashBytes, hashInt } from './text.ts'

// ---------------------------------------------------------------------------
// PNG

export const SIZES = ['1:1', '16:9', '9:16', '21:9', '9:21', '1:2', '2:1'] as const
export type Size = (typeof SIZES)[number]

const LONG_SIDE = 256

/** Width and height for an aspect ratio, the long side fixed to keep files small. */
export function dimensions(size: Size): [number, number] {
  const [w, h] = size.split(':').map(Number) as [number, number]
  return w >= h ? [LONG_SIDE, Math.round((LONG_SIDE * h) / w)] : [Math.round((LONG_SIDE * w) / h), LONG_SIDE]
}

function mix(a: number, b: number, t: number): number {
  return a + (b - a) * t
}

/**
 * A picture that depends only on its inputs: a tilted gradient, soft stripes
 * and a disc, with a few model-specific looks (pixelated, dark, posterised).
 */
export function renderPng(prompt: string, seed: number, model: string, size: Size): Buffer {
  const [width, height] = dimensions(size)
  const h = hashBytes(prompt, String(seed), model)
  const at = (i: number): number => h[i % h.length] ?? 0
  const c1 = [at(0), at(1), at(2)]
  const c2 = [at(3), at(4), at(5)]
  const c3 = [at(6), at(7), at(8)]
  const angle = (at(9) / 255) * Math.PI
  const freq = 3 + (at(10) % 12)
  const phase = (at(11) / 255) * Math.PI * 2
  const cx = (at(12) / 255) * width
  const cy = (at(13) / 255) * height
  const radius = (0.1 + (at(14) / 255) * 0.25) * LONG_SIDE
  const block = model === 'flux-pixel' ? 8 : 1
  const dark = model === 'any-dark' ? 0.35 : 1
  const posterise = model === 'flux-anime' || model === 'flux-disney'
  const cos = Math.cos(angle)
  const sin = Math.sin(angle)
  const png = new PNG({ width, height })
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const px = x - (x % block)
      const py = y - (y % block)
      const u = Math.min(1, Math.max(0, (px * cos + py * sin) / LONG_SIDE))
      const v = (-px * sin + py * cos) / LONG_SIDE
      const stripe = (0.5 + 0.5 * Math.sin(2 * Math.PI * freq * v + phase)) * 0.35
      const inDisc = (px - cx) ** 2 + (py - cy) ** 2 < radius * radius
      const idx = (y * width + x) * 4
      for (let c = 0; c < 3; c += 1) {
        let value = mix(mix(c1[c] ?? 0, c2[c] ?? 0, u), c3[c] ?? 0, stripe)
        if (inDisc) value = 255 - value * 0.6
        value *= dark
        if (posterise) value = Math.round(value / 64) * 64
        png.data[idx + c] = Math.max(0, Math.min(255, Math.round(value)))
      }
      png.data[idx + 3] = 255
    }
  }
  return PNG.sync.write(png)
}

// ---------------------------------------------------------------------------
// MP3

function toBuffer(chunks: Uint8Array[]): Buffer {
  return Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)))
}

/** Mono 16-bit samples → MPEG audio frames (no tag). */
export function encodeMp3(samples: Int16Array, sampleRate: number, kbps: number): Buffer {
  const encoder = new Mp3Encoder(1, sampleRate, kbps)
  const out: Uint8Array[] = []
  // lamejs works on multiples of the frame size
  const step = 1152 * 16
  for (let i = 0; i < samples.length; i += step) out.push(encoder.encodeBuffer(samples.subarray(i, i + step)))
  out.push(encoder.flush())
  return toBuffer(out)
}

function syncsafe(n: number): number[] {
  return [(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]
}

/** An ID3v2.4 tag with UTF-8 text frames, as most MP3 files start with. */
export function id3Tag(frames: Record<string, string>): Buffer {
  const parts = Object.entries(frames).map(([id, text]) => {
    const data = Buffer.concat([Buffer.from([3]), Buffer.from(text, 'utf8')])
    return Buffer.concat([Buffer.from(id, 'latin1'), Buffer.from(syncsafe(data.length)), Buffer.from([0, 0]), data])
  })
  const body = Buffer.concat(parts)
  return Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, ...syncsafe(body.length)]), body])
}

function clampSample(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)))
}

const SPEECH_RATE = 22050
const MAX_SPEECH_SECONDS = 150

/** Voice-like bursts, one per word: pitch by voice, length by text. */
export function speechSamples(text: string, voice: 'alex' | 'sophia'): Int16Array {
  const base = voice === 'alex' ? 115 : 205
  const words = text.split(/\s+/).filter(Boolean)
  const gap = 0.07
  const chunks: { start: number; dur: number; f0: number }[] = []
  let t = 0.1
  for (const word of words) {
    const dur = Math.min(0.6, 0.08 + 0.045 * Array.from(word).length)
    if (t + dur > MAX_SPEECH_SECONDS - 0.1) break
    chunks.push({ start: t, dur, f0: base * (1 + ((hashInt(word) % 40) - 20) / 200) })
    t += dur + gap
  }
  const total = Math.max(0.3, t + 0.1)
  const samples = new Int16Array(Math.ceil(total * SPEECH_RATE))
  for (const c of chunks) {
    const first = Math.floor(c.start * SPEECH_RATE)
    const n = Math.floor(c.dur * SPEECH_RATE)
    let phase = 0
    for (let i = 0; i < n; i += 1) {
      const p = i / n
      // a small falling glide, like the end of a spoken syllable
      phase += (2 * Math.PI * c.f0 * (1.05 - 0.1 * p)) / SPEECH_RATE
      const env = Math.sqrt(Math.sin(Math.PI * p))
      const wave = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase)
      samples[first + i] = clampSample(wave * env * 0.3 * 32767 * 0.57)
    }
  }
  return samples
}

/**
 * One word's burst (and the pause after it) as MPEG frames, by voice, length
 * class and pitch variant. Encoding a minute of speech with lamejs takes
 * seconds, so a speech is put together from these clips, each encoded once:
 * separately encoded MP3 streams join at frame boundaries.
 */
const wordClips = new Map<string, Buffer>()
const MAX_WORD_CLASS = 8

function wordClip(voice: 'alex' | 'sophia', letters: number, variant: number): Buffer {
  const key = `${voice}:${letters}:${variant}`
  let clip = wordClips.get(key)
  if (!clip) {
    const word = 'a'.repeat(letters) + String(variant)
    clip = encodeMp3(speechSamples(word, voice), SPEECH_RATE, 32)
    wordClips.set(key, clip)
  }
  return clip
}

/** Speech-like MP3: one burst per word (pitch by voice), so its length grows with the text. */
export function speechMp3(text: string, voice: 'alex' | 'sophia'): Buffer {
  const words = text.split(/\s+/).filter(Boolean)
  const frames = words.map((word) => wordClip(voice, Math.min(Array.from(word).length, MAX_WORD_CLASS), hashInt(word) % 2))
  return Buffer.concat([id3Tag({ TIT2: text.slice(0, 100), TPE1: voice, TSSE: 'lamejs' }), ...frames])
}

const SONG_RATE = 44100
const SONG_SECONDS = 5
const PENTATONIC = [0, 2, 4, 7, 9, 12, 14, 16]

/** A short plucked melody over a bass note; different for each clip. */
export function songSamples(key: string): Int16Array {
  const h = hashBytes(key)
  const root = 196 * 2 ** ((h[0] ?? 0) % 7 / 12)
  const noteLen = 0.25
  const samples = new Int16Array(SONG_SECONDS * SONG_RATE)
  for (let i = 0; i < samples.length; i += 1) {
    const t = i / SONG_RATE
    const step = Math.floor(t / noteLen)
    const degree = PENTATONIC[(h[step % h.length] ?? 0) % PENTATONIC.length] ?? 0
    const f = root * 2 ** (degree / 12)
    const tn = t - step * noteLen
    const lead = Math.sin(2 * Math.PI * f * t) * Math.exp(-tn * 6)
    const bass = Math.sin(2 * Math.PI * (root / 2) * t) * 0.4
    samples[i] = clampSample((lead * 0.6 + bass * 0.4) * 0.5 * 32767)
  }
  return samples
}

export function songMp3(key: string, title: string): { file: Buffer; frames: Buffer } {
  const frames = encodeMp3(songSamples(key), SONG_RATE, 64)
  return { file: Buffer.concat([id3Tag({ TIT2: title, TPE1: 'Suno (fake)' }), frames]), frames }
}

// ---------------------------------------------------------------------------
// MP4 (ISO BMFF) with one MP3 audio track

const L3_BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
const L3_BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] }

interface Mp3Info {
  sizes: number[]
  sampleRate: number
  samplesPerFrame: number
  channels: number
  mpeg1: boolean
}

/** Frame sizes of a Layer III stream without tags. */
export function scanMp3(frames: Buffer): Mp3Info {
  const sizes: number[] = []
  let info: Omit<Mp3Info, 'sizes'> | undefined
  let i = 0
  while (i + 4 <= frames.length) {
    const b1 = frames[i + 1] ?? 0
    const b2 = frames[i + 2] ?? 0
    const b3 = frames[i + 3] ?? 0
    if (frames[i] !== 0xff || (b1 & 0xe0) !== 0xe0) throw new Error(`no MPEG frame sync at byte ${i}`)
    const version = (b1 >> 3) & 3
    const mpeg1 = version === 3
    const bitrate = (mpeg1 ? L3_BITRATES_V1 : L3_BITRATES_V2)[(b2 >> 4) & 15] ?? 0
    const sampleRate = RATES[version]?.[(b2 >> 2) & 3] ?? 0
    if (!bitrate || !sampleRate) throw new Error(`bad MPEG frame header at byte ${i}`)
    const size = Math.floor(((mpeg1 ? 144_000 : 72_000) * bitrate) / sampleRate) + ((b2 >> 1) & 1)
    info ??= { sampleRate, samplesPerFrame: mpeg1 ? 1152 : 576, channels: (b3 >> 6) === 3 ? 1 : 2, mpeg1 }
    sizes.push(size)
    i += size
  }
  if (!info) throw new Error('no MPEG frames')
  return { sizes, ...info }
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload)
  const head = Buffer.alloc(8)
  head.writeUInt32BE(body.length + 8, 0)
  head.write(type, 4, 'latin1')
  return Buffer.concat([head, body])
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4)
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4))
  return b
}

function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2)
  values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, i * 2))
  return b
}

const MATRIX = u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)

function descriptor(tag: number, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload)
  return Buffer.concat([Buffer.from([tag, body.length]), body])
}

/** An `.mp4` whose only track is the given MP3 frames (object type 0x6B/0x69), playable by browsers. */
export function mp4FromMp3(frames: Buffer): Buffer {
  const info = scanMp3(frames)
  const count = info.sizes.length
  const samples = count * info.samplesPerFrame
  const durationMs = Math.round((samples / info.sampleRate) * 1000)
  const kbps = Math.round((frames.length * 8) / (samples / info.sampleRate))
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from('isomiso2mp41', 'latin1'))

  const moovFor = (offset: number): Buffer => {
    const esds = box(
      'esds',
      u32(0),
      descriptor(
        0x03,
        u16(1),
        Buffer.from([0]),
        descriptor(0x04, Buffer.from([info.mpeg1 ? 0x6b : 0x69, 0x15, 0, 0x10, 0]), u32(kbps, kbps)),
        descriptor(0x06, Buffer.from([2]))
      )
    )
    const mp4a = box('mp4a', Buffer.alloc(6), u16(1), Buffer.alloc(8), u16(info.channels, 16, 0, 0), u32(info.sampleRate * 65536), esds)
    const stbl = box(
      'stbl',
      box('stsd', u32(0, 1), mp4a),
      box('stts', u32(0, 1, count, info.samplesPerFrame)),
      box('stsc', u32(0, 1, 1, count, 1)),
      box('stsz', u32(0, 0, count, ...info.sizes)),
      box('stco', u32(0, 1, offset))
    )
    const minf = box('minf', box('smhd', u32(0, 0)), box('dinf', box('dref', u32(0, 1), box('url ', u32(1)))), stbl)
    const mdia = box(
      'mdia',
      box('mdhd', u32(0, 0, 0, info.sampleRate, samples), u16(0x55c4, 0)),
      box('hdlr', u32(0, 0), Buffer.from('soun', 'latin1'), Buffer.alloc(12), Buffer.from('SoundHandler\0', 'latin1')),
      minf
    )
    const tkhd = box('tkhd', u32(0x3, 0, 0, 1, 0, durationMs, 0, 0), u16(0, 0, 0x0100, 0), MATRIX, u32(0, 0))
    const mvhd = box('mvhd', u32(0, 0, 0, 1000, durationMs, 0x10000), u16(0x0100, 0), Buffer.alloc(8), MATRIX, Buffer.alloc(24), u32(2))
    return box('moov', mvhd, box('trak', tkhd, mdia))
  }
  // moov comes first (fast start); its size does not depend on the offset value
  const offset = ftyp.length + moovFor(0).length + 8
  return Buffer.concat([ftyp, moovFor(offset), box('mdat', frames)])
}
