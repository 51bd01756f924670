/** Speech of any length through the app's services and the fake gateway: parts in order, first part playable early, one joined MP3 in the library. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MEDIA_DIR } from '../../../src/main/app-services'
import type { SpeechStarted, SpeechStatus } from '../../../src/shared/contract'
import { startFakeApi, type FakeApi } from '../../fake-api/server'
import { decodeWhole } from '../../support/decode-mp3'
import { soundHarness, type SoundHarness } from './sound-harness'

let fake: FakeApi
beforeAll(async () => {
  fake = await startFakeApi({ port: 0 })
})
afterAll(async () => {
  await fake.close()
})

let h: SoundHarness
beforeEach(async () => {
  fake.clearFaults()
  fake.requests.length = 0
  h = await soundHarness(fake)
})
afterEach(async () => {
  await h.close()
})

/** A markdown answer of about `chars` characters: paragraphs of sentences, a code block, a link. */
function longAnswer(chars: number): string {
  const sentences = ['The lighthouse keeper climbed the stairs at dusk.', 'Waves broke on the rocks below, again and again.', 'A ship passed far out, its lights small and steady.']
  const paragraphs: string[] = ['# A night at the lighthouse', 'See [the logbook](https://example.com/log) for details.', '```js\nconsole.log("not spoken")\n```']
  let length = paragraphs.join('\n\n').length
  for (let p = 0; length < chars; p++) {
    const paragraph = Array.from({ length: 4 }, (_, i) => `${sentences[(p + i) % 3]}`).join(' ') + ` Paragraph ${p}.`
    paragraphs.push(paragraph)
    length += paragraph.length + 2
  }
  return paragraphs.join('\n\n')
}

