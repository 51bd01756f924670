/**
 * Sound end to end: the built renderer in Chromium, the real services (job
 * runner, speech and song services, library, SQLite, MP3 files) behind the
 * bridge, the fake gateway. The <audio> element must really play the local
 * file: its current time has to advance.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderPng, songMp3, speechMp3 } from '../fake-api/encoders'
import { expectNoSeriousAxeViolations, screenshot, startStack, type Stack } from './support'

let stack: Stack

beforeAll(async () => {
  // Songs take a few seconds, so "listen while it is still generating" has time to happen. The clip
  // can be heard from 1 s on: the app polls at about 2 s (±50 %), then about 4 s later, so its first
  // poll always finds it streaming. (With the default, from 3 s on, both polls could miss the window,
  // and the Listen button then lived only for the instant of the download.)
  stack = await startStack({ fake: { songMs: 6000, songStreamMs: 1000 } })
})
afterAll(async () => {
  await stack?.close()
})

function mp3File(bytes: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'skyport-e2e-sound-')), 'in.mp3')
  writeFileSync(file, bytes)
  return file
}

/** Puts a speech and a song in the library through the real library service, as the sound services do. */
async function seedLibrary(): Promise<void> {
  const { library } = stack.host.services
  const text = 'The library keeps every sound. This one is a short speech read by Sophia, long enough to seek in.'
  await library.addAudio({
    id: 'seed-speech',
    kind: 'speech',
    file: mp3File(speechMp3(text.repeat(3), 'sophia')),
    title: 'The library keeps every sound',
    prompt: '',
    text,
    model: 'sophia',
    keywords: 'sophia',
    settings: { voice: 'sophia', text, markdown: false },
    artist: 'Skyport speech · sophia',
    source: 'studio'
  })
  const song = songMp3('seed-song', 'Neon Harbour')
  await library.addAudio({
    id: 'seed-song',
    kind: 'song',
    file: mp3File(song.file),
    cover: renderPng('neon harbour', 3, 'flux', '1:1'),
    title: 'Neon Harbour',
    prompt: 'Synth pop about a harbour at night',
    text: '[Verse]\nLights on the water',
    model: 'chirp-v3-5',
    keywords: 'chirp-v3-5 synth pop',
    settings: { mode: 'simple', prompt: 'Synth pop about a harbour at night', lyrics: '', style: '', title: 'Neon Harbour', instrumental: false, model: 'chirp-v3-5' },
    artist: 'Skyport song · chirp-v3-5',
    source: 'studio'
  })
}

const audioTime = (page: Page): Promise<number> => page.evaluate(() => (document.querySelector('[data-testid="player-audio"]') as HTMLAudioElement).currentTime)

/** Waits until the one <audio> element has really played past `seconds`, and is not paused. */
async function playsPast(page: Page, seconds: number): Promise<void> {
  try {
    await page.waitForFunction(
      (past) => {
        const audio = document.querySelector<HTMLAudioElement>('[data-testid="player-audio"]')
        return audio !== null && !audio.paused && audio.currentTime > past
      },
      seconds,
      { timeout: 20_000 }
    )
  } catch (error) {
    const state = await page.evaluate(() => {
      const audio = document.querySelector<HTMLAudioElement>('[data-testid="player-audio"]')
      return audio && { shown: document.querySelector("[data-testid=player-error]")?.textContent ?? null, src: audio.currentSrc, time: audio.currentTime, duration: audio.duration, paused: audio.paused, ended: audio.ended, error: audio.error?.message ?? null, readyState: audio.readyState }
    })
    throw new Error(`The audio did not play past ${seconds} s: ${JSON.stringify(state)}`, { cause: error })
  }
}

async function openLibrary(page: Page): Promise<void> {
  await page.getByTestId('nav-library').click()
  await page.getByTestId('library-grid').or(page.getByTestId('library-empty')).first().waitFor()
}

