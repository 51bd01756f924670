/** Songs through the app's services and the fake gateway: clip jobs polled, heard early, downloaded from another origin, kept, notified. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MEDIA_DIR } from '../../../src/main/app-services'
import type { SongBatch, SongStatus } from '../../../src/shared/contract'
import { startFakeApi, type FakeApi } from '../../fake-api/server'
import { KEY, soundHarness, type SoundHarness } from './sound-harness'

let fake: FakeApi
beforeAll(async () => {
  fake = await startFakeApi({ port: 0, songMs: 700, songStreamMs: 150 })
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

const simple = { mode: 'simple', prompt: 'A calm piano piece about the sea', model: 'chirp-v3-0', source: 'studio' }

describe('song.create', () => {
  it('polls each clip, offers the live stream while generating, downloads from the media host without the key, and keeps and announces the song', async () => {
    const batch = await h.call<SongBatch>('song.create', simple)
    expect(batch.jobs).toHaveLength(2)
    expect(batch.clips.map((clip) => clip.phase)).toEqual(['generating', 'generating'])
    const posted = fake.requests.find((r) => r.method === 'POST')!
    expect(JSON.parse(posted.body)).toEqual({ model: 'chirp-v3-0', prompt: 'A calm piano piece about the sea', instrumental: 'false', custom: 'false' })

    // Listening early: the relay plays the live stream before the clip is finished.
    const streaming = await h.waitFor('a streaming clip', () => h.seen('song.status').find((status) => status.phase === 'streaming'))
    expect(streaming.listenUrl).toBe(`/live/songs/${streaming.jobId}.mp3`)
    const relayed = await h.services.songs.openLive(streaming.listenUrl!)
    expect(relayed?.headers.get('content-type')).toBe('audio/mpeg')
    const early = Buffer.from(await relayed!.arrayBuffer())
    expect(early.subarray(0, 3).toString('latin1')).toBe('ID3')
    expect(h.seen('jobs.changed').some((job) => job.id === streaming.jobId && job.state === 'saved')).toBe(false)
    expect(await h.services.songs.openLive('/live/songs/nope.mp3')).toBeNull()

    const done = await Promise.all(batch.jobs.map((job) => h.until(job.id, ['saved', 'failed'])))
    expect(done.map((job) => job.state)).toEqual(['saved', 'saved'])
    const items = done.map((job) => h.services.library.get(job.result!.mediaId!))
    for (const item of items) {
      expect(item).toMatchObject({ kind: 'song', model: 'chirp-v3-0', prompt: simple.prompt, mime: 'audio/mpeg', thumbUrl: expect.stringMatching(/^\/media\/thumbs\//) })
      expect(item.settings).toMatchObject({ mode: 'simple', prompt: simple.prompt, instrumental: false, model: 'chirp-v3-0', clipId: expect.any(String) })
      expect(item.durationMs).toBeGreaterThan(4_900)
      expect(item.peaks).not.toBeNull()
      expect(readFileSync(join(h.dir, MEDIA_DIR, item.path)).subarray(0, 3).toString('latin1')).toBe('ID3')
    }
    expect(items[0]!.title).toMatch(/\(take 1\)$/)
    expect(h.services.library.query({ search: 'piano sea', kinds: ['song'] }).total).toBe(2)

    // The key went to the API only; the media host (another origin) never saw it.
    const media = fake.requests.filter((r) => r.origin === 'media')
    expect(media.map((r) => r.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^\/stream\//), expect.stringMatching(/\.mp3$/), expect.stringMatching(/\.png$/)]))
    for (const request of media) {
      expect(request.headers.authorization).toBeUndefined()
      expect(JSON.stringify(request)).not.toContain(KEY)
    }
    expect(fake.requests.filter((r) => r.origin === 'api' && r.path.startsWith('/v1/suno/')).every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true)
    // No video unless the settings ask.
    expect(media.some((r) => r.path.endsWith('.mp4'))).toBe(false)

    // One notification per song; clicking it asks the window to open that song.
    expect(h.powers.notifications.map((n) => n.title)).toEqual(['Your song is ready', 'Your song is ready'])
    h.powers.notifications.find((n) => n.body === items[1]!.title)!.click()
    expect(h.seen('song.open')).toEqual([{ mediaId: items[1]!.id }])
    const statuses = await h.call<SongStatus[]>('song.list')
    expect(statuses.map((status) => status.phase)).toEqual(['saved', 'saved'])
  }, 60_000)

  it('waits out a 429 while polling, then resumes a download cut off half way with Range, and fetches the video when asked', async () => {
    h.services.settings.update({ sound: { downloadVideo: true } })
    fake.inject({ kind: 'drop', afterBytes: 5_000 }, { path: '/files/*', times: 1 })
    const batch = await h.call<SongBatch>('song.create', { mode: 'custom', lyrics: 'Neon lights, empty streets', style: 'synthwave', title: 'Night Drive', model: 'chirp-v3-5', source: 'studio' })
    // The first poll (it reaches the server only after this): `/suno/*` would match the POST too.
    fake.inject({ kind: 'http-error', status: 429, shape: 'string', message: 'Rate limit exceeded', retryAfter: '1' }, { path: '/suno/*', times: 1 })
    const waiting = await h.until(batch.jobs[0]!.id, ['waiting'])
    expect(waiting.detail).toMatch(/Rate limit/)
    const done = await Promise.all(batch.jobs.map((job) => h.until(job.id, ['saved', 'failed'])))
    expect(done.map((job) => job.error?.message ?? job.state)).toEqual(['saved', 'saved'])
    // The cut download was asked again (with Range when bytes had arrived; download.test.ts pins that down).
    const mp3Requests = fake.requests.filter((r) => r.origin === 'media' && r.path.endsWith('.mp3'))
    expect(mp3Requests).toHaveLength(3)
    for (const request of mp3Requests) if (request.headers.range !== undefined) expect(request.headers.range).toMatch(/^bytes=[1-9]\d*-$/)
    const item = h.services.library.get(done[0]!.result!.mediaId!)
    expect(item).toMatchObject({ title: 'Night Drive', text: 'Neon lights, empty streets' })
    expect(h.services.library.query({ search: 'synthwave' }).total).toBe(2)
    expect(item.settings).toMatchObject({ mode: 'custom', style: 'synthwave', lyrics: 'Neon lights, empty streets' })
    expect(existsSync(join(h.dir, MEDIA_DIR, item.path.replace(/\.mp3$/, '.mp4')))).toBe(true)
    expect(JSON.parse(fake.requests.find((r) => r.method === 'POST')!.body)).toMatchObject({ prompt: 'Neon lights, empty streets', style: 'synthwave', custom: 'true' })
  }, 60_000)

  it('fails a clip the server reports as failed, with its reason and a retry; and one stuck generating too long', async () => {
    const failed = await h.call<SongBatch>('song.create', { ...simple, prompt: 'A song [fail]' })
    const ended = await h.until(failed.jobs[0]!.id, ['saved', 'failed'])
    expect(ended.error).toMatchObject({ code: 'server_error', message: expect.stringContaining('content filter') })
    expect(h.seen('song.status').find((status) => status.jobId === ended.id && status.phase === 'failed')?.error?.message).toContain('content filter')
    expect(h.services.library.query().total).toBe(0)
    expect(h.powers.notifications).toEqual([])
    await h.close()

    h = await soundHarness(fake, { tuning: { songs: { pollBaseMs: 40, pollMaxMs: 40, maxGeneratingMs: 400 } } })
    const stuck = await h.call<SongBatch>('song.create', { ...simple, prompt: 'A song [stuck]' })
    const timedOut = await h.until(stuck.jobs[0]!.id, ['saved', 'failed'])
    expect(timedOut.error).toMatchObject({ code: 'timeout', message: expect.stringContaining('still generating') })
    // Retry runs the same clip again.
    const retried = await h.call<{ state: string }>('jobs.retry', { id: timedOut.id })
    expect(retried.state).toBe('queued')
  }, 60_000)
})
