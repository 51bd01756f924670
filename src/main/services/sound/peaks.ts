/**
 * Duration and waveform peaks of an MP3, computed once in main when a file
 * is saved and stored with the library item, so neither the grid nor the
 * player ever decodes a long file just to draw it.
 *
 * The decoder is mpg123-decoder: mpg123 compiled to WebAssembly, kept by the
 * wasm-audio-decoders project. WebAssembly needs no native build per Electron
 * version and no ffmpeg binary beside the app, and it decodes what it is fed
 * frame by frame.
 *
 * Why not every frame: the decoder spends some 50 µs on a frame and a
 * 10-minute song has 23,000 of them, so a whole decode takes over a second,
 * while the waveform has only 1,024 bars of some 22 frames each. So:
 *
 * 1. One pass reads the frame headers and the Layer III side information,
 *    no audio. That gives the exact duration (the frames' samples, less the
 *    encoder delay and padding a LAME tag records, which a gapless decoder
 *    drops), which frames carry any audio bits at all (a silent granule has
 *    none), and how far back each frame's bit reservoir reaches.
 * 2. In each bar, POINTS_PER_BAR frames spread evenly over its sounding
 *    frames are decoded, and the bar is the loudest decoded sample in it.
 *    A bar's loudest moment is rarely a lone 26 ms spike: notes and syllables
 *    last several frames, so points spread over the bar land on the loud
 *    part, and skipping the silent frames keeps them off the pauses between
 *    words. Each bar's height is a real decoded sample, never an estimate
 *    from the bitstream. Where bars hold few frames (songs of a few minutes,
 *    speech parts) the points cover every frame and the bars are exact.
 * 3. A Layer III frame cannot be decoded alone: its data may begin up to 511
 *    bytes back in earlier frames (the reservoir), its first samples
 *    overlap-add with the previous granule's, and the synthesis filter
 *    carries the previous granule's output. So the decoder is first fed the
 *    two granules before the point (one MPEG-1 frame, two MPEG-2 ones) and
 *    as many earlier frames as their reservoirs reach (main_data_begin);
 *    that output is only warm-up. The point's samples then equal a whole
 *    decode's exactly (mpg123 itself decodes frames before a seek target for
 *    the same reason; the tests compare).
 *
 * Memory stays flat: a few bytes of index per frame and one frame of PCM at
 * a time, where a whole-file decode (as wavesurfer.js does in the browser)
 * holds 200 MB of PCM for 10 minutes.
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { MPEGDecoder } from 'mpg123-decoder'
import { CARD_PEAKS, downsamplePeaks, encodePeaks, WAVEFORM_PEAKS } from '../../../shared/peaks'
import { frameHeaderAt, id3v2Size, isInfoFrame, lameGapless, layer3Side, readHead, type FrameHeader } from './mp3'

export interface AudioAnalysis {
  durationMs: number
  /** Samples per channel the file decodes to. */
  samples: number
  sampleRate: number
  /** CARD_PEAKS bars, encoded (shared/peaks). */
  peaks: string
  /** WAVEFORM_PEAKS bars, encoded. */
  waveform: string
}

const READ_BYTES = 64 * 1024
/** The reservoir reaches 511 bytes back; even the smallest frames need no more than this many. */
const MAX_REACH = 32
/** Frames decoded in each bar (see above): with 3, a 10-minute song decodes about a quarter of its frames. */
const POINTS_PER_BAR = 3

/** Reads the MP3 file's frame index, then decodes only the frames the bars need: its exact duration and its peaks. Throws when nothing decodes. */
export async function analyzeMp3(file: string, signal?: AbortSignal): Promise<AudioAnalysis> {
  const index = await indexFrames(file, signal)
  if (index.count === 0) throw new Error('no audio could be decoded')
  const total = index.count * index.samplesPerFrame
  const bars = Math.min(WAVEFORM_PEAKS, total)
  const peaks = await decodeBars(file, index, bars, signal)
  let loudest = 0
  for (const value of peaks) if (value > loudest) loudest = value
  // Drawn relative to the loudest moment, so quiet speech still shows its shape.
  const scale = loudest > 0 ? 1 / loudest : 0
  const waveform = Array.from(peaks, (value) => value * scale)
  const samples = Math.max(0, total - index.trim)
  return {
    durationMs: Math.round((samples / index.sampleRate) * 1000),
    samples,
    sampleRate: index.sampleRate,
    peaks: encodePeaks(downsamplePeaks(waveform, CARD_PEAKS)),
    waveform: encodePeaks(waveform)
  }
}