describe('the player and the library', () => {
  it('plays a sound from its card, keeps playing across screens, and Space and the arrows drive it', async () => {
    const { page } = stack
    await seedLibrary()
    await openLibrary(page)
    await page.getByTestId('filter-kind').selectOption('song')
    await page.getByTestId('audio-card').first().waitFor()
    expect(await page.getByTestId('audio-card').count()).toBe(1)
    await page.getByTestId('filter-kind').selectOption('all')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="audio-card"]').length === 2)
    expect(await page.getByTestId('audio-duration').first().innerText()).toMatch(/^\d+:\d\d$/)

    const speechCard = page.locator('[data-testid="audio-card"][data-kind="speech"]')
    await speechCard.getByTestId('audio-card-play').click()
    await page.getByTestId('player-bar').waitFor()
    await playsPast(page, 0.3)
    expect(await page.getByTestId('player-title').innerText()).toBe('The library keeps every sound')
    expect(Number(await page.getByTestId('player-waveform').getAttribute('data-bars'))).toBeGreaterThan(64)
    // The OS panel gets the title.
    expect(await page.evaluate(() => navigator.mediaSession.metadata?.title)).toBe('The library keeps every sound')

    // Moving to another screen does not stop it.
    await page.getByTestId('nav-chat').click()
    await page.getByTestId('composer-input').waitFor()
    const before = await audioTime(page)
    await playsPast(page, before + 0.3)
    await page.getByTestId('player-bar').waitFor()

    // Space pauses when the focus is not in a text field; the arrows seek.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await page.keyboard.press('Space')
    await page.waitForFunction(() => (document.querySelector('[data-testid="player-audio"]') as HTMLAudioElement).paused)
    const paused = await audioTime(page)
    await page.keyboard.press('ArrowRight')
    await page.waitForFunction((from) => (document.querySelector('[data-testid="player-audio"]') as HTMLAudioElement).currentTime > from + 2, paused)
    // Typing in the composer is typing: Space there does not play.
    await page.getByTestId('composer-input').click()
    await page.keyboard.press('Space')
    expect(await page.evaluate(() => (document.querySelector('[data-testid="player-audio"]') as HTMLAudioElement).paused)).toBe(true)
    await page.getByTestId('composer-input').fill('')
  }, 60_000)

  it('plays all, steps to the next sound, and the viewer shows the lyrics with every action', async () => {
    const { page } = stack
    await openLibrary(page)
    await page.getByTestId('play-all').click()
    await playsPast(page, 0.2)
    const first = await page.getByTestId('player-title').innerText()
    await page.getByTestId('player-next').click()
    await page.waitForFunction((title) => document.querySelector('[data-testid="player-title"]')?.textContent !== title, first)
    await playsPast(page, 0.2)
    await screenshot(page, 'library-audio-light')

    const songCard = page.locator('[data-testid="library-card"]', { has: page.locator('[data-kind="song"]') })
    await songCard.dblclick()
    await page.getByTestId('viewer-audio').waitFor()
    expect(await page.getByTestId('viewer-text').innerText()).toContain('Lights on the water')
    const details = await page.getByTestId('viewer-details').innerText()
    expect(details).toContain('chirp-v3-5')
    expect(details).toContain('Duration')
    for (const action of ['reuse-sound', 'save-copy', 'reveal', 'viewer-trash']) await page.getByTestId(action).waitFor()
    await page.getByTestId('viewer-play').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="player-title"]')?.textContent === 'Neon Harbour')
    await playsPast(page, 0.2)
    await screenshot(page, 'viewer-song-light')

    // Reuse fills the Song page with the song's settings.
    await page.getByTestId('reuse-sound').click()
    await page.getByTestId('view-song').waitFor()
    expect(await page.getByTestId('song-prompt').inputValue()).toBe('Synth pop about a harbour at night')
    expect(await page.getByTestId('song-title').inputValue()).toBe('Neon Harbour')
  }, 60_000)

  it('looks right in dark mode: library with audio and the player bar', async () => {
    const { page } = stack
    await page.emulateMedia({ colorScheme: 'dark' })
    await openLibrary(page)
    await page.getByTestId('player-bar').waitFor()
    await screenshot(page, 'library-audio-dark')
    await page.emulateMedia({ colorScheme: 'light' })
  })
})

