/**
 * Waveform peaks from a few decoded frames per bar must match the peaks of a
 * whole decode: on a 10-minute MP3 with loud, quiet and silent passages, on
 * the same audio rewritten to use the bit reservoir (as most encoders do),
 * and on a long speech. The reference decodes every frame with the same
 * WebAssembly decoder and keeps the loudest sample of each bar.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { frameHeaderAt, layer3Side } from '../../../src/main/services/sound/mp3'
import { analyzeMp3 } from '../../../src/main/services/sound/peaks'
import { decodePeaks, WAVEFORM_PEAKS } from '../../../src/shared/peaks'
import { encodeMp3, speechMp3 } from '../../fake-api/encoders'
import { decodeWhole } from '../../support/decode-mp3'
import { tempFolder } from '../library/helpers'

const RATE = 44_100
const CLIP_SECONDS = 5

/** A plucked melody over a bass note at `level` (0 to 1), CLIP_SECONDS long. */
function melody(level: number, seed: number): Int16Array {
  const samples = new Int16Array(RATE * CLIP_SECONDS)
  const notes = [0, 2, 4, 7, 9, 12]
  for (let i = 0; i < samples.length; i++) {
    const t = i / RATE
    const step = Math.floor(t / 0.3)
    const inNote = t - step * 0.3
    const f = 220 * 2 ** (notes[(step * 7 + seed) % notes.length]! / 12)
    const lead = Math.sin(2 * Math.PI * f * t) * Math.exp(-inNote * 5)
    const bass = Math.sin(2 * Math.PI * 55 * t) * 0.3
    samples[i] = Math.round((lead * 0.6 + bass) * level * 0.9 * 32_767 * 0.9)
  }
  return samples
}

type Passage = 'loud' | 'quiet' | 'silent'
/** Ten minutes in 5-second clips: where each passage lies decides which bars must be loud, quiet or silent. */
const SCORE: Passage[] = [
  ...Array<Passage>(18).fill('loud'),
  ...Array<Passage>(18).fill('quiet'),
  ...Array<Passage>(6).fill('silent'),
  ...Array<Passage>(24).fill('loud'),
  ...Array<Passage>(12).fill('quiet'),
  ...Array<Passage>(6).fill('silent'),
  ...Array<Passage>(36).fill('loud')
]

/** The frames of each passage, encoded once (MP3 frames join), laid out by the score: real encoder output. */
function scoredMp3(): Buffer {
  const clips = {
    loud: [encodeMp3(melody(1, 0), RATE, 64), encodeMp3(melody(0.8, 3), RATE, 64)],
    quiet: [encodeMp3(melody(0.06, 1), RATE, 64)],
    silent: [encodeMp3(new Int16Array(RATE * CLIP_SECONDS), RATE, 64)]
  }
  return Buffer.concat(SCORE.map((passage, i) => clips[passage][i % clips[passage].length]!))
}

/**
 * The same frames rewritten to borrow from the bit reservoir: each frame's
 * audio data moves as far back into the unused space of earlier frames as
 * main_data_begin allows (511 bytes in MPEG-1), the way encoders fill it.
 * The audio bits are unchanged, so a whole decode gives the same samples
 * (checked below); only a decoder fed a frame without its predecessors
 * would now read the wrong bits.
 */
