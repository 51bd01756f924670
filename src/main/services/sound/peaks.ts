/**
 * Duration and waveform peaks of an MP3, computed once in main when a file
 * is saved and stored with the library item, so neither the grid nor the
 * player ever decodes a long file just to draw it.
 *
 * The decoder is mpg123-decoder: mpg123 compiled to WebAssembly, kept by the
 * wasm-audio-decoders project. WebAssembly needs no native build per Electron
 * version and no ffmpeg binary beside the app, and it decodes what it is fed
 * chunk by chunk. The file is streamed through it in 64 KB reads and each
 * chunk's samples are folded into 10 ms maxima at once, so memory stays flat
 * whatever the length: a 10-minute song holds 60,000 floats, not the 200 MB
 * of PCM a whole-file decode (as wavesurfer.js does in the browser) makes.
 */
import { createReadStream } from 'node:fs'
import { MPEGDecoder } from 'mpg123-decoder'
import { CARD_PEAKS, downsamplePeaks, encodePeaks, WAVEFORM_PEAKS } from '../../../shared/peaks'
import { id3v2Size, readHead } from './mp3'

export interface AudioAnalysis {
  durationMs: number
  /** Samples per channel decoded. */
  samples: number
  sampleRate: number
  /** CARD_PEAKS bars, encoded (shared/peaks). */
  peaks: string
  /** WAVEFORM_PEAKS bars, encoded. */
  waveform: string
}

const READ_BYTES = 64 * 1024
/** One peak per this much audio before the bars are made. */
const WINDOW_SECONDS = 0.01

/** Decodes the MP3 file as a stream: its exact duration and its peaks. Throws when nothing decodes. */
export async function analyzeMp3(file: string, signal?: AbortSignal): Promise<AudioAnalysis> {
  const decoder = new MPEGDecoder()
  await decoder.ready
  try {
    const tag = id3v2Size(await readHead(file, 10))
    const windows = new GrowingFloats()
    let windowSize = 0
    let current = 0
    let filled = 0
    let scratch = new Float32Array(64)
    let samples = 0
    let sampleRate = 0
    for await (const chunk of createReadStream(file, { start: tag, highWaterMark: READ_BYTES, signal }) as AsyncIterable<Buffer>) {
      const decoded = decoder.decode(chunk)
      if (decoded.samplesDecoded === 0) continue
      if (sampleRate === 0) {
        sampleRate = decoded.sampleRate
        windowSize = Math.max(1, Math.round(sampleRate * WINDOW_SECONDS))
      }
      // Each channel folds into the same windows; plain index loops over the typed arrays keep this cheap.
      const count = decoded.samplesDecoded
      const spans = Math.ceil((filled + count) / windowSize) + 1
      if (scratch.length < spans) scratch = new Float32Array(spans * 2)
      scratch.fill(0, 0, spans)
      scratch[0] = current
      let position = filled
      let window = 0
      for (const channel of decoded.channelData) {
        position = filled
        window = 0
        for (let i = 0; i < count; i++) {
          const sample = channel[i]!
          const value = sample < 0 ? -sample : sample
          if (value > scratch[window]!) scratch[window] = value
          if (++position === windowSize) {
            position = 0
            window++
          }
        }
      }
      for (let done = 0; done < window; done++) windows.push(scratch[done]!)
      current = scratch[window]!
      filled = position
      samples += decoded.samplesDecoded
    }
    if (filled > 0) windows.push(current)
    if (samples === 0 || sampleRate === 0) throw new Error('no audio could be decoded')
    const all = windows.view()
    let loudest = 0
    for (const value of all) if (value > loudest) loudest = value
    // Drawn relative to the loudest moment, so quiet speech still shows its shape.
    const scale = loudest > 0 ? 1 / loudest : 0
    const waveform = downsamplePeaks(all, WAVEFORM_PEAKS).map((value) => value * scale)
    return {
      durationMs: Math.round((samples / sampleRate) * 1000),
      samples,
      sampleRate,
      peaks: encodePeaks(downsamplePeaks(waveform, CARD_PEAKS)),
      waveform: encodePeaks(waveform)
    }
  } finally {
    decoder.free()
  }
}

/** A Float32 list that doubles when full (no array of boxed numbers). */
class GrowingFloats {
  #data = new Float32Array(1024)
  #length = 0

  push(value: number): void {
    if (this.#length === this.#data.length) {
      const next = new Float32Array(this.#data.length * 2)
      next.set(this.#data)
      this.#data = next
    }
    this.#data[this.#length++] = value
  }

  view(): Float32Array {
    return this.#data.subarray(0, this.#length)
  }
}
