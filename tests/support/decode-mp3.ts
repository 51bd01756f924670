/**
 * Decodes every frame of an MP3 with the app's WebAssembly decoder, as a
 * player would: the reference the tests and benchmarks hold the app's
 * header-based duration and sampled peaks against.
 */
import { readFile } from 'node:fs/promises'
import { MPEGDecoder } from 'mpg123-decoder'

export interface WholeDecode {
  /** Samples per channel. */
  samples: number
  sampleRate: number
  durationMs: number
  /** The loudest sample of each of `bars` equal slices, 0 to 1 of the loudest slice. */
  bars: number[]
}

/** Decodes the bytes (or the file at a path) whole; `bars` slices for the peaks (none by default). */
export async function decodeWhole(source: Uint8Array | string, bars = 0): Promise<WholeDecode> {
  const bytes = typeof source === 'string' ? await readFile(source) : source
  const decoder = new MPEGDecoder()
  await decoder.ready
  const chunks: Float32Array[][] = []
  let samples = 0
  let sampleRate = 0
  try {
    for (let at = 0; at < bytes.length; at += 64 * 1024) {
      const decoded = decoder.decode(bytes.subarray(at, at + 64 * 1024))
      if (bars > 0) chunks.push(decoded.channelData)
      samples += decoded.samplesDecoded
      sampleRate ||= decoded.sampleRate
    }
  } finally {
    decoder.free()
  }
  const count = Math.min(bars, samples)
  const peaks = new Array<number>(count).fill(0)
  let position = 0
  for (const channels of chunks) {
    const length = channels[0]?.length ?? 0
    for (const channel of channels) {
      for (let i = 0; i < length; i++) {
        const bar = Math.floor(((position + i) * count) / samples)
        peaks[bar] = Math.max(peaks[bar]!, Math.abs(channel[i]!))
      }
    }
    position += length
  }
  const loudest = Math.max(0, ...peaks)
  return { samples, sampleRate, durationMs: sampleRate ? Math.round((samples / sampleRate) * 1000) : 0, bars: peaks.map((value) => (loudest > 0 ? value / loudest : 0)) }
}