function withReservoir(frames: Buffer): { file: Buffer; borrowing: number } {
  const out = Buffer.from(frames)
  // The main data areas of all frames, as one stream, and where each frame's area starts in it.
  let areaStart = 0
  let written = 0
  let borrowing = 0
  const areas: Array<{ offset: number; side: number; area: number; data: Buffer }> = []
  for (let at = 0; at < frames.length; ) {
    const header = frameHeaderAt(frames, at)
    if (!header) throw new Error(`no frame at ${at}`)
    const side = header.version === 1 ? (header.channels === 1 ? 17 : 32) : header.channels === 1 ? 9 : 17
    const info = layer3Side(frames, at, header)
    if (info.mainDataBegin !== 0) throw new Error('the source already uses the reservoir')
    const bodyStart = at + 4 + side
    areas.push({ offset: at, side, area: info.mainDataBytes, data: Buffer.from(frames.subarray(bodyStart, bodyStart + Math.ceil(info.audioBits / 8))) })
    at += header.length
  }
  const stream = Buffer.alloc(areas.reduce((sum, frame) => sum + frame.area, 0))
  for (const frame of areas) {
    const begin = Math.max(written, areaStart - 511)
    const back = areaStart - begin
    if (back > 0) borrowing++
    // main_data_begin: the first 9 bits of MPEG-1 side information.
    out[frame.offset + 4] = back >> 1
    out[frame.offset + 5] = ((back & 1) << 7) | (out[frame.offset + 5]! & 0x7f)
    frame.data.copy(stream, begin)
    written = begin + frame.data.length
    areaStart += frame.area
  }
  let from = 0
  for (const frame of areas) {
    stream.copy(out, frame.offset + 4 + frame.side, from, from + frame.area)
    from += frame.area
  }
  return { file: out, borrowing }
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
  const ma = mean(a)
  const mb = mean(b)
  let num = 0
  let da = 0
  let db = 0
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - ma) * (b[i]! - mb)
    da += (a[i]! - ma) ** 2
    db += (b[i]! - mb) ** 2
  }
  return num / Math.sqrt(da * db)
}