describe('speech', () => {
  it('reads a chat answer aloud: the player bar appears and the local file really plays, then the speech is in the library', async () => {
    const { page } = stack
    await page.getByTestId('nav-chat').click()
    await page.getByTestId('player-close').click().catch(() => {})
    await page.getByTestId('composer-input').fill('Tell me about lighthouses, in a few sentences.')
    await page.getByTestId('composer-input').press('Enter')
    const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="complete"]').last()
    await answer.waitFor({ timeout: 20_000 })
    await answer.getByTestId('read-aloud').click()
    await page.getByTestId('player-bar').waitFor()
    await playsPast(page, 0.3)
    expect(await page.getByTestId('player-bar').getAttribute('data-kind')).toBe('speech')
    // Parts stream from local files: nothing remote is ever loaded.
    expect(await page.evaluate(() => (document.querySelector('[data-testid="player-audio"]') as HTMLAudioElement).currentSrc)).toMatch(/^blob:|^http:\/\/127\.0\.0\.1/)
    await screenshot(page, 'chat-read-aloud-light')

    // The joined file lands in the library as a speech, with its text.
    await page.getByTestId('player-close').click()
    await openLibrary(page)
    await page.getByTestId('filter-kind').selectOption('speech')
    await page
      .locator('[data-testid="library-card"]', { has: page.locator('[data-testid="audio-card"][data-kind="speech"]') })
      .filter({ hasText: 'Tell me about lighthouses' })
      .first()
      .waitFor({ timeout: 30_000 })
    await page.getByTestId('filter-kind').selectOption('all')
  }, 60_000)

  it('the Speech page reads any text with a chosen voice and shows "part n of m"', async () => {
    const { page } = stack
    await page.getByTestId('nav-studio').click()
    await page.getByTestId('studio-tab-speech').click()
    await page.getByTestId('view-speech').waitFor()
    const sentence = 'Lighthouses guided ships for centuries, and their keepers kept the lamps burning through every storm. '
    await page.getByTestId('speech-text').fill(sentence.repeat(25))
    await page.waitForFunction(() => /parts/.test(document.querySelector('[data-testid="speech-count"]')?.textContent ?? ''))
    await page.getByTestId('speech-voice-sophia').click()
    await page.getByTestId('speech-read').click()
    const run = page.getByTestId('speech-run').first()
    await run.waitFor()
    await page.waitForFunction(() => /part \d+ of \d+/i.test(document.querySelector('[data-testid="speech-progress"]')?.textContent ?? ''), undefined, { timeout: 20_000 })
    await playsPast(page, 0.2)
    await screenshot(page, 'speech-page-light')
    await page.emulateMedia({ colorScheme: 'dark' })
    await screenshot(page, 'speech-page-dark')
    await page.emulateMedia({ colorScheme: 'light' })
    await page.waitForFunction(() => document.querySelector('[data-testid="speech-run"]')?.getAttribute('data-state') === 'saved', undefined, { timeout: 40_000 })
    await page.getByTestId('player-close').click()
  }, 90_000)
})

