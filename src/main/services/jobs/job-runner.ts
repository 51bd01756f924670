/**
 * The one job runner of main: every piece of long work (images now; speech
 * parts, song polling and downloads later) is a job kept in SQLite, run in a
 * queue per endpoint with its own concurrency and rate-limit pause, and
 * reported to every window as `jobs.changed` / `jobs.queue` events.
 * Features add a job kind (`define`); they never write their own loops,
 * timers or retry code.
 *
 * Scheduling is event-driven: whatever changes (a job added, one ending, a
 * cancel, the timer) asks for one pass over the queues in a microtask; the
 * pass starts what may start and sets the one timer for the earliest future
 * moment anything is due (a poll, the end of a pause, progress held back).
 *
 * No automatic retry of failures: HttpClient already repeats idempotent
 * requests that failed in transit, and a job that fails anyway shows its error
 * with a retry button (`retry`). Only a rate limit puts a job back by itself,
 * because waiting is the remedy and the server says how long.
 */
import { randomUUID } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'
import type { JobRecord, JobResult, JobState, QueueState } from '../../../shared/contract'
import { AppError, toErrorData, type BridgeErrorData } from '../../../shared/errors'
import { LIMITS } from '../../../shared/limits'
import type { Logger } from '../log'
import { ACTIVE_STATES, JobStore, toRecord, type StoredJob } from './job-store'
import { systemTimers, WakeTimer, type Timers } from './wake-timer'

/** A queue waits this long after a rate limit that did not say how long. */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 60_000
/** Even a server that says "now" gets a second's rest, so ten waits are not spent at once. */
export const MIN_RATE_LIMIT_PAUSE_MS = 1_000
/**
 * A longer wait asked for (a daily quota, say) is cut to this: the queue
 * tries again then, and the person sees it move rather than a day's countdown.
 */
export const MAX_RATE_LIMIT_PAUSE_MS = 60 * 60 * 1000
/** Rate-limit waits one attempt sits through before it fails. */
export const MAX_RATE_LIMIT_WAITS = 10
/** Progress of one job reaches the windows at most this often (state changes always go at once). */
export const PROGRESS_INTERVAL_MS = 100
/** How long `close` waits for stopped jobs to wind down. */
export const CLOSE_GRACE_MS = 2_000
/** The longest `later` a kind may ask for. */
export const MAX_LATER_MS = 24 * 60 * 60 * 1000

export const CLOSED_WHILE_RUNNING = 'The app closed while this was running.'
export const CLOSED_BEFORE_RUNNING = 'The app closed before this could run.'
export const RESUMED_DETAIL = 'The app closed while this was running; it runs again.'
const DETAIL_CHARS = 300
const QUEUE_NAME_CHARS = 40

/** What `job.later()` makes: return it from `run` to be run again after a delay (a poll). */
export class RunAgain {
  readonly delayMs: number
  readonly detail: string | null | undefined
  readonly checkpoint: unknown

  constructor(delayMs: number, detail: string | null | undefined, checkpoint: unknown) {
    this.delayMs = delayMs
    this.detail = detail
    this.checkpoint = checkpoint
  }
}

/** What a running job sees. */
export interface RunningJob<Input> {
  readonly id: string
  readonly input: Input
  /** 1 on the first run; a retry by the person adds one (a poll or a resume does not). */
  readonly attempts: number
  readonly groupId: string | null
  /** What this attempt saved last (`setCheckpoint` or `later`), null on a fresh attempt; survives a restart. */
  readonly checkpoint: unknown
  /** Aborted when the person cancels the job or the app quits. */
  readonly signal: AbortSignal
  /**
   * Reports progress (0 to 1, or null) and a line for the person (undefined
   * keeps the line, null clears it); sent to every window, at most 10 times a second.
   */
  progress(fraction: number | null, detail?: string | null): void
  /**
   * Saves, at once, what a resumed run needs to carry on (a task id, the parts
   * done); any JSON value. A retry starts again without it.
   */
  setCheckpoint(checkpoint: unknown): void
  /**
   * Run this job again in `ms` (a poll): `return job.later(5_000, { detail: 'Composing…' })`.
   * The job goes back to its queue, freeing its place, and keeps its progress.
   */
  later(ms: number, options?: { detail?: string | null; checkpoint?: unknown }): RunAgain
}

