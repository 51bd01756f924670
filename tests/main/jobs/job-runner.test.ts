/**
 * The job runner on a real SQLite file: states and events, queues and their
 * concurrency, cancel and retry, polls, progress, and its one timer. Time is
 * a ManualClock, so nothing here sleeps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_RATE_LIMIT_WAITS, PROGRESS_INTERVAL_MS, type JobRunner } from '../../../src/main/services/jobs/job-runner'
import { AppError } from '../../../src/shared/errors'
import { controlledKind, type ControlledKind } from './kinds'
import { EventLog, ManualClock, harness, settle, type Harness } from './support'

let h: Harness
let clock: ManualClock
let work: ControlledKind
let runner: JobRunner
let events: EventLog
let concurrency: number

beforeEach(() => {
  h = harness()
  clock = new ManualClock()
  work = controlledKind()
  concurrency = 1
  runner = h.runner({ now: clock.now, timers: clock, concurrency: () => concurrency })
  runner.define(work.kind)
  events = new EventLog(runner)
  runner.start()
})

afterEach(async () => {
  await h.dispose()
})

const enqueue = (queue: string, extra: { groupId?: string; label?: string } = {}) =>
  runner.enqueue('test.work', { queue, ...(extra.label ? { label: extra.label } : {}) }, { groupId: extra.groupId ?? null })

describe('a job', () => {
  it('runs to saved, and every listener hears each state', async () => {
    const queued = enqueue('imagine', { label: 'a lighthouse' })
    expect(queued).toMatchObject({ kind: 'test.work', queue: 'imagine', state: 'queued', attempts: 1, progress: null, result: null, error: null })
    expect(queued.input).toEqual({ queue: 'imagine', label: 'a lighthouse' })
    await settle()
    expect(runner.get(queued.id).state).toBe('running')
    const run = work.last(queued.id)
    expect(run.job.input).toEqual({ queue: 'imagine', label: 'a lighthouse' })
    expect(run.job.attempts).toBe(1)
    expect(run.job.checkpoint).toBeNull()

    run.done.resolve({ mediaId: 'm1' })
    await settle()
    const saved = runner.get(queued.id)
    expect(saved).toMatchObject({ state: 'saved', result: { mediaId: 'm1' }, progress: 1, error: null, runAt: null })
    expect(events.states(queued.id)).toEqual(['queued', 'running', 'saved'])
    expect(work.settled).toEqual([saved])
    expect(runner.list({ active: true })).toEqual([])
    expect(runner.list()).toEqual([saved])
  })

  it('fails with the error as data, is not run again by itself, and a retry runs it as a new attempt', async () => {
    const job = enqueue('imagine')
    await settle()
    work.last(job.id).done.reject(new AppError('server_error', 'The upstream model failed.', { status: 500 }))
    await settle()
    const failed = runner.get(job.id)
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'server_error', message: 'The upstream model failed.', status: 500 } })
    expect(work.settled.map((settled) => settled.state)).toEqual(['failed'])

    await clock.advance(10 * 60_000)
    expect(work.runsOf(job.id)).toHaveLength(1)

    const retried = runner.retry(job.id)
    expect(retried).toMatchObject({ state: 'queued', attempts: 2, error: null, result: null })
    await settle()
    expect(work.runsOf(job.id)).toHaveLength(2)
    expect(work.last(job.id).job.attempts).toBe(2)
    work.last(job.id).done.resolve({ text: 'A cat on a mat.' })
    await settle()
    expect(runner.get(job.id)).toMatchObject({ state: 'saved', attempts: 2, result: { text: 'A cat on a mat.' } })
    expect(() => runner.retry(job.id)).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringContaining('saved') }))
  })

  it('fails when its kind returns something that is not a result', async () => {
    const job = enqueue('imagine')
    await settle()
    work.last(job.id).done.resolve(undefined as never)
    await settle()
    expect(runner.get(job.id)).toMatchObject({ state: 'failed', error: { code: 'internal', message: expect.stringContaining('without a result') } })
  })

  it('refuses unknown ids and kinds with clear errors', () => {
    expect(() => runner.get('nope')).toThrow(expect.objectContaining({ code: 'not_found' }))
    expect(() => runner.cancel('nope')).toThrow(expect.objectContaining({ code: 'not_found' }))
    expect(() => runner.retry('nope')).toThrow(expect.objectContaining({ code: 'not_found' }))
    expect(() => runner.enqueue('image.unknown', { queue: 'x' })).toThrow(/image\.unknown/)
  })

  it('lists the active jobs, or a group, newest last, at most `limit`', async () => {
    const first = enqueue('imagine', { groupId: 'g1' })
    const second = enqueue('imagine', { groupId: 'g1' })
    const other = enqueue('vision')
    await settle()
    work.last(other.id).done.resolve({ text: 'done' })
    await settle()
    expect(runner.list({ active: true }).map((job) => job.id)).toEqual([first.id, second.id])
    expect(runner.list({ groupId: 'g1' }).map((job) => job.id)).toEqual([first.id, second.id])
    expect(runner.list().map((job) => job.id)).toEqual([first.id, second.id, other.id])
    expect(runner.list({ limit: 1 }).map((job) => job.id)).toEqual([other.id])
  })
})

describe('queues', () => {
  it('run one job of a queue at a time by default, while other queues run beside it', async () => {
    const a1 = enqueue('imagine')
    const a2 = enqueue('imagine')
    const b1 = enqueue('imagine2')
    await settle()
    expect([runner.get(a1.id).state, runner.get(a2.id).state, runner.get(b1.id).state]).toEqual(['running', 'queued', 'running'])
    expect(runner.queues()).toEqual([
      { queue: 'imagine', concurrency: 1, running: 1, queued: 1, pausedUntil: null, pauseReason: null },
      { queue: 'imagine2', concurrency: 1, running: 1, queued: 0, pausedUntil: null, pauseReason: null }
    ])
    expect(events.queue('imagine').at(-1)).toMatchObject({ running: 1, queued: 1 })

    work.last(a1.id).done.resolve({ mediaId: 'm1' })
    await settle()
    expect(runner.get(a2.id).state).toBe('running')
    work.last(a2.id).done.resolve({ mediaId: 'm2' })
    work.last(b1.id).done.resolve({ mediaId: 'm3' })
    await settle()
    expect(runner.queues()).toEqual([])
    // The windows hear once that a queue is empty.
    expect(events.queue('imagine').at(-1)).toMatchObject({ running: 0, queued: 0 })
  })

  it('read the concurrency setting each time a job would start', async () => {
    const jobs = Array.from({ length: 6 }, () => enqueue('imagine'))
    await settle()
    expect(jobs.map((job) => runner.get(job.id).state).filter((state) => state === 'running')).toHaveLength(1)

    concurrency = 3
    runner.wake()
    await settle()
    expect(jobs.map((job) => runner.get(job.id).state)).toEqual(['running', 'running', 'running', 'queued', 'queued', 'queued'])
    expect(events.queue('imagine').at(-1)).toMatchObject({ concurrency: 3, running: 3, queued: 3 })

    // Out of range is held to 1..4.
    concurrency = 99
    runner.wake()
    await settle()
    expect(runner.queues()[0]).toMatchObject({ concurrency: 4, running: 4 })
  })
})

describe('cancel', () => {
  it('a queued job: it never runs and is settled at once', async () => {
    const a1 = enqueue('imagine')
    const a2 = enqueue('imagine')
    await settle()
    expect(runner.cancel(a2.id)).toMatchObject({ state: 'cancelled' })
    expect(work.settled.map((job) => [job.id, job.state])).toEqual([[a2.id, 'cancelled']])
    work.last(a1.id).done.resolve({ mediaId: 'm1' })
    await settle()
    expect(work.runsOf(a2.id)).toEqual([])
    expect(runner.get(a2.id).state).toBe('cancelled')
  })

  it('a running job: its signal aborts, it shows cancelled at once, and the next starts once it has stopped', async () => {
    const lingering = controlledKind({ name: 'test.lingering', stopOnAbort: false })
    const h2 = harness()
    const r = h2.runner({ now: clock.now, timers: clock })
    r.define(lingering.kind)
    r.start()
    try {
      const a1 = r.enqueue('test.lingering', { queue: 'imagine' })
      const a2 = r.enqueue('test.lingering', { queue: 'imagine' })
      await settle()
      const run = lingering.last(a1.id)
      expect(r.cancel(a1.id)).toMatchObject({ state: 'cancelled' })
      expect(run.job.signal.aborted).toBe(true)
      expect(run.job.signal.reason).toMatchObject({ code: 'aborted' })
      await settle()
      // Still winding down: its place is not given away yet, and it is not settled yet.
      expect(r.get(a2.id).state).toBe('queued')
      expect(lingering.settled).toEqual([])
      run.done.reject(run.job.signal.reason)
      await settle()
      expect(r.get(a1.id).state).toBe('cancelled')
      expect(lingering.settled.map((job) => [job.id, job.state])).toEqual([[a1.id, 'cancelled']])
      expect(r.get(a2.id).state).toBe('running')
      lingering.last(a2.id).done.resolve({ mediaId: 'm2' })
      await settle()
    } finally {
      await h2.dispose()
    }
  })

  it('a run that still finishes after the cancel is recorded as saved, since its file exists', async () => {
    const lingering = controlledKind({ name: 'test.lingering', stopOnAbort: false })
    const h2 = harness()
    const r = h2.runner({ now: clock.now, timers: clock })
    r.define(lingering.kind)
    r.start()
    try {
      const job = r.enqueue('test.lingering', { queue: 'imagine' })
      await settle()
      r.cancel(job.id)
      lingering.last(job.id).done.resolve({ mediaId: 'm1' })
      await settle()
      expect(r.get(job.id)).toMatchObject({ state: 'saved', result: { mediaId: 'm1' } })
      expect(lingering.settled.map((settled) => settled.state)).toEqual(['saved'])
    } finally {
      await h2.dispose()
    }
  })

  it('all: every unfinished job of one queue, or of every queue', async () => {
    const a = [enqueue('imagine'), enqueue('imagine'), enqueue('imagine')]
    const b = [enqueue('vision'), enqueue('vision')]
    await settle()
    const done = enqueue('chat')
    await settle()
    work.last(done.id).done.resolve({ text: 'ok' })
    await settle()

    expect(runner.cancelAll('imagine')).toEqual({ cancelled: 3 })
    await settle()
    expect(a.map((job) => runner.get(job.id).state)).toEqual(['cancelled', 'cancelled', 'cancelled'])
    expect(work.last(a[0]!.id).job.signal.aborted).toBe(true)
    expect(runner.get(b[0]!.id).state).toBe('running')

    expect(runner.cancelAll()).toEqual({ cancelled: 2 })
    await settle()
    expect(b.map((job) => runner.get(job.id).state)).toEqual(['cancelled', 'cancelled'])
    expect(runner.get(done.id).state).toBe('saved')
    expect(runner.list({ active: true })).toEqual([])
    expect(runner.queues()).toEqual([])

    // A cancelled job can be run again.
    expect(runner.retry(a[1]!.id)).toMatchObject({ state: 'queued', attempts: 2 })
    await settle()
    expect(runner.get(a[1]!.id).state).toBe('running')
  })
})

describe('progress', () => {
  it('reaches the windows at most every 100 ms, the latest value always, and state changes at once', async () => {
    const job = enqueue('imagine')
    await settle()
    const run = work.last(job.id)
    const progressEvents = () => events.of(job.id).filter((record) => record.state === 'running').slice(1)

    // Right after the start: held back, then sent once, with the latest value and line.
    run.job.progress(0.1, 'part 1 of 5')
    run.job.progress(0.2)
    run.job.progress(0.3, 'part 2 of 5')
    expect(progressEvents()).toEqual([])
    await clock.advance(PROGRESS_INTERVAL_MS)
    expect(progressEvents().map((record) => [record.progress, record.detail])).toEqual([[0.3, 'part 2 of 5']])

    // A quiet spell, then a report goes at once; `undefined` keeps the line.
    await clock.advance(PROGRESS_INTERVAL_MS)
    run.job.progress(0.5)
    expect(progressEvents().map((record) => [record.progress, record.detail])).toEqual([
      [0.3, 'part 2 of 5'],
      [0.5, 'part 2 of 5']
    ])

    // A burst of a thousand reports within one interval is one event.
    for (let i = 0; i < 1000; i++) run.job.progress(0.5 + i / 4000)
    await clock.advance(PROGRESS_INTERVAL_MS)
    expect(progressEvents()).toHaveLength(3)
    expect(runner.get(job.id).progress).toBeCloseTo(0.5 + 999 / 4000)

    // The end is never held back; progress out of range is clamped, nonsense is null.
    run.job.progress(7)
    expect(progressEvents()).toHaveLength(3)
    run.done.resolve({ mediaId: 'm1' })
    await settle()
    expect(runner.get(job.id).state).toBe('saved')
    expect(events.of(job.id).at(-1)?.state).toBe('saved')
    // The one timer, never one per job or per report.
    expect(clock.maxPending).toBe(1)
  })
})

describe('later (polls)', () => {
  it('runs the job again after the delay, keeps its checkpoint and progress, and frees its place meanwhile', async () => {
    const poll = enqueue('suno')
    const other = enqueue('suno')
    await settle()
    const first = work.last(poll.id)
    first.job.setCheckpoint({ taskId: 't-1' })
    first.job.progress(0.25)
    first.done.resolve(first.job.later(5_000, { detail: 'Composing…' }))
    await settle()
    expect(runner.get(poll.id)).toMatchObject({ state: 'queued', runAt: clock.time + 5_000, detail: 'Composing…', progress: 0.25 })
    // Its place went to the next job while it waits.
    expect(runner.get(other.id).state).toBe('running')
    work.last(other.id).done.resolve({ mediaId: 'm2' })
    await settle()

    await clock.advance(4_999)
    expect(work.runsOf(poll.id)).toHaveLength(1)
    await clock.advance(1)
    expect(work.runsOf(poll.id)).toHaveLength(2)
    const second = work.last(poll.id)
    expect(second.job.checkpoint).toEqual({ taskId: 't-1' })
    expect(second.job.attempts).toBe(1)
    second.done.resolve(second.job.later(1_000, { checkpoint: { taskId: 't-1', polls: 2 } }))
    await settle()
    await clock.advance(1_000)
    const third = work.last(poll.id)
    expect(third.job.checkpoint).toEqual({ taskId: 't-1', polls: 2 })
    third.done.resolve({ mediaId: 'song-1' })
    await settle()
    expect(runner.get(poll.id)).toMatchObject({ state: 'saved', attempts: 1, result: { mediaId: 'song-1' } })
    expect(work.settled.filter((job) => job.id === poll.id)).toHaveLength(1)
  })

  it('one timer serves fifty jobs waiting for fifty different times', async () => {
    concurrency = 4
    const jobs = Array.from({ length: 50 }, (_, i) => enqueue(`queue-${i % 5}`, { label: String(i) }))
    // Each job polls once, at its own time (up to about 50 s), then finishes. The
    // first half asks for ever earlier times, so the timer is moved earlier each time.
    const delays = jobs.map((_, i) => (i < 25 ? 50_000 - i * 1_000 : 1_000 + ((i * 7_919) % 50) * 1_000 + i))
    const answer = async (): Promise<void> => {
      for (const [i, job] of jobs.entries()) {
        const runs = work.runsOf(job.id)
        const run = runs.at(-1)
        if (!run || runner.get(job.id).state !== 'running') continue
        run.done.resolve(runs.length === 1 ? run.job.later(delays[i]!) : { mediaId: `m${i}` })
      }
      await settle()
    }
    for (let round = 0; round < 20; round++) await answer()
    expect(jobs.every((job) => runner.get(job.id).state === 'queued')).toBe(true)
    expect(clock.pending).toBe(1)
    expect(clock.nextAt).toBe(Math.min(...jobs.map((job) => runner.get(job.id).runAt!)))

    for (let step = 0; step < 60 && !jobs.every((job) => runner.get(job.id).state === 'saved'); step++) {
      await clock.advance(1_000)
      await answer()
    }
    expect(jobs.map((job) => runner.get(job.id).state)).toEqual(jobs.map(() => 'saved'))
    expect(clock.maxPending).toBe(1)
    // About one wake per distinct time, not a loop: each wake sets the timer once.
    expect(clock.setTimeoutCalls).toBeLessThanOrEqual(60)
    expect(clock.pending).toBe(0)
  })
})

describe('rate limits', () => {
  it('pause only their queue with a countdown and its reason, then the queue resumes on its own', async () => {
    const a1 = enqueue('imagine')
    const a2 = enqueue('imagine')
    const b1 = enqueue('vision')
    await settle()
    const start = clock.time
    work.last(a1.id).done.reject(new AppError('rate_limited', 'Too many requests, slow down.', { status: 429, retryAfterMs: 30_000 }))
    await settle()

    const until = start + 30_000
    expect(runner.get(a1.id)).toMatchObject({ state: 'waiting', runAt: until, detail: 'Too many requests, slow down.', attempts: 1, error: null })
    expect(runner.get(a2.id)).toMatchObject({ state: 'waiting', runAt: until })
    // The windows were told, to show the countdown on each job.
    expect(events.of(a1.id).at(-1)).toMatchObject({ state: 'waiting', runAt: until, detail: 'Too many requests, slow down.' })
    expect(events.of(a2.id).at(-1)).toMatchObject({ state: 'waiting', runAt: until })
    expect(runner.queues().find((queue) => queue.queue === 'imagine')).toEqual({
      queue: 'imagine',
      concurrency: 1,
      running: 0,
      queued: 2,
      pausedUntil: until,
      pauseReason: 'Too many requests, slow down.'
    })
    expect(events.queue('imagine').at(-1)).toMatchObject({ pausedUntil: until, pauseReason: 'Too many requests, slow down.' })
    // The rate-limited run did not count as a failure.
    expect(work.settled).toEqual([])

    // Other queues keep running.
    expect(runner.get(b1.id).state).toBe('running')
    work.last(b1.id).done.resolve({ text: 'a dog' })
    const b2 = enqueue('vision')
    await settle()
    expect(runner.get(b2.id).state).toBe('running')

    // A job added to the paused queue waits for the same end.
    const a3 = enqueue('imagine')
    expect(a3).toMatchObject({ state: 'waiting', runAt: until })

    await clock.advance(29_999)
    expect(work.runsOf(a1.id)).toHaveLength(1)
    await clock.advance(1)
    expect(work.runsOf(a1.id)).toHaveLength(2)
    expect(runner.get(a1.id)).toMatchObject({ state: 'running', attempts: 1 })
    expect(runner.get(a2.id)).toMatchObject({ state: 'queued', runAt: null, detail: null })
    expect(events.queue('imagine').at(-1)).toMatchObject({ pausedUntil: null, pauseReason: null, running: 1, queued: 2 })
    work.last(a1.id).done.resolve({ mediaId: 'm1' })
    await settle()
    expect(runner.get(a1.id).state).toBe('saved')
    expect(runner.get(a2.id).state).toBe('running')
  })

  it('without a wait given, pause the queue for a minute', async () => {
    const job = enqueue('imagine')
    await settle()
    const start = clock.time
    work.last(job.id).done.reject(new AppError('rate_limited', "The server's rate limit was reached: Ratelimit Exceeded!"))
    await settle()
    expect(runner.queues()[0]).toMatchObject({ pausedUntil: start + 60_000 })
    await clock.advance(59_999)
    expect(runner.get(job.id).state).toBe('waiting')
    await clock.advance(1)
    expect(runner.get(job.id).state).toBe('running')
  })

  it('are waited out ten times, then the job fails saying so', async () => {
    const job = enqueue('imagine')
    await settle()
    for (let wait = 1; wait <= MAX_RATE_LIMIT_WAITS; wait++) {
      work.last(job.id).done.reject(new AppError('rate_limited', 'Slow down.', { status: 429, retryAfterMs: 2_000 }))
      await settle()
      expect(runner.get(job.id).state).toBe('waiting')
      await clock.advance(2_000)
    }
    expect(work.runsOf(job.id)).toHaveLength(MAX_RATE_LIMIT_WAITS + 1)
    work.last(job.id).done.reject(new AppError('rate_limited', 'Slow down.', { status: 429, retryAfterMs: 2_000 }))
    await settle()
    expect(runner.get(job.id)).toMatchObject({
      state: 'failed',
      error: { code: 'rate_limited', status: 429, message: `Gave up after ${MAX_RATE_LIMIT_WAITS} waits for the rate limit. The server last said: Slow down.` }
    })
    expect(runner.queues()).toEqual([])
    // A retry starts counting again.
    runner.retry(job.id)
    await settle()
    work.last(job.id).done.reject(new AppError('rate_limited', 'Slow down.', { retryAfterMs: 2_000 }))
    await settle()
    expect(runner.get(job.id).state).toBe('waiting')
  })
})