/** Bars lying wholly inside one passage of the score, by passage. */
function barsByPassage(bars: readonly number[]): Record<Passage, number[]> {
  const byPassage: Record<Passage, number[]> = { loud: [], quiet: [], silent: [] }
  const seconds = SCORE.length * CLIP_SECONDS
  bars.forEach((value, bar) => {
    const from = Math.floor(((bar / bars.length) * seconds) / CLIP_SECONDS)
    const to = Math.floor((((bar + 1) / bars.length) * seconds - 0.05) / CLIP_SECONDS)
    if (from === to && SCORE[from]) byPassage[SCORE[from]].push(value)
  })
  return byPassage
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length

async function analyze(bytes: Buffer, name: string) {
  const file = join(tempFolder('skyport-peaks-'), name)
  writeFileSync(file, bytes)
  const started = performance.now()
  const analysis = await analyzeMp3(file)
  return { analysis, ms: performance.now() - started, bars: decodePeaks(analysis.waveform) }
}

/** What the sampled peaks must keep of the whole decode's. */
function expectFaithful(sampled: readonly number[], whole: readonly number[]): void {
  expect(sampled).toHaveLength(whole.length)
  expect(correlation(sampled, whole)).toBeGreaterThan(0.95)
  // A sampled bar is the loudest of some of the bar's samples: never louder than the whole bar (one byte of rounding).
  for (let bar = 0; bar < whole.length; bar++) expect(sampled[bar]!).toBeLessThanOrEqual(whole[bar]! + 1.5 / 255)
  // Notes here start loud and fade fast, the hardest case for sampling: measured 0.07 with 3 frames a bar.
  expect(meanError(sampled, whole)).toBeLessThan(0.1)
}

function meanError(sampled: readonly number[], whole: readonly number[]): number {
  return mean(sampled.map((value, bar) => Math.abs(value - whole[bar]!)))
}

describe('waveform peaks from sampled frames', () => {
  let music: Buffer

  beforeAll(() => {
    music = scoredMp3()
  })

  it('match a whole decode of ten minutes of music with loud, quiet and silent passages, and find each passage', async () => {
    const whole = await decodeWhole(music, WAVEFORM_PEAKS)
    const { analysis, bars } = await analyze(music, 'music.mp3')
    expect(analysis.samples).toBe(whole.samples)
    expect(analysis.durationMs).toBe(whole.durationMs)
    expectFaithful(bars, whole.bars)
    const passages = barsByPassage(bars)
    expect(passages.loud.length).toBeGreaterThan(400)
    expect(passages.quiet.length).toBeGreaterThan(200)
    expect(passages.silent.length).toBeGreaterThan(50)
    // Loud bars stand tall, quiet ones low but visible, silent ones flat.
    expect(Math.min(...passages.loud)).toBeGreaterThan(0.5)
    expect(Math.max(...passages.quiet)).toBeLessThan(0.15)
    expect(Math.min(...passages.quiet)).toBeGreaterThan(0.01)
    expect(Math.max(...passages.silent)).toBeLessThan(0.01)
  })

  it('decode each sampled frame after the earlier frames its bit reservoir borrows from', async () => {
    const { file, borrowing } = withReservoir(music)
    // Most frames now borrow, and the rewrite is sound: a whole decode is unchanged.
    expect(borrowing).toBeGreaterThan(10_000)
    const whole = await decodeWhole(file, WAVEFORM_PEAKS)
    expect(whole.bars).toEqual((await decodeWhole(music, WAVEFORM_PEAKS)).bars)
    const { analysis, bars } = await analyze(file, 'reservoir.mp3')
    expect(analysis.samples).toBe(whole.samples)
    expectFaithful(bars, whole.bars)
    // The same points are sampled as without the reservoir, and decode to the same samples; the longer warm-up only adds frames.
    const plain = (await analyze(music, 'plain.mp3')).bars
    for (let bar = 0; bar < bars.length; bar++) expect(bars[bar]!).toBeGreaterThanOrEqual(plain[bar]!)
  })

  it('match a whole decode of a long speech, where the pauses between words must not hide the words', async () => {
    const words = 'The keeper climbed the spiral stairs before dusk and trimmed the wick while ships far out at sea counted the flashes'.split(' ')
    const speech = speechMp3(Array.from({ length: 1_800 }, (_, i) => words[i % words.length]).join(' '), 'alex')
    const whole = await decodeWhole(speech, WAVEFORM_PEAKS)
    const { analysis, bars } = await analyze(speech, 'speech.mp3')
    expect(analysis.durationMs).toBe(whole.durationMs)
    expect(analysis.durationMs).toBeGreaterThan(10 * 60_000)
    // Every bar of the whole decode holds words at full voice (a flat line, so correlation says nothing here):
    // no sampled bar may fall to a pause.
    expect(Math.min(...whole.bars)).toBeGreaterThan(0.9)
    expect(bars).toHaveLength(whole.bars.length)
    expect(Math.min(...bars)).toBeGreaterThan(0.5)
    expect(meanError(bars, whole.bars)).toBeLessThan(0.1)
  })

  it('takes the duration a gapless decoder gives when a LAME tag records the encoder delay and padding', async () => {
    const frames = encodeMp3(melody(1, 2), RATE, 64)
    const first = frameHeaderAt(frames, 0)!
    let count = 0
    for (let at = 0; at < frames.length; count++) at += frameHeaderAt(frames, at)!.length
    // An Info frame as LAME writes it: frame count, bytes, table of contents, quality, then the LAME tag.
    const info = Buffer.alloc(first.length)
    frames.copy(info, 0, 0, 4)
    let at = 4 + 17
    at = info.write('Info', at) + at
    at = info.writeUInt32BE(0x0f, at)
    at = info.writeUInt32BE(count, at)
    at = info.writeUInt32BE(frames.length + info.length, at)
    at += 100
    at = info.writeUInt32BE(57, at)
    info.write('LAME3.100', at)
    const delay = 576
    const padding = 1_234
    info[at + 21] = delay >> 4
    info[at + 22] = ((delay & 0x0f) << 4) | (padding >> 8)
    info[at + 23] = padding & 0xff
    const file = Buffer.concat([info, frames])
    const whole = await decodeWhole(file, WAVEFORM_PEAKS)
    expect(whole.samples).toBe(count * first.samples - delay - padding)
    const { analysis } = await analyze(file, 'gapless.mp3')
    expect(analysis.samples).toBe(whole.samples)
    expect(analysis.durationMs).toBe(whole.durationMs)
  })

  it('refuses bytes that hold no MPEG audio', async () => {
    for (const [name, bytes] of [
      ['page.mp3', Buffer.from('<!doctype html><title>502 Bad Gateway</title>'.repeat(50))],
      ['tag-only.mp3', Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0])]
    ] as const) {
      await expect(analyze(bytes, name)).rejects.toThrow('no audio could be decoded')
    }
  })
})
