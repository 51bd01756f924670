/**
 * Images and vision as the app builds them (createAppServices) and windows
 * reach them (dispatch), against the fake gateway over loopback: the job
 * runner, the library and real PNG files in a temporary data folder.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createAppServices, MEDIA_DIR, type AppServices } from '../../../src/main/app-services'
import { dispatch } from '../../../src/main/bridge'
import type { EventName, ImageBatch, JobRecord, MediaItem, QueueState, RemotePreview } from '../../../src/shared/contract'
import { startFakeApi, type FakeApi } from '../../fake-api/server'
import { tree } from '../../support/file-tree'
import { nodePowers, type NodePowers } from '../../support/node-powers'

const sink = { id: 1, send: () => {} }
const KEY = 'sk-images-test-1234'

let fake: FakeApi
let elsewhere: FakeApi
beforeAll(async () => {
  fake = await startFakeApi({ port: 0 })
  // A second server on another origin: a host that remote images come from.
  elsewhere = await startFakeApi({ port: 0 })
})
afterAll(async () => {
  await Promise.all([fake.close(), elsewhere.close()])
})

let dir: string
let powers: NodePowers
let services: AppServices
let broadcasts: Array<{ event: EventName; payload: unknown }>

beforeEach(async () => {
  fake.clearFaults()
  fake.requests.length = 0
  elsewhere.requests.length = 0
  dir = mkdtempSync(join(tmpdir(), 'skyport-images-'))
  powers = nodePowers({ userDataDir: dir })
  services = await createAppServices(powers)
  services.settings.update({ baseUrl: fake.url })
  await services.keyVault.set(KEY, fake.url)
  broadcasts = []
  services.onBroadcast((event, payload) => void broadcasts.push({ event, payload }))
})

afterEach(async () => {
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

async function call<T>(method: string, args?: unknown): Promise<T> {
  const envelope = await dispatch(services.handlers, method, args, { sink })
  if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), envelope.error)
  return envelope.result as T
}

/** Resolves with the job once it reaches one of `states` (from the broadcasts, as a window sees it). */
async function until(id: string, states: JobRecord['state'][], timeoutMs = 10_000): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const seen = broadcasts.filter((b) => b.event === 'jobs.changed' && (b.payload as JobRecord).id === id).map((b) => b.payload as JobRecord)
    const hit = seen.find((job) => states.includes(job.state))
    if (hit) return hit
    if (Date.now() > deadline) throw new Error(`job ${id} never became ${states.join('/')}; saw ${seen.map((job) => job.state).join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const generate = (overrides: Record<string, unknown> = {}): Promise<ImageBatch> =>
  call<ImageBatch>('images.generate', { prompt: 'A lighthouse at dusk', models: ['flux'], size: '16:9', seed: 42, endpoint: 'imagine', count: 1, source: 'studio', ...overrides })

/** Every file under media/images, media/thumbs and media/previews: what a failed job must not leave. */
const filesOnDisk = (): string[] => ['images', 'thumbs', 'previews'].flatMap((folder) => tree(join(dir, MEDIA_DIR, folder)))

describe('images.generate', () => {
  it('makes three images of one prompt, waits out a 429 on its own, and keeps each with its settings', async () => {
    fake.inject({ kind: 'http-error', status: 429, shape: 'openai', message: 'Rate limit exceeded (1 request(s) per minute).', retryAfter: '1' }, { path: '/imagine', times: 1 })
    const batch = await generate({ count: 3 })
    expect(batch.jobs).toHaveLength(3)
    expect(batch.jobs.map((job) => job.input.seed)).toEqual([42, 43, 44])

    const first = await until(batch.jobs[0]!.id, ['waiting'])
    expect(first.detail).toMatch(/Rate limit exceeded/)
    const paused = broadcasts.filter((b) => b.event === 'jobs.queue').map((b) => b.payload as QueueState).find((queue) => queue.pausedUntil !== null)
    expect(paused).toMatchObject({ queue: 'imagine', pauseReason: expect.stringMatching(/Rate limit/) })

    const done = await Promise.all(batch.jobs.map((job) => until(job.id, ['saved', 'failed'])))
    expect(done.map((job) => job.state)).toEqual(['saved', 'saved', 'saved'])
    const items = done.map((job) => services.library.get(job.result!.mediaId!))
    expect(items.map((item) => item.settings)).toEqual([42, 43, 44].map((seed) => expect.objectContaining({ prompt: 'A lighthouse at dusk', model: 'flux', size: '16:9', seed, endpoint: 'imagine' })))
    for (const item of items) {
      expect(item.path).toMatch(/^images\/\d{4}\/\d{2}\/[\w-]+\.png$/)
      const bytes = readFileSync(join(dir, MEDIA_DIR, item.path))
      expect(bytes.subarray(1, 4).toString()).toBe('PNG')
      // The settings travel inside the file, readable by other tools.
      expect(bytes.includes(Buffer.from('parameters'))).toBe(true)
      expect(bytes.includes(Buffer.from('A lighthouse at dusk'))).toBe(true)
    }
    // The key went to the gateway with every request.
    expect(fake.requests.filter((request) => request.path.includes('imagine')).every((request) => request.headers['authorization'] === `Bearer ${KEY}`)).toBe(true)
  }, 20_000)

  it('compares models on one prompt and seed: the same seed, a different picture each', async () => {
    const batch = await generate({ models: ['flux', 'flux-anime'], seed: 7, size: '1:1' })
    const done = await Promise.all(batch.jobs.map((job) => until(job.id, ['saved', 'failed'])))
    expect(done.map((job) => [job.input.model, job.input.seed, job.state])).toEqual([
      ['flux', 7, 'saved'],
      ['flux-anime', 7, 'saved']
    ])
    const [a, b] = done.map((job) => readFileSync(services.library.filePath(job.result!.mediaId!)))
    expect(a!.equals(b!)).toBe(false)
    expect(new Set(done.map((job) => job.groupId))).toEqual(new Set([batch.groupId]))
  })

  it.each([
    ['a web page', { kind: 'raw', contentType: 'text/html', chunks: [{ text: '<html><head><title>Sign in to the hotel Wi-Fi</title></head><body>…</body></html>' }] }, /Sign in to the hotel Wi-Fi/],
    ['JSON', { kind: 'wrong-content-type' }, /Failed to generate/],
    ['a JSON error', { kind: 'http-error', status: 400, shape: 'string', message: 'Invalid prompt' }, /Invalid prompt/]
  ] as const)('fails on %s instead of an image, keeping nothing', async (_name, fault, message) => {
    fake.inject(fault as never, { path: '/imagine', times: 1 })
    const batch = await generate()
    const failed = await until(batch.jobs[0]!.id, ['saved', 'failed'])
    expect(failed).toMatchObject({ state: 'failed', error: { message: expect.stringMatching(message) } })
    expect(services.library.query({}).total).toBe(0)
    expect(filesOnDisk()).toEqual([])
  })

  it('treats the gateway’s rate-limit notice sent as a 200 as a rate limit, not as an image or a failure', async () => {
    fake.inject({ kind: 'raw', contentType: 'text/plain', chunks: [{ text: 'Ratelimit Exceeded!\nPlease join: https://discord.gg/airforce' }] }, { path: '/imagine', times: 1 })
    const batch = await generate()
    const waiting = await until(batch.jobs[0]!.id, ['waiting', 'failed'])
    expect(waiting.state).toBe('waiting')
    await call('jobs.cancel', { id: batch.jobs[0]!.id })
    expect((await until(batch.jobs[0]!.id, ['cancelled'])).state).toBe('cancelled')
  })

  it('shows /image in its conversation: the question at once, the picture when it is saved', async () => {
    const conversation = services.chatStore.createConversation({ model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true })
    const batch = await generate({ source: 'chat', conversationId: conversation.id, size: '1:1' })
    const saved = await until(batch.jobs[0]!.id, ['saved', 'failed'])
    const item = services.library.get(saved.result!.mediaId!)
    const [question, answer] = services.chatStore.getConversation(conversation.id).messages
    expect(question).toMatchObject({ role: 'user', content: '/image A lighthouse at dusk' })
    expect(answer).toMatchObject({ role: 'assistant', status: 'complete', attachments: [{ id: item.id, url: item.url, kind: 'image' }] })
    expect(item.source).toBe('chat')
  })

  it('stops on cancel, leaving no file and no row', async () => {
    fake.inject({ kind: 'slow-first-byte', delayMs: 3_000 }, { path: '/imagine', times: 1 })
    const batch = await generate()
    await until(batch.jobs[0]!.id, ['running'])
    await call('jobs.cancel', { id: batch.jobs[0]!.id })
    expect((await until(batch.jobs[0]!.id, ['cancelled', 'saved'])).state).toBe('cancelled')
    expect(services.library.query({}).total).toBe(0)
    expect(filesOnDisk()).toEqual([])
  })

  it('lists the documented models plus the server’s, and the documented ones alone when the server is down', async () => {
    const listed = await call<{ models: string[]; source: string }>('images.models')
    expect(listed.source).toBe('server')
    expect(listed.models).toEqual(expect.arrayContaining(['flux', 'flux-realism', 'stable-diffusion-xl-base']))
    services.settings.update({ baseUrl: 'http://127.0.0.1:9' })
    const offline = await call<{ models: string[]; source: string }>('images.models')
    expect(offline.source).toBe('fallback')
    expect(offline.models).toContain('flux')
  })
})

describe('vision', () => {
  it('describes a library image with a vision model and keeps the text on the item, where search finds it', async () => {
    const batch = await generate({ size: '1:1' })
    const saved = await until(batch.jobs[0]!.id, ['saved', 'failed'])
    const mediaId = saved.result!.mediaId!
    const job = await call<JobRecord>('vision.describe', { mediaId, model: 'gpt-4o' })
    const described = await until(job.id, ['saved', 'failed'])
    expect(described.state).toBe('saved')
    const text = described.result!.text!
    expect(text.length).toBeGreaterThan(10)
    expect(services.library.get(mediaId).description).toBe(text)
    // The image went to the model as an image part of a chat completion.
    const sent = fake.requests.find((request) => request.path.endsWith('/chat/completions'))
    expect(sent?.body).toContain('image_url')
    const word = text.split(/\W+/).find((candidate) => candidate.length > 5)!
    expect(services.library.query({ search: word }).cards.map((card) => card.id)).toContain(mediaId)
  })

  it('describes with a chat model that can see when the default vision model only serves /images/vision', async () => {
    expect(services.settings.get().defaultModels.vision).toBe('gemini-pro-vision')
    const batch = await generate({ size: '1:1' })
    const saved = await until(batch.jobs[0]!.id, ['saved', 'failed'])
    const job = await call<JobRecord>('vision.describe', { mediaId: saved.result!.mediaId! })
    expect(job.input.model).toBe('gpt-4o')
    expect((await until(job.id, ['saved', 'failed'])).state).toBe('saved')
  })

  it('describes an image from a link through /v1/images/vision', async () => {
    const job = await call<JobRecord>('vision.describeUrl', { url: 'https://example.com/cat.png', model: 'gpt-4o-mini' })
    const done = await until(job.id, ['saved', 'failed'])
    expect(done).toMatchObject({ state: 'saved', result: { text: expect.stringContaining('gpt-4o-mini') } })
  })

  it('previews a remote image from a local file, never sending the key to its host, and keeps it on request', async () => {
    const url = `${elsewhere.url}/imagine?prompt=cat&seed=3`
    const preview = await call<RemotePreview>('vision.preview', { url })
    expect(preview).toMatchObject({ url: expect.stringMatching(/^\/media\/previews\/[\w-]+\.png$/), mime: 'image/png', sourceUrl: url })
    expect(existsSync(join(dir, MEDIA_DIR, preview.url.slice('/media/'.length)))).toBe(true)
    expect(elsewhere.requests.map((request) => request.headers['authorization'])).toEqual([undefined])

    const kept = await call<MediaItem>('vision.keepPreview', { previewId: preview.previewId, description: 'A cat, in pixels.' })
    expect(kept).toMatchObject({ kind: 'image', source: 'import', description: 'A cat, in pixels.' })
    expect(existsSync(join(dir, MEDIA_DIR, preview.url.slice('/media/'.length)))).toBe(false)
  })

  it('refuses a link that is not an image, keeping nothing', async () => {
    const error = await call('vision.preview', { url: `${elsewhere.url}/v1/models` }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'bad_response' })
    expect(filesOnDisk()).toEqual([])
  })
})
