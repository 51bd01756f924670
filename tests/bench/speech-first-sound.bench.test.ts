/**
 * Speech of 20,000 characters: time to first sound after the first part
 * arrives.
 *
 * The real app in headless Chromium (test host: the real speech service,
 * job runner and library; the fake gateway speaks). The Speech page reads a
 * 20,000-character text; main splits it into parts under the per-request
 * limit and announces each part as soon as its file is complete on disk
 * (`speech.part`, with `savedAt`).
 *
 * - ours: from the first part's `savedAt` to the <audio> element's `playing`
 *   event (the page's clock, `performance.timeOrigin + performance.now()`,
 *   is the same wall clock as main's). Also until `currentTime` is first
 *   seen above zero (sound really advancing).
 * - peer: a player that waits for the whole file: from the same first
 *   part's `savedAt` to the joined MP3 being saved, plus that file's own
 *   start-up in a fresh <audio> element (measured: created → `playing`).
 *
 * Each run starts from a freshly loaded app. Target: < 300 ms.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../e2e/support'
import { compareLower, fmt, median, round, roundStats, stats, table, writePart } from './support'

const RUNS = 3
const TARGET_MS = 300
const TEXT_CHARS = 20_000

/** Sentences of plain prose, cut to exactly `chars` characters. */
function longText(chars: number): string {
  const sentences = [
    'The keeper climbed the spiral stairs before dusk and trimmed the wick.',
    'Ships far out at sea counted the flashes to know which coast they saw.',
    'Fog rolled in from the west, and the horn sounded every thirty seconds.',
    'In the morning the logbook held the names of every vessel that passed.'
  ]
  let text = ''
  for (let i = 0; text.length < chars; i++) text += `${sentences[i % sentences.length]} ${i % 9 === 8 ? '\n\n' : ''}`
  return text.slice(0, chars)
}

interface Run {
  parts: number
  /** First part on disk → `playing`. */
  firstSoundMs: number
  /** First part on disk → current time first seen above zero. */
  advancingMs: number
  /** First part on disk → the window hears of it (the bridge's share of firstSoundMs). */
  heardMs: number
  /** First part on disk → its bytes read in the window, and appended to the stream (the app marks both). */
  readMs: number
  appendedMs: number
  /** Click → first part on disk (the gateway's and main's share, for context). */
  clickToFirstPartMs: number
  /** Peer: first part on disk → the joined file's `playing` in a fresh element. */
  peerFirstSoundMs: number
}

interface SoundProbe {
  clickAt: number
  firstPartSavedAt: number | null
  /** When the window heard of the first part. */
  firstPartHeardAt: number | null
  partCount: number | null
  playingAt: number | null
  advancingAt: number | null
}

declare global {
  interface Window {
    __soundProbe?: SoundProbe
  }
}

async function oneRun(page: Page, stack: Stack, text: string): Promise<Run> {
  await page.goto(stack.host.url)
  await page.getByTestId('nav-studio').click()
  await page.getByTestId('studio-tab-speech').click()
  await page.getByTestId('speech-text').fill(text)
  await page.evaluate(() => {
    const probe: SoundProbe = { clickAt: 0, firstPartSavedAt: null, firstPartHeardAt: null, partCount: null, playingAt: null, advancingAt: null }
    window.__soundProbe = probe
    const now = (): number => performance.timeOrigin + performance.now()
    window.api.on('speech.part', (part) => {
      if (part.index === 0 && probe.firstPartSavedAt === null) {
        probe.firstPartSavedAt = part.savedAt
        probe.firstPartHeardAt = now()
        probe.partCount = part.count
      }
    })
    const audio = document.querySelector<HTMLAudioElement>('[data-testid="player-audio"]')
    if (!audio) throw new Error('no audio element')
    audio.addEventListener('playing', () => (probe.playingAt ??= now()), { once: true })
    const watch = (): void => {
      if (audio.currentTime > 0 && !audio.paused) probe.advancingAt ??= now()
      else requestAnimationFrame(watch)
    }
    // rAF is throttled only when hidden; the bench page is visible.
    requestAnimationFrame(watch)
    document.querySelector('[data-testid="speech-read"]')?.addEventListener('click', () => (probe.clickAt = now()), { once: true })
  })
  await page.getByTestId('speech-read').click()
  await page.waitForFunction(() => window.__soundProbe?.advancingAt != null && window.__soundProbe.firstPartSavedAt !== null, undefined, { timeout: 120_000 })
  // The whole speech saved: the peer plays the joined file in a fresh element.
  await page.waitForFunction(() => document.querySelector('[data-testid="speech-run"]')?.getAttribute('data-state') === 'saved', undefined, { timeout: 240_000 })
  const joinedUrl = await page.evaluate(async () => {
    const found = await window.api.library.query({ kinds: ['speech'], sort: 'newest' })
    if (!found.ok) throw new Error(found.error.message)
    // The cards cross the bridge as columns (shared/library-columns): the newest file's path is the first.
    const path = found.result.columns.paths[0] ?? ''
    return path.startsWith('/') ? path : `/media/${path}`
  })
  const probe = await page.evaluate(() => window.__soundProbe as SoundProbe)
  const marks = await page.evaluate(() =>
    Object.fromEntries(['speech-part-read', 'speech-part-appended'].map((name) => [name, performance.timeOrigin + (performance.getEntriesByName(name).at(-1)?.startTime ?? Number.NaN)]))
  )
  const savedAt = probe.firstPartSavedAt ?? Number.NaN
  // When the joined file was saved: the earliest a whole-file player could begin.
  const joinedSavedAt = await page.evaluate(async () => {
    const jobs = await window.api.jobs.list({ limit: 5 })
    if (!jobs.ok) throw new Error(jobs.error.message)
    return Math.max(...jobs.result.filter((job) => job.kind === 'speech.create' && job.state === 'saved').map((job) => job.updatedAt))
  })
  // Then its own start-up, measured: a fresh element given the joined file, until it plays.
  const peerStartupMs = await page.evaluate(async (url) => {
    const from = performance.now()
    const audio = new Audio(url)
    audio.muted = true
    const started = new Promise<number>((resolve) => audio.addEventListener('playing', () => resolve(performance.now()), { once: true }))
    await audio.play()
    const at = await started
    audio.pause()
    return at - from
  }, joinedUrl)
  await page.getByTestId('player-close').click()
  return {
    parts: probe.partCount ?? 0,
    firstSoundMs: (probe.playingAt ?? Number.NaN) - savedAt,
    advancingMs: (probe.advancingAt ?? Number.NaN) - savedAt,
    heardMs: (probe.firstPartHeardAt ?? Number.NaN) - savedAt,
    readMs: (marks['speech-part-read'] ?? Number.NaN) - savedAt,
    appendedMs: (marks['speech-part-appended'] ?? Number.NaN) - savedAt,
    clickToFirstPartMs: savedAt - probe.clickAt,
    peerFirstSoundMs: joinedSavedAt - savedAt + peerStartupMs
  }
}