describe('songs', () => {
  it('makes a song, shows its progress, plays it while it is still generating, then finds it in the library and plays it from there', async () => {
    const { page } = stack
    await page.getByTestId('nav-studio').click()
    await page.getByTestId('studio-tab-song').click()
    await page.getByTestId('view-song').waitFor()
    await page.getByTestId('song-mode-simple').click()
    await page.getByTestId('song-prompt').fill('A bright synth pop song about a lighthouse keeper')
    await page.getByTestId('song-title').fill('Keeper of the Light')
    await page.getByTestId('song-create').click()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="song-clip"]').length >= 2)
    expect(await page.getByTestId('song-progress').first().innerText()).toMatch(/Generating/)

    // As soon as the clip can be heard, Listen now plays it, while the song is still being made.
    const clip = page.getByTestId('song-clip').filter({ has: page.getByTestId('song-listen') }).first()
    await clip.waitFor({ timeout: 30_000 })
    await clip.getByTestId('song-listen').click()
    await page.getByTestId('player-bar').waitFor()
    await playsPast(page, 0.2)
    expect(await clip.getAttribute('data-phase')).toMatch(/streaming|downloading/)
    await screenshot(page, 'song-page-light')
    await page.emulateMedia({ colorScheme: 'dark' })
    await screenshot(page, 'song-page-dark')
    await page.emulateMedia({ colorScheme: 'light' })

    // Finished and downloaded: the song is in the library, with its cover, and plays from there.
    await page.getByTestId('song-open').first().waitFor({ timeout: 60_000 })
    await page.getByTestId('player-close').click()
    await page.getByTestId('song-open').first().click()
    await page.getByTestId('viewer-audio').waitFor()
    expect(await page.getByTestId('viewer-prompt').innerText()).toContain('lighthouse keeper')
    await page.getByTestId('viewer-play').click()
    await playsPast(page, 0.2)
    expect(await page.getByTestId('player-bar').getAttribute('data-kind')).toBe('song')
    await page.getByTestId('viewer-close').click()
    await page.getByTestId('filter-kind').selectOption('song')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="audio-card"][data-kind="song"]').length >= 2, undefined, { timeout: 30_000 })
    await page.getByTestId('filter-kind').selectOption('all')
  }, 120_000)
})

// After the tests above, the Speech page has a speech, the Song page its clips and the library both kinds.
describe.each(['light', 'dark'] as const)('the sound screens pass axe-core, %s', (theme) => {
  beforeAll(async () => {
    await stack.page.emulateMedia({ colorScheme: theme })
  })
  afterAll(async () => {
    await stack.page.emulateMedia({ colorScheme: 'light' })
  })

  it('the Speech page, with a speech made', async () => {
    const { page } = stack
    await page.getByTestId('nav-studio').click()
    await page.getByTestId('studio-tab-speech').click()
    await page.getByTestId('view-speech').waitFor()
    await page.getByTestId('speech-run').first().waitFor()
    await expectNoSeriousAxeViolations(page, `speech page, ${theme}`)
    await screenshot(page, `a11y-speech-page-${theme}`)
  })

  it('the Song page, with its clips', async () => {
    const { page } = stack
    await page.getByTestId('nav-studio').click()
    await page.getByTestId('studio-tab-song').click()
    await page.getByTestId('view-song').waitFor()
    await page.getByTestId('song-clip').first().waitFor()
    await expectNoSeriousAxeViolations(page, `song page, ${theme}`)
    await screenshot(page, `a11y-song-page-${theme}`)
  })

  it('the library with audio, the player bar and the audio viewer', async () => {
    const { page } = stack
    await openLibrary(page)
    await page.locator('[data-testid="audio-card"][data-kind="song"]').first().waitFor()
    // The bar as it shows while a song plays, held still (paused) so the check measures settled colours.
    await page.locator('[data-testid="audio-card"][data-kind="song"]').first().getByTestId('audio-card-play').click()
    await page.getByTestId('player-bar').waitFor()
    await playsPast(page, 0.1)
    await page.getByTestId('player-toggle').click()
    await page.waitForFunction(() => (document.querySelector('[data-testid="player-audio"]') as HTMLAudioElement).paused)
    await expectNoSeriousAxeViolations(page, `library with audio and the player bar, ${theme}`)
    await screenshot(page, `a11y-library-audio-${theme}`)

    await page.locator('[data-testid="library-card"]', { has: page.locator('[data-testid="audio-card"][data-kind="speech"]') }).first().dblclick()
    await page.getByTestId('viewer-audio').waitFor()
    await expectNoSeriousAxeViolations(page, `audio viewer, ${theme}`)
    await screenshot(page, `a11y-audio-viewer-${theme}`)
    await page.getByTestId('viewer-close').click()
    await page.getByTestId('viewer').waitFor({ state: 'detached' })
  })
})