/** Where each audio frame is, and what its side information says. */
class FrameIndex {
  count = 0
  offsets = new Float64Array(1024)
  lengths = new Uint16Array(1024)
  /** 1 when the frame carries audio bits (always for layers I and II). */
  sounding = new Uint8Array(1024)
  /** How many earlier frames this frame's reservoir reaches into. */
  reach = new Uint8Array(1024)
  samplesPerFrame = 0
  sampleRate = 0
  /** Frames before a point that must be decoded with it: two granules' worth (MPEG-1 layers II and III have two per frame). */
  warmFrames = 1
  /** Samples a gapless decoder drops (LAME delay + padding). */
  trim = 0

  push(offset: number, length: number, sounding: boolean, reach: number): void {
    if (this.count === this.offsets.length) {
      const grow = <T extends Float64Array | Uint16Array | Uint8Array>(old: T, next: T): T => (next.set(old), next)
      this.offsets = grow(this.offsets, new Float64Array(this.count * 2))
      this.lengths = grow(this.lengths, new Uint16Array(this.count * 2))
      this.sounding = grow(this.sounding, new Uint8Array(this.count * 2))
      this.reach = grow(this.reach, new Uint8Array(this.count * 2))
    }
    this.offsets[this.count] = offset
    this.lengths[this.count] = length
    this.sounding[this.count] = sounding ? 1 : 0
    this.reach[this.count] = reach
    this.count++
  }
}

/** Frames of the same stream as the first (a stray sync word in junk or a tag has other values). */
function sameStream(header: FrameHeader, first: FrameHeader): boolean {
  return header.version === first.version && header.layer === first.layer && header.sampleRate === first.sampleRate
}

/** Streams the file once, reading headers and side information only. */
async function indexFrames(file: string, signal?: AbortSignal): Promise<FrameIndex> {
  const index = new FrameIndex()
  const start = id3v2Size(await readHead(file, 10))
  let first: FrameHeader | null = null
  // Main data bytes of the latest frames, for how far each reservoir reaches.
  const recent = new Uint16Array(MAX_REACH)
  let pending: Buffer = Buffer.alloc(0)
  let base = start
  for await (const chunk of createReadStream(file, { start, highWaterMark: READ_BYTES, signal }) as AsyncIterable<Buffer>) {
    const data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk
    let at = 0
    while (at + 4 <= data.length) {
      const header = frameHeaderAt(data, at)
      if (!header || (first && !sameStream(header, first))) {
        at++
        continue
      }
      if (at + header.length > data.length) break
      if (!first) {
        // The first frame must be followed by another, or it is a sync word by chance.
        if (at + header.length + 4 <= data.length && !frameHeaderAt(data, at + header.length)) {
          at++
          continue
        }
        first = header
        index.samplesPerFrame = header.samples
        index.sampleRate = header.sampleRate
        index.warmFrames = header.version === 1 && header.layer !== 1 ? 1 : 2
        if (isInfoFrame(data, at, header)) {
          const gapless = header.layer === 3 ? lameGapless(data, at, header) : null
          index.trim = gapless ? gapless.delay + gapless.padding : 0
          at += header.length
          continue
        }
      }
      let sounding = true
      let reach = 0
      if (header.layer === 3) {
        const side = layer3Side(data, at, header)
        sounding = side.audioBits > 0
        for (let have = 0; have < side.mainDataBegin && reach < Math.min(index.count, MAX_REACH); reach++) have += recent[(index.count - 1 - reach) % MAX_REACH]!
        recent[index.count % MAX_REACH] = side.mainDataBytes
      }
      index.push(base + at, header.length, sounding, reach)
      at += header.length
    }
    pending = data.subarray(at)
    base += at
  }
  return index
}

