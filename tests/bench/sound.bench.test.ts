/**
 * Benchmark 6: sound in main.
 *
 * a. Speech of 20,000 characters through the app's services and the fake
 *    gateway: the time from the first part's file complete on disk to it
 *    being playable (its `speech.part` event delivered and its first bytes
 *    served by the app protocol's file resolution). Peer: playing only once
 *    the whole speech is joined and saved. And the joined file, decoded,
 *    lasts the sum of its decoded parts within 50 ms.
 * b. Waveform peaks of a 10-minute MP3 (44.1 kHz stereo, 128 kbps), each way
 *    in its own process: wall and CPU time, peak memory. Peer: the whole file
 *    decoded at once and its PCM kept, as wavesurfer.js does by default.
 *    Target: < 1 s and < 100 MB.
 * c. Polling 50 song clips that stay generating for a minute, with the runner's backoff
 *    (2 s doubling to 30 s, jittered): CPU time per minute of polling, polls
 *    made, and how many timers are armed at once. Peer: one setInterval per
 *    clip every 2 s, as a naive client polls.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Mp3Encoder } from '@breezystack/lamejs'
import { describe, expect, it } from 'vitest'
import { createAppServices, MEDIA_DIR } from '../../src/main/app-services'
import { APP_ORIGIN, resolveServedFile } from '../../src/main/services/app-protocol'
import { openDatabase } from '../../src/main/services/db/connection'
import { HttpClient } from '../../src/main/services/http/client'
import { JobRunner } from '../../src/main/services/jobs/job-runner'
import { systemTimers, type Timers } from '../../src/main/services/jobs/wake-timer'
import { Library } from '../../src/main/services/library/library'
import { createLogger } from '../../src/main/services/log'
import { SongService } from '../../src/main/services/sound/songs'
import type { SpeechPart, SpeechStarted } from '../../src/shared/contract'
import { dispatch } from '../../src/main/bridge'
import { startFakeApi } from '../fake-api/server'
import { bundleChildScript } from '../support/child-script'
import { decodeWhole } from '../support/decode-mp3'
import { nodePowers } from '../support/node-powers'
import { compareLower, fmt, median, round, table, writePart } from './support'

const RUNS = 3
const SPEECH_CHARS = 20_000
const SONG_JOBS = 50
const POLL_WINDOW_MS = 60_000

function temp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

const range = (values: readonly number[], digits = 1): string => `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}`

/** Prose of about `chars` characters in paragraphs, as a long answer. */
function prose(chars: number): string {
  const sentences = [
    'The harbour lights came on one by one as the fog rolled in from the sea.',
    'Nobody on the quay had seen the ship leave, yet its berth stood empty.',
    'A gull called twice, then the only sound was water against the stones.',
    'By morning the story had grown, as stories in small towns always do.'
  ]
  const out: string[] = []
  let length = 0
  for (let p = 0; length < chars; p++) {
    const paragraph = Array.from({ length: 5 }, (_, i) => sentences[(p + i) % sentences.length]).join(' ')
    out.push(paragraph)
    length += paragraph.length + 2
  }
  return out.join('\n\n').slice(0, chars)
}

/** 10 minutes of 44.1 kHz stereo at 128 kbps: a 5-second encoded clip repeated (MP3 frames join). */
function tenMinuteMp3(file: string): void {
  const rate = 44_100
  const seconds = 5
  const left = new Int16Array(rate * seconds)
  const right = new Int16Array(rate * seconds)
  for (let i = 0; i < left.length; i++) {
    const t = i / rate
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 0.5 * t)
    left[i] = Math.round(Math.sin(2 * Math.PI * 220 * t) * envelope * 12_000)
    right[i] = Math.round(Math.sin(2 * Math.PI * 330 * t) * (1 - envelope) * 12_000)
  }
  const encoder = new Mp3Encoder(2, rate, 128)
  const parts: Uint8Array[] = []
  for (let i = 0; i < left.length; i += 1152 * 16) parts.push(encoder.encodeBuffer(left.subarray(i, i + 1152 * 16), right.subarray(i, i + 1152 * 16)))
  parts.push(encoder.flush())
  const clip = Buffer.concat(parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength)))
  writeFileSync(file, Buffer.concat(Array.from({ length: (10 * 60) / seconds }, () => clip)))
}