/** A kind of job: which queue it waits in and how it runs. */
export interface JobKind<Input> {
  kind: string
  /** The endpoint queue, e.g. `imagine`; each queue has its own concurrency and rate-limit pause. */
  queue(input: Input): string
  /**
   * Does the work and returns what it made, or `job.later(ms)` to be run
   * again. Throw an AppError to fail; a `rate_limited` one pauses the queue
   * (`retryAfterMs`, else a minute) and puts the job back to wait, without
   * counting it as failed. Pass `job.signal` to every request.
   */
  run(job: RunningJob<Input>): Promise<JobResult | RunAgain>
  /** Jobs that were queued or running when the app stopped: run again (default) or fail with the reason. */
  onRestart?: 'resume' | 'fail'
  /** Told once a job ends for good (saved, failed or cancelled), e.g. to update a chat message. */
  onSettled?(job: JobRecord): void
}

export interface JobRunnerOptions {
  db: DatabaseSync
  logger: Logger
  /** How many jobs of one queue run at once (a setting; read each time a job starts). */
  concurrency: () => number
  now?: () => number
  /** The one timer's setTimeout and clearTimeout (tests count and drive them). */
  timers?: Timers
  newId?: () => string
}

type AnyKind = JobKind<Record<string, unknown>>

interface Pause {
  until: number
  reason: string
}

/** A job whose `run` has not returned yet. */
interface Running {
  id: string
  attempts: number
  queue: string
  /** The rate-limit waits of this attempt so far. */
  rateLimitWaits: number
  controller: AbortController
  /** Why it was told to stop, if it was. */
  stop: 'cancel' | 'close' | null
  /** When progress was last sent to the windows. */
  lastSentAt: number
  /** Progress reported since then, held back by the throttle. */
  pending: { progress: number | null; detail: string | null | undefined } | null
  settled: Promise<void>
}

type Outcome = { result: unknown } | { later: RunAgain } | { error: unknown }

export class JobRunner {
  readonly #store: JobStore
  readonly #logger: Logger
  readonly #concurrency: () => number
  readonly #now: () => number
  readonly #newId: () => string
  readonly #timer: WakeTimer
  readonly #kinds = new Map<string, AnyKind>()
  readonly #running = new Map<string, Running>()
  readonly #pauses = new Map<string, Pause>()
  readonly #jobListeners = new Set<(job: JobRecord) => void>()
  readonly #queueListeners = new Set<(queue: QueueState) => void>()
  /** Queues whose counts or pause may have changed since the last pass. */
  readonly #dirtyQueues = new Set<string>()
  /** What each window was last told about each queue (to send changes only). */
  readonly #sentQueues = new Map<string, string>()
  #passAsked = false
  #started = false
  #closing: Promise<void> | null = null
  /** The database may be closed: nothing more is written. */
  #closed = false

  constructor(options: JobRunnerOptions) {
    this.#store = new JobStore(options.db)
    this.#logger = options.logger
    this.#concurrency = options.concurrency
    this.#now = options.now ?? Date.now
    this.#newId = options.newId ?? randomUUID
    this.#timer = new WakeTimer(options.timers ?? systemTimers, this.#now, () => this.#pass())
  }

  /**
   * Adds a kind. Define every kind before `start`: it judges the jobs left
   * from the last run, and fails those of a kind it does not know.
   */
  define<Input>(kind: JobKind<Input>): void {
    if (this.#kinds.has(kind.kind)) throw new AppError('internal', `The job kind ${kind.kind} is defined twice.`)
    this.#kinds.set(kind.kind, kind as unknown as AnyKind)
  }

  /** Adds a job to its queue; it starts as soon as the queue allows. */
  enqueue<Input extends Record<string, unknown>>(kind: string, input: Input, options: { groupId?: string | null } = {}): JobRecord {
    if (!this.#started || this.#closing) throw new AppError('internal', this.#closing ? 'The app is closing; no new job can start.' : 'The job runner has not started yet.')
    const definition = this.#kinds.get(kind)
    if (!definition) throw new AppError('internal', `No job kind ${kind} is defined.`)
    const queue = definition.queue(input)
    if (typeof queue !== 'string' || queue.length === 0 || queue.length > QUEUE_NAME_CHARS) {
      throw new AppError('internal', `The job kind ${kind} named an unusable queue (1 to ${QUEUE_NAME_CHARS} characters).`)
    }
    const pause = this.#pauses.get(queue)
    const job = this.#store.insert({
      id: this.#newId(),
      kind,
      queue,
      state: pause ? 'waiting' : 'queued',
      input,
      groupId: options.groupId ?? null,
      runAt: pause?.until ?? null,
      detail: pause?.reason ?? null,
      now: this.#now()
    })
    this.#changed(job)
    return toRecord(job)
  }