describe('benchmark: speech, time to first sound', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack()
  })

  afterAll(async () => {
    await stack?.close()
  })

  it('first part streamed into the player vs waiting for the joined file', async () => {
    const started = performance.now()
    const text = longText(TEXT_CHARS)
    const runs: Run[] = []
    for (let i = 0; i < RUNS; i++) runs.push(await oneRun(stack.page, stack, text))
    for (const run of runs) {
      expect(run.parts).toBeGreaterThan(1)
      expect(Number.isFinite(run.firstSoundMs)).toBe(true)
      expect(Number.isFinite(run.peerFirstSoundMs)).toBe(true)
    }
    const ours = median(runs.map((run) => run.firstSoundMs))
    const peer = median(runs.map((run) => run.peerFirstSoundMs))
    console.log(
      `\nSpeech of ${TEXT_CHARS.toLocaleString('en-US')} characters (${runs[0]?.parts} parts): first part on disk → first sound\n` +
        table(
          ['run', 'ours: playing', 'ours: time advancing', 'window heard of it', 'bytes read', 'appended', 'click → first part', 'peer: joined file playing'],
          runs.map((run, i) => [String(i + 1), `${fmt(run.firstSoundMs)} ms`, `${fmt(run.advancingMs)} ms`, `${fmt(run.heardMs)} ms`, `${fmt(run.readMs)} ms`, `${fmt(run.appendedMs)} ms`, `${fmt(run.clickToFirstPartMs)} ms`, `${fmt(run.peerFirstSoundMs)} ms`])
        )
    )
    writePart({
      id: 'speech-first-sound',
      title: 'Speech of 20,000 characters: time to first sound after the first part arrives',
      rows: [
        {
          benchmark: 'Speech 20,000 chars: first sound',
          metric: `first part on disk → playing, p50 (${RUNS} runs)`,
          unit: 'ms',
          ours: round(ours, 1),
          peer: round(peer, 1),
          comparison: compareLower(ours, peer),
          target: `< ${TARGET_MS} ms`,
          met: ours < TARGET_MS
        }
      ],
      figures: {
        firstSoundMs: roundStats(stats(runs.map((run) => run.firstSoundMs))),
        advancingMs: roundStats(stats(runs.map((run) => run.advancingMs))),
        heardMs: roundStats(stats(runs.map((run) => run.heardMs))),
        readMs: roundStats(stats(runs.map((run) => run.readMs))),
        appendedMs: roundStats(stats(runs.map((run) => run.appendedMs))),
        clickToFirstPartMs: roundStats(stats(runs.map((run) => run.clickToFirstPartMs))),
        runs: runs.map((run) => Object.fromEntries(Object.entries(run).map(([key, value]) => [key, round(value, 1)])))
      },
      peerFigures: { firstSoundMs: roundStats(stats(runs.map((run) => run.peerFirstSoundMs))) },
      setup: { textChars: TEXT_CHARS, parts: runs[0]?.parts ?? null, runs: RUNS, player: 'Media Source (audio/mpeg, sequence mode) fed from the parts’ local files' },
      notes: ['The page and main share the wall clock; savedAt is when main finished writing the first part.'],
      durationMs: Math.round(performance.now() - started)
    })
  }, 600_000)
})