describe('speech.create', () => {
  it('speaks a long markdown answer in parts under the limit, in order, announcing each part, and keeps one joined MP3', async () => {
    const started = await h.call<SpeechStarted>('speech.create', { text: longAnswer(2_600), voice: 'sophia', source: 'chat' })
    expect(started.partCount).toBe(3)
    expect(started.spokenText).toContain('A code block is skipped here.')
    expect(started.spokenText).toContain('See the logbook for details.')
    expect(started.spokenText).not.toContain('https://')
    const done = await h.until(started.job.id, ['saved', 'failed'])
    expect(done.error).toBeNull()
    expect(done.result?.mediaId).toBe(started.mediaId)

    // Each request within the limit, in order, with the voice; nothing lost.
    const asked = fake.requests.filter((r) => r.path === '/get-audio')
    expect(asked.map((r) => r.query.voice)).toEqual(['sophia', 'sophia', 'sophia'])
    for (const request of asked) expect(request.query.text!.length).toBeLessThanOrEqual(1000)
    expect(asked.map((r) => r.query.text).join(' ').replace(/\s+/g, ' ')).toBe(started.spokenText.replace(/\s+/g, ' '))

    // "part n of m" progress, and each part announced with a playable local file before the item was saved.
    const details = h.seen('jobs.changed').filter((job) => job.id === started.job.id).map((job) => job.detail)
    // Progress is throttled to 10 a second, so a quick part may not show; each line says which part.
    expect(details.some((detail) => /^part [1-3] of 3$/.test(detail ?? ''))).toBe(true)
    for (const detail of details) expect(detail ?? 'part 1 of 3').toMatch(/^(part [1-3] of 3|Joining the parts…)$/)
    const parts = h.seen('speech.part')
    expect(parts.map((part) => [part.index, part.count])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3]
    ])
    const partAt = h.broadcasts.find((b) => b.event === 'speech.part')!.at
    const savedAt = h.broadcasts.find((b) => b.event === 'jobs.changed' && (b.payload as { state: string }).state === 'saved')!.at
    expect(partAt).toBeLessThanOrEqual(savedAt)
    expect(parts[0]!.url).toMatch(new RegExp(`^/media/speech-parts/${started.job.id}/0\\.mp3$`))

    // The joined file: one MP3 whose decoded length is the sum of the parts' (within 50 ms), tagged, in the library.
    const item = h.services.library.get(started.mediaId)
    expect(item).toMatchObject({ kind: 'speech', model: 'sophia', source: 'chat', settings: { voice: 'sophia', markdown: true } })
    const partFiles = parts.map((part) => join(h.dir, MEDIA_DIR, part.url.slice('/media/'.length)))
    const partLengths = await Promise.all(partFiles.map(async (file) => (await decodeWhole(file)).durationMs))
    const joined = await decodeWhole(join(h.dir, MEDIA_DIR, item.path))
    expect(Math.abs(joined.durationMs - partLengths.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(50)
    expect(Math.abs((item.durationMs ?? 0) - joined.durationMs)).toBeLessThanOrEqual(1)
    expect(parts.reduce((sum, part) => sum + part.durationMs, 0)).toBeGreaterThan(0)
    const bytes = readFileSync(join(h.dir, MEDIA_DIR, item.path))
    // One tag at the head; none of the parts' own tags in the middle.
    expect(bytes.indexOf(Buffer.from('ID3'), 10)).toBe(-1)
    expect(h.services.library.query({ search: 'lighthouse keeper' }).cards.map((card) => card.id)).toEqual([started.mediaId])

    const status = await h.call<SpeechStatus>('speech.status', { id: started.job.id })
    expect(status).toMatchObject({ state: 'saved', partCount: 3, voice: 'sophia', url: item.url })
    expect(status.parts.map((part) => part.url)).toEqual(parts.map((part) => part.url))
  }, 60_000)

  it('waits out a rate limit between parts with a countdown and carries on from the next part', async () => {
    const started = await h.call<SpeechStarted>('speech.create', { text: longAnswer(2_600), markdown: true, source: 'studio' })
    await h.waitFor('the first part', () => h.seen('speech.part')[0])
    fake.inject({ kind: 'http-error', status: 429, shape: 'string', message: 'Rate limit exceeded (1 request(s) per minute). Try again in 1 seconds.', retryAfter: '1' }, { path: '/get-audio', times: 1 })
    const waiting = await h.until(started.job.id, ['waiting'])
    expect(waiting.detail).toMatch(/Rate limit/)
    expect(waiting.runAt).toBeGreaterThan(Date.now() - 100)
    const done = await h.until(started.job.id, ['saved', 'failed'])
    expect(done.state).toBe('saved')
    const texts = fake.requests.filter((r) => r.path === '/get-audio').map((r) => r.query.text)
    // Part 1 asked once; the part refused is asked again; nothing else twice.
    expect(texts[0]).not.toBe(texts[1])
    expect(new Set(texts).size).toBe(3)
    expect(texts).toHaveLength(4)
    // Default voice from the settings.
    expect(h.services.library.get(started.mediaId).model).toBe('alex')
  }, 60_000)

  it('refuses text with nothing to say, and fails a part the server answers with something that is not audio', async () => {
    await expect(h.call('speech.create', { text: '<div></div>', source: 'studio' })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('nothing to read') })
    await expect(h.call('speech.create', { text: 'x', voice: 'bob', source: 'studio' })).rejects.toMatchObject({ code: 'invalid_argument' })
    fake.inject({ kind: 'raw', status: 200, contentType: 'audio/mpeg', chunks: [{ text: '<html>oops</html>' }] }, { path: '/get-audio', times: 1 })
    const started = await h.call<SpeechStarted>('speech.create', { text: 'Hello there.', markdown: false, source: 'studio' })
    const failed = await h.until(started.job.id, ['saved', 'failed'])
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'bad_response' } })
    expect(h.services.library.query().total).toBe(0)
    const plan = await h.call<{ spokenText: string; partCount: number }>('speech.speakable', { text: 'a. '.repeat(700) })
    expect(plan.partCount).toBe(3)
  }, 30_000)
})