  get(id: string): JobRecord {
    return toRecord(this.#require(id))
  }

  /** Jobs newest last: the active ones (queued, running, waiting), or a group's, or the latest. */
  list(options: { active?: boolean; groupId?: string; limit?: number } = {}): JobRecord[] {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 200), 1), 500)
    return this.#store.list({ ...options, limit }).map(toRecord)
  }

  /** Every queue with jobs not finished, or paused. */
  queues(): QueueState[] {
    const pending = this.#store.pendingCounts()
    const names = new Set([...pending.keys(), ...this.#pauses.keys(), ...[...this.#running.values()].map((entry) => entry.queue)])
    return [...names].sort().map((queue) => this.#queueState(queue, pending.get(queue) ?? 0))
  }

  /** Cancels a job not finished (a running one is told to stop); a finished one is returned as it is. */
  cancel(id: string): JobRecord {
    const job = this.#require(id)
    if (!ACTIVE_STATES.includes(job.state)) return toRecord(job)
    const [cancelled] = this.#cancel([job])
    return toRecord(cancelled ?? this.#require(id))
  }

  /** Cancels every job not finished, of one queue or of all. */
  cancelAll(queue?: string): { cancelled: number } {
    return { cancelled: this.#cancel(this.#store.active(queue)).length }
  }

  /** Runs a failed or cancelled job again, as a new attempt on the same job. */
  retry(id: string): JobRecord {
    const job = this.#require(id)
    if (job.state !== 'failed' && job.state !== 'cancelled') {
      throw new AppError('invalid_argument', `Only a failed or cancelled job can be run again; this one is ${job.state}.`)
    }
    if (!this.#kinds.has(job.kind)) throw new AppError('invalid_argument', unknownKind(job.kind))
    if (this.#closing) throw new AppError('internal', 'The app is closing; no new job can start.')
    const pause = this.#pauses.get(job.queue)
    const retried = this.#store.update(
      { id, attempts: job.attempts, states: ['failed', 'cancelled'] },
      {
        state: pause ? 'waiting' : 'queued',
        attempts: job.attempts + 1,
        rateLimitWaits: 0,
        progress: null,
        detail: pause?.reason ?? null,
        checkpoint: null,
        result: null,
        error: null,
        runAt: pause?.until ?? null,
        finishedAt: null
      },
      this.#now()
    )
    if (!retried) return this.get(id)
    this.#changed(retried)
    return toRecord(retried)
  }

  onJobChange(listener: (job: JobRecord) => void): () => void {
    this.#jobListeners.add(listener)
    return () => this.#jobListeners.delete(listener)
  }

  onQueueChange(listener: (queue: QueueState) => void): () => void {
    this.#queueListeners.add(listener)
    return () => this.#queueListeners.delete(listener)
  }

  /** Looks at the queues again now, e.g. after the concurrency setting changed. */
  wake(): void {
    for (const queue of this.#sentQueues.keys()) this.#dirtyQueues.add(queue)
    this.#askForPass()
  }

  /** Resumes (or fails, per kind) what was queued or running when the app last stopped; call once every kind is defined. */
  start(): void {
    if (this.#started) throw new AppError('internal', 'The job runner has already started.')
    this.#started = true
    const now = this.#now()
    const changed: StoredJob[] = []
    const ended: StoredJob[] = []
    this.#store.transaction(() => {
      for (const job of this.#store.active()) {
        const kind = this.#kinds.get(job.kind)
        const guard = { id: job.id, attempts: job.attempts, states: ACTIVE_STATES }
        if (!kind || kind.onRestart === 'fail') {
          const error = kind
            ? new AppError('aborted', job.state === 'running' ? CLOSED_WHILE_RUNNING : CLOSED_BEFORE_RUNNING)
            : new AppError('internal', unknownKind(job.kind))
          const failed = this.#store.update(guard, { state: 'failed', error: error.toData(), runAt: null, finishedAt: now }, now)
          if (failed) {
            changed.push(failed)
            if (kind) ended.push(failed)
          }
        } else if (job.state === 'running') {
          const requeued = this.#store.update(guard, { state: 'queued', runAt: null, detail: RESUMED_DETAIL }, now)
          if (requeued) changed.push(requeued)
        }
      }
    })
    for (const job of changed) this.#changed(job)
    // Pauses carry on where they were, for the jobs resumed too; one that has ended is lifted by the first pass.
    for (const pause of this.#store.pausesOnRecord()) {
      const reason = pause.reason ?? rateLimitReason(undefined)
      if (pause.until > now) this.#pause(pause.queue, pause.until, reason, now)
      else this.#pauses.set(pause.queue, { until: pause.until, reason })
    }
    for (const job of ended) this.#tellSettled(job)
    this.#askForPass()
  }

  /**
   * Stops every running job and the timer. Stopped jobs are not marked failed:
   * the next start resumes them (or fails them, per kind). Waits for them to
   * wind down, at most CLOSE_GRACE_MS.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#timer.stop()
      const settling = [...this.#running.values()].map((entry) => {
        entry.stop ??= 'close'
        entry.controller.abort(new AppError('aborted', 'The app is closing.'))
        return entry.settled
      })
      let grace: ReturnType<typeof setTimeout> | undefined
      await Promise.race([Promise.allSettled(settling), new Promise((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS)))])
      clearTimeout(grace)
      this.#closed = true
    })()
    return this.#closing
  }

  // ------------------------------------------------------------ scheduling

  #askForPass(): void {
    if (this.#passAsked) return
    this.#passAsked = true
    queueMicrotask(() => this.#pass())
  }

  /** One look at every queue: lift ended pauses, send held progress, start what may start, set the timer. */
  #pass(): void {
    this.#passAsked = false
    if (!this.#started || this.#closing) return
    const now = this.#now()
    try {
      for (const [queue, pause] of this.#pauses) if (pause.until <= now) this.#release(queue, now)
      for (const entry of this.#running.values()) {
        if (entry.pending && entry.lastSentAt + PROGRESS_INTERVAL_MS <= now) this.#sendProgress(entry, now)
      }
      const limit = this.#limit()
      for (const queue of this.#store.queuesWithDueJobs(now)) {
        if (this.#pauses.has(queue)) continue
        let free = limit - this.#runningIn(queue)
        if (free <= 0) continue
        // A job still winding down from an earlier attempt waits for it; ask for a few more to skip it.
        for (const job of this.#store.due(queue, now, free + this.#running.size)) {
          if (free <= 0) break
          if (this.#running.has(job.id)) continue
          if (this.#begin(job, now)) free--
        }
      }
    } catch (error) {
      this.#logger.error('The job runner could not look at its queues:', error)
    }
    this.#sendQueues()
    this.#arm(now)
  }

  /** Sets the one timer for the earliest moment something is due. */
  #arm(now: number): void {
    let due = this.#store.nextRunAfter(now)
    for (const pause of this.#pauses.values()) due = earliest(due, pause.until)
    for (const entry of this.#running.values()) if (entry.pending) due = earliest(due, entry.lastSentAt + PROGRESS_INTERVAL_MS)
    this.#timer.set(due)
  }

  #limit(): number {
    let value: number
    try {
      value = this.#concurrency()
    } catch (error) {
      this.#logger.warn('The job concurrency setting could not be read; using 1:', error)
      return 1
    }
    return Number.isFinite(value) ? Math.min(Math.max(Math.trunc(value), 1), LIMITS.queueConcurrency) : 1
  }

  #runningIn(queue: string): number {
    let count = 0
    for (const entry of this.#running.values()) if (entry.queue === queue) count++
    return count
  }

  // ------------------------------------------------------------ one run

  /** Starts a queued job; false when it cannot (it changed meanwhile). */
  #begin(queued: StoredJob, now: number): boolean {
    const kind = this.#kinds.get(queued.kind)
    if (!kind) {
      const failed = this.#store.update(
        { id: queued.id, attempts: queued.attempts, states: ['queued'] },
        { state: 'failed', error: new AppError('internal', unknownKind(queued.kind)).toData(), finishedAt: now },
        now
      )
      if (failed) this.#changed(failed)
      return false
    }
    const job = this.#store.update({ id: queued.id, attempts: queued.attempts, states: ['queued'] }, { state: 'running', runAt: null }, now)
    if (!job) return false
    const entry: Running = {
      id: job.id,
      attempts: job.attempts,
      queue: job.queue,
      rateLimitWaits: job.rateLimitWaits,
      controller: new AbortController(),
      stop: null,
      lastSentAt: now,
      pending: null,
      settled: Promise.resolve()
    }
    this.#running.set(job.id, entry)
    this.#changed(job)
    entry.settled = this.#execute(entry, kind, job)
    return true
  }

  async #execute(entry: Running, kind: AnyKind, job: StoredJob): Promise<void> {
    let outcome: Outcome
    try {
      // The kind's code starts after this pass, never inside it.
      await null
      const value = await kind.run(this.#runningJob(entry, job))
      outcome = value instanceof RunAgain ? { later: value } : { result: value }
    } catch (error) {
      outcome = { error }
    }
    this.#running.delete(entry.id)
    this.#dirtyQueues.add(entry.queue)
    // After close the database may be gone: what was left running resumes at the next start.
    if (this.#closed) return
    try {
      this.#settle(entry, kind, outcome)
    } catch (error) {
      this.#logger.error(`The job ${entry.id} (${kind.kind}) could not be recorded:`, error)
    }
    this.#askForPass()
  }

  #runningJob(entry: Running, job: StoredJob): RunningJob<Record<string, unknown>> {
    return {
      id: job.id,
      input: job.input,
      attempts: job.attempts,
      groupId: job.groupId,
      checkpoint: job.checkpoint,
      signal: entry.controller.signal,
      progress: (fraction, detail) => this.#progress(entry, fraction, detail),
      setCheckpoint: (checkpoint) => {
        if (entry.stop || this.#closed) return
        this.#store.update({ id: entry.id, attempts: entry.attempts, states: ['running'] }, { checkpoint: checkpoint ?? null }, this.#now())
      },
      later: (ms, options = {}) => {
        if (!Number.isFinite(ms) || ms < 0) throw new AppError('internal', `A job asked to run again after ${ms} ms.`)
        return new RunAgain(Math.min(ms, MAX_LATER_MS), options.detail, options.checkpoint)
      }
    }
  }

  #progress(entry: Running, fraction: number | null, detail: string | null | undefined): void {
    if (entry.stop || this.#closed || this.#running.get(entry.id) !== entry) return
    const progress = typeof fraction === 'number' && Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : null
    const line = detail === undefined ? entry.pending?.detail : cleanDetail(detail)
    entry.pending = { progress, detail: line }
    const now = this.#now()
    const due = entry.lastSentAt + PROGRESS_INTERVAL_MS
    if (now >= due) return this.#sendProgress(entry, now)
    // The rest is sent by the one timer, not a timer of its own.
    const wake = this.#timer.due
    if (wake === null || wake > due) this.#timer.set(due)
  }

  #sendProgress(entry: Running, now: number): void {
    const pending = entry.pending
    if (!pending) return
    entry.pending = null
    entry.lastSentAt = now
    const job = this.#store.setProgress(entry.id, entry.attempts, pending.progress, pending.detail, now)
    if (job) this.#emitJob(job)
  }

  #settle(entry: Running, kind: AnyKind, outcome: Outcome): void {
    const now = this.#now()
    const held = entry.pending
    entry.pending = null
    if ('result' in outcome) {
      const result = checkResult(outcome.result)
      if (result) {
        // The work was done, even if a cancel or the quit came too late to stop it: say so.
        const saved = this.#store.update(
          { id: entry.id, attempts: entry.attempts, states: ['running', 'cancelled'] },
          { state: 'saved', result, error: null, progress: 1, detail: null, runAt: null, finishedAt: now },
          now
        )
        if (saved) {
          this.#changed(saved)
          this.#tellSettled(saved)
        }
        return
      }
      outcome = { error: new AppError('internal', `The job kind ${kind.kind} ended without a result.`) }
    }
    if (entry.stop === 'cancel') {
      const cancelled = this.#store.get(entry.id)
      if (cancelled && cancelled.attempts === entry.attempts) this.#tellSettled(cancelled)
      return
    }
    if ('later' in outcome) return this.#runLater(entry, outcome.later, held, now)
    // Stopped by the quit: left running, so the next start resumes it or fails it with the reason.
    if (entry.stop === 'close') return
    const error = outcome.error
    if (error instanceof AppError && error.code === 'rate_limited') return this.#rateLimited(entry, error, now)
    const failed = this.#store.update(
      { id: entry.id, attempts: entry.attempts, states: ['running'] },
      { state: 'failed', error: errorData(error), runAt: null, finishedAt: now, ...(held ? { progress: held.progress } : {}) },
      now
    )
    if (failed) {
      this.#logger.info(`Job ${failed.id} (${kind.kind}) failed: ${failed.error?.message ?? ''}`)
      this.#changed(failed)
      this.#tellSettled(failed)
    }
  }

  #runLater(entry: Running, later: RunAgain, held: Running['pending'], now: number): void {
    let runAt = now + later.delayMs
    let detail = later.detail !== undefined ? cleanDetail(later.detail) : held?.detail
    let state: JobState = 'queued'
    const pause = this.#pauses.get(entry.queue)
    if (pause && runAt <= pause.until) {
      state = 'waiting'
      runAt = pause.until
      detail = pause.reason
    }
    const requeued = this.#store.update(
      { id: entry.id, attempts: entry.attempts, states: ['running'] },
      {
        state,
        runAt,
        detail,
        ...(held ? { progress: held.progress } : {}),
        ...(later.checkpoint !== undefined ? { checkpoint: later.checkpoint } : {})
      },
      now
    )
    if (requeued) this.#changed(requeued)
  }

  /** A rate limit: the job waits, and so does its whole queue, for the time the server asked. */
  #rateLimited(entry: Running, error: AppError, now: number): void {
    const waits = entry.rateLimitWaits + 1
    if (waits > MAX_RATE_LIMIT_WAITS) {
      const gaveUp = new AppError('rate_limited', `Gave up after ${MAX_RATE_LIMIT_WAITS} waits for the rate limit. The server last said: ${error.message}`, {
        ...(error.status !== undefined ? { status: error.status } : {})
      })
      const failed = this.#store.update(
        { id: entry.id, attempts: entry.attempts, states: ['running'] },
        { state: 'failed', error: errorData(gaveUp), runAt: null, finishedAt: now },
        now
      )
      if (failed) {
        this.#changed(failed)
        this.#tellSettled(failed)
      }
      return
    }
    const wait = Math.min(Math.max(error.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS, MIN_RATE_LIMIT_PAUSE_MS), MAX_RATE_LIMIT_PAUSE_MS)
    // Queued again (not emitted): the pause below makes it wait with the rest of its queue.
    const requeued = this.#store.update({ id: entry.id, attempts: entry.attempts, states: ['running'] }, { state: 'queued', runAt: null, rateLimitWaits: waits }, now)
    if (!requeued) return
    this.#pause(entry.queue, now + wait, rateLimitReason(error.message), now)
  }

  #pause(queue: string, until: number, reason: string, now: number): void {
    const end = Math.max(until, this.#pauses.get(queue)?.until ?? 0)
    this.#pauses.set(queue, { until: end, reason })
    if (end <= now) return
    this.#logger.info(`Queue ${queue} waits ${Math.ceil((end - now) / 1000)} s for the rate limit.`)
    for (const job of this.#store.holdQueue(queue, end, reason, now)) this.#emitJob(job)
    this.#dirtyQueues.add(queue)
  }

  #release(queue: string, now: number): void {
    this.#pauses.delete(queue)
    for (const job of this.#store.releaseQueue(queue, now)) this.#emitJob(job)
    this.#dirtyQueues.add(queue)
  }

  // ------------------------------------------------------------ cancel

  /** Cancels these jobs (those still not finished); returns the ones cancelled. */
  #cancel(jobs: StoredJob[]): StoredJob[] {
    const now = this.#now()
    const cancelled = this.#store.transaction(() =>
      jobs.flatMap((job) => {
        const row = this.#store.update(
          { id: job.id, attempts: job.attempts, states: ACTIVE_STATES },
          { state: 'cancelled', runAt: null, detail: null, finishedAt: now },
          now
        )
        return row ? [row] : []
      })
    )
    for (const job of cancelled) {
      this.#changed(job)
      const entry = this.#running.get(job.id)
      if (entry && entry.attempts === job.attempts) {
        // Settled when its run returns: a run that still finishes is recorded as saved.
        entry.stop = 'cancel'
        entry.pending = null
        entry.controller.abort(new AppError('aborted', 'Cancelled.'))
      } else {
        this.#tellSettled(job)
      }
    }
    return cancelled
  }

  // ------------------------------------------------------------ events

  #require(id: string): StoredJob {
    const job = this.#store.get(id)
    if (!job) throw new AppError('not_found', 'This job no longer exists.')
    return job
  }

  /** A state change: the windows hear of it now, its queue at the end of the pass it asks for. */
  #changed(job: StoredJob): void {
    this.#emitJob(job)
    this.#askForPass()
  }

  #emitJob(job: StoredJob): void {
    this.#dirtyQueues.add(job.queue)
    const record = toRecord(job)
    for (const listener of this.#jobListeners) {
      try {
        listener(record)
      } catch (error) {
        this.#logger.error('A job listener failed:', error)
      }
    }
  }

  #tellSettled(job: StoredJob): void {
    const kind = this.#kinds.get(job.kind)
    if (!kind?.onSettled) return
    try {
      kind.onSettled(toRecord(job))
    } catch (error) {
      this.#logger.error(`The job kind ${job.kind} failed to take the end of job ${job.id}:`, error)
    }
  }

  #queueState(queue: string, pending: number): QueueState {
    const pause = this.#pauses.get(queue)
    return {
      queue,
      concurrency: this.#limit(),
      running: this.#runningIn(queue),
      queued: pending,
      pausedUntil: pause?.until ?? null,
      pauseReason: pause?.reason ?? null
    }
  }

  /** Tells the windows about each queue that changed since they last heard. */
  #sendQueues(): void {
    for (const queue of this.#dirtyQueues) {
      const state = this.#queueState(queue, this.#store.pendingCount(queue))
      const key = JSON.stringify(state)
      if (this.#sentQueues.get(queue) === key) continue
      const idle = state.running === 0 && state.queued === 0 && state.pausedUntil === null
      // A queue with nothing left is told once, then forgotten until it has work again.
      if (idle && !this.#sentQueues.has(queue)) continue
      if (idle) this.#sentQueues.delete(queue)
      else this.#sentQueues.set(queue, key)
      for (const listener of this.#queueListeners) {
        try {
          listener(state)
        } catch (error) {
          this.#logger.error('A queue listener failed:', error)
        }
      }
    }
    this.#dirtyQueues.clear()
  }
}

function earliest(a: number | null, b: number): number {
  return a === null || b < a ? b : a
}

function unknownKind(kind: string): string {
  return `This version of Skyport cannot run jobs of kind ${kind}.`
}

function cleanDetail(detail: string | null): string | null {
  if (detail === null) return null
  const line = detail.replace(/\s+/g, ' ').trim()
  return line === '' ? null : line.slice(0, DETAIL_CHARS)
}

/** The line shown while a queue waits: the server's words when it gave some. */
function rateLimitReason(message: string | undefined): string {
  return cleanDetail(message ?? null) ?? "The server's rate limit was reached."
}

function errorData(error: unknown): BridgeErrorData {
  const data = toErrorData(error)
  return data.message.length > LIMITS.errorMessageLength ? { ...data, message: data.message.slice(0, LIMITS.errorMessageLength) } : data
}

/** What a kind returned, checked: a JobResult, or null when it is not one. */
function checkResult(value: unknown): JobResult | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const { mediaId, text } = value as Record<string, unknown>
  if (mediaId !== undefined && typeof mediaId !== 'string') return null
  if (text !== undefined && typeof text !== 'string') return null
  return { ...(mediaId !== undefined ? { mediaId } : {}), ...(text !== undefined ? { text } : {}) }
}
