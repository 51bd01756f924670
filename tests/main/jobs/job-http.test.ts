/**
 * The job runner with a kind that makes real requests through HttpClient to
 * the fake gateway over loopback: the server's 429 (Retry-After, or the wait
 * its message names) pauses the queue for that long, and a cancel stops the
 * request itself. The runner's clock is a ManualClock; the HTTP is real.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { HttpClient } from '../../../src/main/services/http/client'
import type { JobKind, JobRunner } from '../../../src/main/services/jobs/job-runner'
import { startFakeApi, type FakeApi } from '../../fake-api/server'
import { ManualClock, harness, untilState, type Harness } from './support'

let fake: FakeApi
beforeAll(async () => {
  fake = await startFakeApi()
})
afterAll(async () => {
  await fake.close()
})

let h: Harness
let http: HttpClient
let clock: ManualClock
let runner: JobRunner

/** Lists the server's models: one GET, given the job's signal, as every kind's request should be. */
const listModels = (queue: string): JobKind<{ queue: string }> => ({
  kind: `test.models.${queue}`,
  queue: () => queue,
  async run(job) {
    const body = await http.json<{ data: unknown[] }>({ path: '/v1/models', signal: job.signal })
    return { text: `${body.data.length} models` }
  }
})

beforeEach(() => {
  fake.clearFaults()
  h = harness()
  http = new HttpClient(() => ({
    baseUrl: fake.url,
    apiKey: 'sk-test',
    timeouts: { connectMs: 2_000, headersMs: 10_000, idleMs: 10_000 },
    proxy: { mode: 'none', url: '' }
  }))
  clock = new ManualClock(Date.now())
  runner = h.runner({ now: clock.now, timers: clock })
  runner.define(listModels('imagine'))
  runner.define(listModels('vision'))
  runner.start()
})

afterEach(async () => {
  await h.dispose()
  await http.close()
})

describe('jobs against the gateway', () => {
  it('a 429 with Retry-After pauses that queue for as long, other queues run, then the job succeeds on its own', async () => {
    // Longer than HttpClient sits through itself, so the 429 reaches the runner at once.
    fake.inject({ kind: 'http-error', status: 429, shape: 'openai', message: 'Rate limit exceeded for this key.', retryAfter: '120' }, { path: '/models' })
    const start = clock.time
    const job = runner.enqueue('test.models.imagine', { queue: 'imagine' })
    const waiting = await untilState(runner, job.id, 'waiting')
    expect(waiting).toMatchObject({ runAt: start + 120_000, detail: 'Rate limit exceeded for this key.', error: null })
    expect(runner.queues()).toEqual([
      { queue: 'imagine', concurrency: 1, running: 0, queued: 1, pausedUntil: start + 120_000, pauseReason: 'Rate limit exceeded for this key.' }
    ])

    const other = runner.enqueue('test.models.vision', { queue: 'vision' })
    expect((await untilState(runner, other.id, 'saved')).result?.text).toMatch(/^\d+ models$/)

    await clock.advance(119_000)
    expect(runner.get(job.id).state).toBe('waiting')
    await clock.advance(1_000)
    const saved = await untilState(runner, job.id, 'saved')
    expect(saved).toMatchObject({ attempts: 1, error: null })
    expect(runner.queues()).toEqual([])
  })

  it('a 429 whose message names the wait ("Try again in 90 seconds") pauses for that long', async () => {
    fake.inject({ kind: 'http-error', status: 429, shape: 'string', message: 'Too many requests. Try again in 90 seconds.' }, { path: '/models' })
    const start = clock.time
    const job = runner.enqueue('test.models.imagine', { queue: 'imagine' })
    expect(await untilState(runner, job.id, 'waiting')).toMatchObject({ runAt: start + 90_000 })
    expect(runner.queues()[0]).toMatchObject({ pausedUntil: start + 90_000, pauseReason: 'Too many requests. Try again in 90 seconds.' })
    await clock.advance(90_000)
    await untilState(runner, job.id, 'saved')
  })

  it('a cancel stops the request itself, at once', async () => {
    fake.inject({ kind: 'slow-first-byte', delayMs: 8_000 }, { path: '/models' })
    const seen = fake.requests.length
    const job = runner.enqueue('test.models.imagine', { queue: 'imagine' })
    await untilState(runner, job.id, 'running')
    // In flight at the server, so the cancel has a request to stop.
    await vi.waitFor(() => expect(fake.requests.slice(seen).some((request) => request.path.includes('/models'))).toBe(true), { timeout: 5_000, interval: 5 })
    const started = performance.now()
    expect(runner.cancel(job.id).state).toBe('cancelled')
    // The next job of the queue starts only once the cancelled one has stopped: soon, not after 8 s.
    const next = runner.enqueue('test.models.imagine', { queue: 'imagine' })
    await untilState(runner, next.id, 'saved')
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(runner.get(job.id).state).toBe('cancelled')
  })
})