/** Counts the timers a piece of code has armed at once. */
function countingTimers(): Timers & { armed: number; maxArmed: number; set: number } {
  const live = new Set<unknown>()
  const counter = {
    armed: 0,
    maxArmed: 0,
    set: 0,
    setTimeout(callback: () => void, ms: number): unknown {
      const handle: unknown = systemTimers.setTimeout(() => {
        live.delete(handle)
        counter.armed = live.size
        callback()
      }, ms)
      live.add(handle)
      counter.set++
      counter.armed = live.size
      counter.maxArmed = Math.max(counter.maxArmed, live.size)
      return handle
    },
    clearTimeout(handle: unknown): void {
      systemTimers.clearTimeout(handle)
      live.delete(handle)
      counter.armed = live.size
    }
  }
  return counter
}

describe('benchmark 6: sound in main', () => {
  it('speech of 20,000 characters, waveform peaks of 10 minutes, polling 50 songs', async () => {
    const started = performance.now()
    const fake = await startFakeApi({ port: 0, songMs: 10 * 60_000 })
    const logger = createLogger(() => undefined, (text) => text)

    // ---------------------------------------------------------------- a. speech
    const speechRuns: Array<{ playableMs: number; wholeMs: number; parts: number; joinedMs: number; sumMs: number; gapMs: number }> = []
    for (let run = 0; run < RUNS; run++) {
      const dir = temp('skyport-bench-speech-')
      const services = await createAppServices(nodePowers({ userDataDir: dir }))
      services.settings.update({ baseUrl: fake.url })
      let firstPart: SpeechPart | null = null
      let playableAt = 0
      const playable = new Promise<void>((resolve) => {
        services.onBroadcast((event, payload) => {
          if (event !== 'speech.part' || firstPart) return
          firstPart = payload as SpeechPart
          // As the player would: the app protocol resolves the part's file and its first bytes are read.
          void resolveServedFile(`${APP_ORIGIN}${firstPart.url}`, { renderer: dir, media: join(dir, MEDIA_DIR) })
            .then((served) => readFile(served!.path))
            .then(() => {
              playableAt = Date.now()
              resolve()
            })
        })
      })
      const envelope = await dispatch(services.handlers, 'speech.create', { text: prose(SPEECH_CHARS), markdown: true, voice: run % 2 ? 'alex' : 'sophia', source: 'studio' }, { sink: { id: 1, send: () => {} } })
      if (!envelope.ok) throw new Error(envelope.error.message)
      const speech = envelope.result as SpeechStarted
      await playable
      let job = services.jobs.get(speech.job.id)
      while (job.state !== 'saved' && job.state !== 'failed') {
        await new Promise((resolve) => setTimeout(resolve, 5))
        job = services.jobs.get(speech.job.id)
      }
      const savedAt = Date.now()
      expect(job.state).toBe('saved')
      const item = services.library.get(speech.mediaId)
      const status = await services.speech.status(speech.job.id)
      const partLengths = await Promise.all(status.parts.map(async (part) => (await decodeWhole(join(dir, MEDIA_DIR, part.url.slice('/media/'.length)))).durationMs))
      const joined = await decodeWhole(join(dir, MEDIA_DIR, item.path))
      const sum = partLengths.reduce((a, b) => a + b, 0)
      speechRuns.push({
        playableMs: playableAt - firstPart!.savedAt,
        wholeMs: savedAt - firstPart!.savedAt,
        parts: speech.partCount,
        joinedMs: joined.durationMs,
        sumMs: sum,
        gapMs: Math.abs(joined.durationMs - sum)
      })
      await services.close()
      rmSync(dir, { recursive: true, force: true })
    }
    for (const run of speechRuns) expect(run.gapMs).toBeLessThanOrEqual(50)

    console.log(`speech runs: ${JSON.stringify(speechRuns)}`)

    // ---------------------------------------------------------------- b. peaks
    const peaksDir = temp('skyport-bench-peaks-')
    const longFile = join(peaksDir, 'ten-minutes.mp3')
    tenMinuteMp3(longFile)
    const child = await bundleChildScript('tests/bench/peaks-child.ts', 'peaks-child')
    type PeaksRun = { ms: number; cpuMs: number; maxRssMb: number; baseRssMb: number; durationMs: number; bars: number }
    const runPeaks = (mode: 'ours' | 'peer'): PeaksRun => {
      const result = spawnSync(process.execPath, [child, mode, longFile], { encoding: 'utf8', maxBuffer: 1 << 20 })
      if (result.status !== 0) throw new Error(`peaks child (${mode}) failed: ${result.stderr}`)
      return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as PeaksRun
    }
    const oursPeaks: PeaksRun[] = []
    const peerPeaks: PeaksRun[] = []
    for (let run = 0; run < RUNS; run++) {
      oursPeaks.push(runPeaks('ours'))
      peerPeaks.push(runPeaks('peer'))
    }
    // Both read the whole file (120 encoded clips, each a little over 5 s with the encoder's padding).
    for (const run of [...oursPeaks, ...peerPeaks]) {
      expect(run.durationMs).toBeGreaterThan(599_000)
      expect(Math.abs(run.durationMs - peerPeaks[0]!.durationMs)).toBeLessThanOrEqual(50)
    }
    const longBytes = readFileSync(longFile).length
    rmSync(peaksDir, { recursive: true, force: true })

    // ---------------------------------------------------------------- c. polling
    const pollDir = temp('skyport-bench-poll-')
    const db = openDatabase(join(pollDir, 'skyport.db'))
    const timers = countingTimers()
    const http = new HttpClient(() => ({ baseUrl: fake.url, apiKey: null, timeouts: { connectMs: 5_000, headersMs: 5_000, idleMs: 5_000 }, proxy: { mode: 'none', url: '' } }))
    const jobs = new JobRunner({ db, logger, concurrency: () => 4, timers })
    const library = new Library({ db, mediaDir: join(pollDir, 'media'), powers: nodePowers({ userDataDir: pollDir }), logger })
    const songs = new SongService({ http, jobs, library, mediaDir: join(pollDir, 'media'), notifier: { notify: () => {} }, downloadVideo: () => false, logger })
    jobs.start()
    const batches = await Promise.all(
      Array.from({ length: SONG_JOBS / 2 }, (_, index) => songs.create({ mode: 'simple', prompt: `Song number ${index}`, title: '', instrumental: false, model: 'chirp-v3-5', source: 'studio' }))
    )
    expect(batches.flatMap((batch) => batch.jobs)).toHaveLength(SONG_JOBS)
    fake.requests.length = 0
    const cpuBefore = process.cpuUsage()
    await new Promise((resolve) => setTimeout(resolve, POLL_WINDOW_MS))
    const oursCpu = process.cpuUsage(cpuBefore)
    const oursPolls = fake.requests.filter((r) => r.path.startsWith('/v1/suno/')).length
    const oursMaxTimers = timers.maxArmed
    await jobs.close()
    await http.close()
    await library.close()
    db.close()
    rmSync(pollDir, { recursive: true, force: true })

    // The peer: a timer per clip, polling every 2 s.
    const clipIds = batches.flatMap((batch) => batch.clips.map((clip) => clip.clipId))
    const peerHttp = new HttpClient(() => ({ baseUrl: fake.url, apiKey: null, timeouts: { connectMs: 5_000, headersMs: 5_000, idleMs: 5_000 }, proxy: { mode: 'none', url: '' } }))
    fake.requests.length = 0
    const peerCpuBefore = process.cpuUsage()
    const intervals = clipIds.map((id) => setInterval(() => void peerHttp.json({ path: `/v1/suno/${id}` }).catch(() => undefined), 2_000))
    await new Promise((resolve) => setTimeout(resolve, POLL_WINDOW_MS))
    for (const interval of intervals) clearInterval(interval)
    const peerCpu = process.cpuUsage(peerCpuBefore)
    const peerPolls = fake.requests.filter((r) => r.path.startsWith('/v1/suno/')).length
    await peerHttp.close()
    await fake.close()

    const perMinute = (usage: NodeJS.CpuUsage) => ((usage.user + usage.system) / 1000) * (60_000 / POLL_WINDOW_MS)
    const oursCpuPerMinute = perMinute(oursCpu)
    const peerCpuPerMinute = perMinute(peerCpu)

    const playable = speechRuns.map((run) => run.playableMs)
    const whole = speechRuns.map((run) => run.wholeMs)
    const gaps = speechRuns.map((run) => run.gapMs)
    const ourPeakMs = oursPeaks.map((run) => run.ms)
    const peerPeakMs = peerPeaks.map((run) => run.ms)
    const ourRss = oursPeaks.map((run) => run.maxRssMb - run.baseRssMb)
    const peerRss = peerPeaks.map((run) => run.maxRssMb - run.baseRssMb)
    console.log(
      [
        '',
        'Benchmark 6 — sound in main',
        table(
          ['measure', `ours (${RUNS} runs)`, `peer (${RUNS} runs)`, 'comparison'],
          [
            [`speech ${SPEECH_CHARS.toLocaleString('en')} chars (${speechRuns[0]!.parts} parts): first part on disk → playable`, `${range(playable, 0)} ms`, `wait for the whole: ${range(whole, 0)} ms`, compareLower(median(playable), median(whole))],
            ['joined duration − sum of parts (decoded)', `${range(gaps, 0)} ms`, '—', 'target ≤ 50 ms'],
            [`peaks of 10 min MP3 (${fmt(longBytes / 1e6, 1)} MB): wall`, `${range(ourPeakMs, 0)} ms (CPU ${range(oursPeaks.map((run) => run.cpuMs), 0)} ms)`, `${range(peerPeakMs, 0)} ms (CPU ${range(peerPeaks.map((run) => run.cpuMs), 0)} ms)`, compareLower(median(ourPeakMs), median(peerPeakMs))],
            ['peaks: peak memory above start', `${range(ourRss, 0)} MB`, `${range(peerRss, 0)} MB`, compareLower(median(ourRss), median(peerRss))],
            [`polling ${SONG_JOBS} clips: CPU per minute`, `${fmt(oursCpuPerMinute, 0)} ms, ${oursPolls} polls in ${POLL_WINDOW_MS / 1000} s, max ${oursMaxTimers} timer armed`, `${fmt(peerCpuPerMinute, 0)} ms, ${peerPolls} polls, ${SONG_JOBS} timers`, compareLower(oursCpuPerMinute, peerCpuPerMinute)]
          ]
        )
      ].join('\n')
    )

    writePart({
      id: '6-sound',
      title: 'Sound in main: speech parts, waveform peaks, song polling',
      rows: [
        {
          benchmark: '6a. Speech 20k chars',
          metric: 'first part on disk → playable (median)',
          unit: 'ms',
          ours: round(median(playable), 1),
          peer: round(median(whole), 1),
          comparison: compareLower(median(playable), median(whole)),
          target: '< 300 ms (renderer side: sound-ui)',
          met: median(playable) < 300
        },
        {
          benchmark: '6a. Speech 20k chars',
          metric: 'joined − sum of parts (worst)',
          unit: 'ms',
          ours: Math.max(...gaps),
          peer: null,
          comparison: '—',
          target: '≤ 50 ms',
          met: Math.max(...gaps) <= 50
        },
        {
          benchmark: '6b. Peaks, 10 min MP3',
          metric: 'wall time (median)',
          unit: 'ms',
          ours: round(median(ourPeakMs), 0),
          peer: round(median(peerPeakMs), 0),
          comparison: compareLower(median(ourPeakMs), median(peerPeakMs)),
          target: '< 1 s',
          met: median(ourPeakMs) < 1_000
        },
        {
          benchmark: '6b. Peaks, 10 min MP3',
          metric: 'peak memory (median)',
          unit: 'MB',
          ours: round(median(ourRss), 0),
          peer: round(median(peerRss), 0),
          comparison: compareLower(median(ourRss), median(peerRss)),
          target: '< 100 MB',
          met: median(ourRss) < 100
        },
        {
          benchmark: '6c. Polling 50 songs',
          metric: 'CPU per minute of polling',
          unit: 'ms',
          ours: round(oursCpuPerMinute, 0),
          peer: round(peerCpuPerMinute, 0),
          comparison: compareLower(oursCpuPerMinute, peerCpuPerMinute),
          target: 'one timer, no busy loop',
          met: oursMaxTimers <= 1
        }
      ],
      figures: { speechRuns, peaks: oursPeaks, polling: { cpuPerMinuteMs: oursCpuPerMinute, polls: oursPolls, windowMs: POLL_WINDOW_MS, maxArmedTimers: oursMaxTimers, timersSet: timers.set } },
      peerFigures: { speechWholeMs: whole, peaks: peerPeaks, polling: { cpuPerMinuteMs: peerCpuPerMinute, polls: peerPolls, timers: SONG_JOBS } },
      setup: { speechChars: SPEECH_CHARS, runs: RUNS, peaksFile: '10 min, 44.1 kHz stereo, 128 kbps (lamejs)', songJobs: SONG_JOBS, pollWindowMs: POLL_WINDOW_MS },
      notes: [
        'Playable is measured in main: the part event delivered and the part served by the app protocol; the renderer side of "first sound" is the player bar\'s.',
        'Peaks run each in a fresh process; memory is the maximum resident set above the process at start.',
        'Polling uses the real backoff (2 s doubling to 30 s, ±50 % jitter) over the first minute after the clips were made.'
      ],
      durationMs: Math.round(performance.now() - started)
    })
  }, 900_000)
})