/** Decodes a few frames of each bar (each after its warm-up frames) and folds their samples into the bars. */
async function decodeBars(file: string, index: FrameIndex, bars: number, signal?: AbortSignal): Promise<Float32Array> {
  const spf = index.samplesPerFrame
  const total = index.count * spf
  const wanted = choosePoints(index, bars)
  // A frame decodes as in a whole decode once the frames before it (and their reservoirs) were fed first.
  const warmFrom = (frame: number): number => {
    let from = frame
    for (let back = 1; back <= index.warmFrames && frame - back >= 0; back++) from = Math.min(from, frame - back - index.reach[frame - back]!)
    return from
  }
  for (let frame = 0; frame < index.count; frame++) {
    if (wanted[frame] !== 2) continue
    for (let warm = Math.max(0, warmFrom(frame)); warm < frame; warm++) wanted[warm] ||= 1
  }

  const peaks = new Float32Array(bars)
  const decoder = new MPEGDecoder({ enableGapless: false })
  const handle = await open(file, 'r')
  // Frames are wanted in file order and close together: one read fetches a block holding many of them.
  const block = Buffer.alloc(READ_BYTES)
  let blockStart = 0
  let blockEnd = 0
  let decodedAny = false
  try {
    await decoder.ready
    let runStart = 0
    for (let frame = 0; frame < index.count; frame++) {
      if (!wanted[frame]) continue
      if (frame === 0 || !wanted[frame - 1]) runStart = frame
      const from = index.offsets[frame]!
      const to = from + index.lengths[frame]!
      if (from < blockStart || to > blockEnd) {
        signal?.throwIfAborted()
        const { bytesRead } = await handle.read(block, 0, block.length, from)
        blockStart = from
        blockEnd = from + bytesRead
        if (to > blockEnd) break
      }
      // Fed a frame at a time, so each output is that frame's samples.
      const decoded = decoder.decode(block.subarray(from - blockStart, to - blockStart))
      if (decoded.samplesDecoded === 0) continue
      decodedAny = true
      if (runStart === 0 || warmFrom(frame) >= runStart) foldFrame(peaks, decoded.channelData, Math.min(decoded.samplesDecoded, spf), frame * spf, bars, total)
    }
  } finally {
    await handle.close()
    decoder.free()
  }
  if (!decodedAny) throw new Error('no audio could be decoded')
  return peaks
}

/**
 * The frames to decode: 2 for the chosen points, spread evenly over each
 * bar's sounding frames (all its frames when none sounds); each frame belongs
 * to the bar holding its middle sample.
 */
function choosePoints(index: FrameIndex, bars: number): Uint8Array {
  const spf = index.samplesPerFrame
  const total = index.count * spf
  const wanted = new Uint8Array(index.count)
  for (let first = 0; first < index.count; ) {
    const bar = Math.floor(((first * spf + spf / 2) * bars) / total)
    let end = first
    let sounding = 0
    while (end < index.count && Math.floor(((end * spf + spf / 2) * bars) / total) === bar) sounding += index.sounding[end++]!
    const pick = sounding > 0 ? 1 : 0
    const among = sounding > 0 ? sounding : end - first
    for (let point = 0; point < POINTS_PER_BAR; point++) {
      // The point's rank among the bar's candidates, then the frame holding it.
      let rank = Math.floor(((point + 0.5) * among) / POINTS_PER_BAR)
      for (let frame = first; frame < end; frame++) {
        if (pick && !index.sounding[frame]) continue
        if (rank-- === 0) {
          wanted[frame] = 2
          break
        }
      }
    }
    first = end
  }
  return wanted
}

/** Each bar keeps the loudest sample that falls in it; plain index loops over the typed arrays keep this cheap. */
function foldFrame(peaks: Float32Array, channels: readonly Float32Array[], count: number, firstSample: number, bars: number, total: number): void {
  let bar = Math.floor((firstSample * bars) / total)
  for (let from = 0; from < count && bar < bars; bar++) {
    const to = Math.min(count, Math.ceil(((bar + 1) * total) / bars) - firstSample)
    let loudest = peaks[bar]!
    for (const channel of channels) {
      for (let i = from; i < to; i++) {
        const sample = channel[i]!
        const value = sample < 0 ? -sample : sample
        if (value > loudest) loudest = value
      }
    }
    peaks[bar] = loudest
    from = to
  }
}
