/**
 * Jobs across a restart, on one real SQLite file: a runner is closed (or
 * simply abandoned, as in a crash) mid-job, and a new runner on a new
 * connection to the same file resumes or fails what it left, saying why.
 */
import type { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src/main/services/db/connection'
import {
  CLOSE_GRACE_MS,
  CLOSED_BEFORE_RUNNING,
  CLOSED_WHILE_RUNNING,
  JobRunner,
  RESUMED_DETAIL,
  type JobKind
} from '../../../src/main/services/jobs/job-runner'
import { AppError } from '../../../src/shared/errors'
import { controlledKind, type TestInput } from './kinds'
import { EventLog, ManualClock, harness, settle, untilState, type Harness } from './support'

let h: Harness
/** The connections the "next start" opened. */
const connections: DatabaseSync[] = []
const laterRunners: JobRunner[] = []

beforeEach(() => {
  h = harness()
})

afterEach(async () => {
  for (const runner of laterRunners.splice(0)) await runner.close()
  for (const db of connections.splice(0)) db.close()
  await h.dispose()
})

/** The app started again: a new connection to the same file and a new runner on it. */
function nextStart(options: Partial<ConstructorParameters<typeof JobRunner>[0]> = {}): JobRunner {
  const db = openDatabase(h.file)
  connections.push(db)
  const runner = new JobRunner({ db, logger: h.logger, concurrency: () => 1, ...options })
  laterRunners.push(runner)
  return runner
}

describe('after a restart', () => {
  it('a job the quit stopped is not failed: the next start runs it again, from its checkpoint', async () => {
    const before = controlledKind()
    const first = h.runner()
    first.define(before.kind)
    const events = new EventLog(first)
    first.start()
    const job = first.enqueue('test.work', { queue: 'imagine' })
    await untilState(first, job.id, 'running')
    before.last(job.id).job.setCheckpoint({ partsDone: 2 })

    await first.close()
    expect(before.last(job.id).job.signal.aborted).toBe(true)
    expect(first.get(job.id).state).toBe('running')
    expect(events.jobs.map((record) => record.state)).not.toContain('failed')
    expect(before.settled).toEqual([])

    const after = controlledKind()
    const second = nextStart()
    second.define(after.kind)
    const seen = new EventLog(second)
    second.start()
    expect(second.get(job.id)).toMatchObject({ state: 'queued', detail: RESUMED_DETAIL, attempts: 1 })
    await untilState(second, job.id, 'running')
    const run = after.last(job.id)
    expect(run.job.checkpoint).toEqual({ partsDone: 2 })
    run.done.resolve({ mediaId: 'm1' })
    await untilState(second, job.id, 'saved')
    expect(seen.states(job.id)).toEqual(['queued', 'running', 'saved'])
  })

  it('a kind that cannot resume fails what was running or queued, with the reason, and is told', async () => {
    const before = controlledKind({ name: 'test.once', onRestart: 'fail' })
    const first = h.runner()
    first.define(before.kind)
    first.start()
    const running = first.enqueue('test.once', { queue: 'vision' })
    const queued = first.enqueue('test.once', { queue: 'vision' })
    await untilState(first, running.id, 'running')
    await first.close()

    const after = controlledKind({ name: 'test.once', onRestart: 'fail' })
    const second = nextStart()
    second.define(after.kind)
    second.start()
    expect(second.get(running.id)).toMatchObject({ state: 'failed', error: { code: 'aborted', message: CLOSED_WHILE_RUNNING } })
    expect(second.get(queued.id)).toMatchObject({ state: 'failed', error: { code: 'aborted', message: CLOSED_BEFORE_RUNNING } })
    expect(after.settled.map((job) => [job.id, job.state])).toEqual([
      [running.id, 'failed'],
      [queued.id, 'failed']
    ])
    await settle()
    expect(after.runs).toEqual([])
    // The person can still run it again.
    second.retry(queued.id)
    await untilState(second, queued.id, 'running')
  })

  it('a job of a kind this version does not know fails at start, saying so', async () => {
    const first = h.runner()
    first.define(controlledKind({ name: 'test.retired' }).kind)
    first.start()
    const job = first.enqueue('test.retired', { queue: 'old' })
    await first.close()
    expect(first.get(job.id).state).toBe('queued')

    const second = nextStart()
    second.start()
    expect(second.get(job.id)).toMatchObject({ state: 'failed', error: { code: 'internal', message: expect.stringContaining('test.retired') } })
    expect(() => second.retry(job.id)).toThrow(/test\.retired/)
  })

  it('after a crash (no close at all) nothing is lost: the next start runs it again', async () => {
    const before = controlledKind()
    const crashed = h.runner()
    crashed.define(before.kind)
    crashed.start()
    const job = crashed.enqueue('test.work', { queue: 'imagine' })
    const waiting = crashed.enqueue('test.work', { queue: 'imagine' })
    await untilState(crashed, job.id, 'running')

    const after = controlledKind()
    const second = nextStart()
    second.define(after.kind)
    second.start()
    expect(second.list({ active: true }).map((record) => [record.id, record.state])).toEqual([
      [job.id, 'queued'],
      [waiting.id, 'queued']
    ])
    await untilState(second, job.id, 'running')
    after.last(job.id).done.resolve({ mediaId: 'm1' })
    await untilState(second, waiting.id, 'running')
    after.last(waiting.id).done.resolve({ mediaId: 'm2' })
    await untilState(second, waiting.id, 'saved')
  })

  it('a rate-limit pause carries on with its countdown, and a job resumed into that queue waits too', async () => {
    const clock = new ManualClock()
    const before = controlledKind()
    const first = h.runner({ now: clock.now, timers: clock, concurrency: () => 2 })
    first.define(before.kind)
    first.start()
    const limited = first.enqueue('test.work', { queue: 'imagine' })
    const running = first.enqueue('test.work', { queue: 'imagine' })
    await settle()
    const until = clock.time + 30_000
    before.last(limited.id).done.reject(new AppError('rate_limited', 'Try again in 30 seconds.', { status: 429, retryAfterMs: 30_000 }))
    await settle()
    expect(first.get(limited.id).state).toBe('waiting')
    expect(first.get(running.id).state).toBe('running')
    await first.close()

    await clock.advance(10_000)
    const after = controlledKind()
    const second = nextStart({ now: clock.now, timers: clock, concurrency: () => 2 })
    second.define(after.kind)
    second.start()
    await settle()
    expect(second.queues()).toEqual([{ queue: 'imagine', concurrency: 2, running: 0, queued: 2, pausedUntil: until, pauseReason: 'Try again in 30 seconds.' }])
    expect(second.get(running.id)).toMatchObject({ state: 'waiting', runAt: until })
    expect(after.runs).toEqual([])

    await clock.advance(until - clock.time)
    expect(after.runs.map((run) => run.job.id).sort()).toEqual([limited.id, running.id].sort())
    expect(second.queues()[0]).toMatchObject({ pausedUntil: null, running: 2 })
  })

  it(`close waits at most ${CLOSE_GRACE_MS / 1000} s for a job that ignores its signal, and records one that finishes while closing`, async () => {
    const stubborn = controlledKind({ name: 'test.stubborn', stopOnAbort: false })
    // Finishes its work when told to stop (the file was already written, say).
    const quick: JobKind<TestInput> = {
      kind: 'test.quick',
      queue: (input) => input.queue,
      run: (job) => new Promise((resolve) => job.signal.addEventListener('abort', () => resolve({ mediaId: 'written' }), { once: true }))
    }
    const runner = h.runner()
    runner.define(stubborn.kind)
    runner.define(quick)
    runner.start()
    const ignoring = runner.enqueue('test.stubborn', { queue: 'imagine' })
    const finishing = runner.enqueue('test.quick', { queue: 'vision' })
    await untilState(runner, ignoring.id, 'running')
    await untilState(runner, finishing.id, 'running')

    const started = performance.now()
    await runner.close()
    const took = performance.now() - started
    expect(took).toBeGreaterThanOrEqual(CLOSE_GRACE_MS - 50)
    expect(took).toBeLessThan(CLOSE_GRACE_MS + 1_000)
    expect(runner.get(finishing.id)).toMatchObject({ state: 'saved', result: { mediaId: 'written' } })
    expect(runner.get(ignoring.id).state).toBe('running')
    expect(() => runner.enqueue('test.quick', { queue: 'vision' })).toThrow(/closing/)
  })
})
