/**
 * Run in a fresh process by the sound benchmark, so each way of getting a
 * waveform has its own peak memory: `ours` is the app's analyzeMp3 (a frame
 * index, then a few decoded frames per bar); `peer` decodes the whole file at
 * once and keeps all its PCM, as wavesurfer.js does by default with
 * decodeAudioData. Prints one
 * JSON line: wall ms, CPU ms, max resident set in MB, duration, bars.
 */
import { existsSync, readFileSync } from 'node:fs'
import { MPEGDecoder } from 'mpg123-decoder'
import { analyzeMp3 } from '../../src/main/services/sound/peaks'
import { decodePeaks, WAVEFORM_PEAKS } from '../../src/shared/peaks'

const [mode, file] = process.argv.slice(2)
if ((mode !== 'ours' && mode !== 'peer') || !file) throw new Error('usage: peaks-child ours|peer <file.mp3>')

const baseRss = process.memoryUsage().rss
const started = performance.now()
const cpu = process.cpuUsage()
let durationMs: number
let bars: number
if (mode === 'ours') {
  const analysis = await analyzeMp3(file)
  durationMs = analysis.durationMs
  // The waveform is stored encoded (base64, a byte a bar): count the bars, not the characters.
  bars = decodePeaks(analysis.waveform).length
} else {
  const decoder = new MPEGDecoder()
  await decoder.ready
  const decoded = decoder.decode(readFileSync(file))
  // Peaks from the whole decoded buffer, as a waveform library draws them.
  const per = Math.ceil(decoded.samplesDecoded / WAVEFORM_PEAKS)
  const peaks = new Float32Array(WAVEFORM_PEAKS)
  for (const channel of decoded.channelData) for (let i = 0; i < decoded.samplesDecoded; i++) peaks[Math.floor(i / per)] = Math.max(peaks[Math.floor(i / per)]!, Math.abs(channel[i]!))
  durationMs = Math.round((decoded.samplesDecoded / decoded.sampleRate) * 1000)
  bars = peaks.length
  decoder.free()
}
const used = process.cpuUsage(cpu)
/**
 * This process's peak resident set. Not resourceUsage().maxRSS: on Linux that
 * survives execve, so a child spawned by the (large) test worker reports the
 * worker's size at the fork, whatever it uses itself. VmHWM belongs to the
 * address space exec made, so it is this program's own peak.
 */
function peakRssMb(): number {
  if (existsSync('/proc/self/status')) {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (hwm) return Number(hwm[1]) / 1024
  }
  return process.resourceUsage().maxRSS / 1024
}
process.stdout.write(
  `${JSON.stringify({ ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, maxRssMb: peakRssMb(), baseRssMb: baseRss / 1024 / 1024, durationMs, bars })}\n`
)
