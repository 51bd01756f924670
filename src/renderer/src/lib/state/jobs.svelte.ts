/**
 * Long work that main runs (images now; speech, songs and downloads later),
 * as this window sees it. Main pushes every change as `jobs.changed` and
 * `jobs.queue` events; the store listens once and never polls. A clock ticks
 * once a second only while something waits, so elapsed times and rate-limit
 * countdowns stay live without asking main.
 */
import { SvelteMap } from 'svelte/reactivity'
import type { JobRecord, JobState, QueueState } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { getApi } from '../bridge'
import { asAppError } from '../errors'

const FINAL_STATES: ReadonlySet<JobState> = new Set(['saved', 'failed', 'cancelled'])

/** Saved, failed or cancelled: nothing more will happen unless it is retried. */
export function isFinal(job: Pick<JobRecord, 'state'>): boolean {
  return FINAL_STATES.has(job.state)
}

export interface JobsStoreOptions {
  /** The clock (tests pass a fake one). */
  now?: () => number
  tickMs?: number
}

export class JobsStore {
  /** Every job this window has heard of, by id. */
  readonly jobs = new SvelteMap<string, JobRecord>()
  /** Each endpoint queue's state, by queue name. */
  readonly queues = new SvelteMap<string, QueueState>()
  /** The time countdowns and elapsed times are computed from; ticks while anything waits. */
  now = $state(0)
  /** Why the active jobs could not be listed. */
  error = $state.raw<AppError | null>(null)

  /** Jobs queued, running or waiting. */
  readonly active: JobRecord[] = $derived([...this.jobs.values()].filter((job) => !isFinal(job)))

  #clock: () => number
  #tickMs: number
  #timer: ReturnType<typeof setInterval> | undefined
  #unsubscribe: (() => void)[] | null = null
  // Bookkeeping for `whenSettled`, not UI state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #waiters = new Map<string, ((job: JobRecord) => void)[]>()

  constructor(options: JobsStoreOptions = {}) {
    this.#clock = options.now ?? Date.now
    this.#tickMs = options.tickMs ?? 1000
    this.now = this.#clock()
  }

  /** Starts following the events (once), then asks for what is active now. */
  async init(): Promise<void> {
    if (this.#unsubscribe) return
    const api = getApi()
    // Listen first, so a change between the listing and the answer is not lost.
    this.#unsubscribe = [api.on('jobs.changed', (job) => this.accept(job)), api.on('jobs.queue', (queue) => this.#acceptQueue(queue))]
    try {
      const [jobs, queues] = await Promise.all([api.jobs.list({ active: true }), api.jobs.queues()])
      this.track(jobs)
      for (const queue of queues) this.#acceptQueue(queue)
      this.error = null
    } catch (error) {
      this.error = asAppError(error)
    }
  }

  dispose(): void {
    for (const stop of this.#unsubscribe ?? []) stop()
    this.#unsubscribe = null
    this.#stopClock()
  }

  /** Takes jobs main returned from an invoke (e.g. `images.generate`). */
  track(jobs: readonly JobRecord[]): void {
    for (const job of jobs) this.accept(job)
  }

  /** Takes one job's record; an older record than the one held (an invoke answer overtaken by events) is ignored. */
  accept(job: JobRecord): void {
    const held = this.jobs.get(job.id)
    if (held && held.updatedAt > job.updatedAt) return
    this.jobs.set(job.id, job)
    if (isFinal(job)) {
      const waiters = this.#waiters.get(job.id)
      this.#waiters.delete(job.id)
      for (const resolve of waiters ?? []) resolve(job)
    }
    this.#syncClock()
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id)
  }

  /** Resolves once the job is saved, failed or cancelled (at once if it already is). */
  whenSettled(id: string): Promise<JobRecord> {
    const held = this.jobs.get(id)
    if (held && isFinal(held)) return Promise.resolve(held)
    return new Promise((resolve) => {
      this.#waiters.set(id, [...(this.#waiters.get(id) ?? []), resolve])
    })
  }

  /** How long the job has been going, or went (from when it was asked for). */
  elapsedMs(job: JobRecord): number {
    return Math.max(0, (isFinal(job) ? job.updatedAt : this.now) - job.createdAt)
  }

  /** How long a job not yet running still waits for its queue's rate-limit pause; 0 when it does not. */
  pauseLeftMs(job: JobRecord): number {
    if (job.state !== 'queued' && job.state !== 'waiting') return 0
    const pausedUntil = this.queues.get(job.queue)?.pausedUntil ?? 0
    const runAt = job.state === 'waiting' ? (job.runAt ?? 0) : 0
    return Math.max(0, Math.max(pausedUntil, runAt) - this.now)
  }

  /** How long a queue still pauses; 0 when it runs. */
  queuePauseLeftMs(queue: string): number {
    return Math.max(0, (this.queues.get(queue)?.pausedUntil ?? 0) - this.now)
  }

  async cancel(id: string): Promise<void> {
    try {
      this.accept(await getApi().jobs.cancel({ id }))
    } catch (error) {
      throw asAppError(error)
    }
  }

  /** Cancels every unfinished job (of one queue, or of all); returns how many. */
  async cancelAll(queue?: string): Promise<number> {
    try {
      const { cancelled } = await getApi().jobs.cancelAll(queue ? { queue } : {})
      return cancelled
    } catch (error) {
      throw asAppError(error)
    }
  }

  /** Runs a failed or cancelled job again; returns the job as main now has it (its id may be new). */
  async retry(id: string): Promise<JobRecord> {
    try {
      const job = await getApi().jobs.retry({ id })
      this.accept(job)
      return job
    } catch (error) {
      throw asAppError(error)
    }
  }

  #acceptQueue(queue: QueueState): void {
    this.queues.set(queue.queue, queue)
    this.#syncClock()
  }

  /** The clock runs only while a job is active or a queue pauses. */
  #syncClock(): void {
    this.now = this.#clock()
    const needed = this.active.length > 0 || [...this.queues.values()].some((queue) => (queue.pausedUntil ?? 0) > this.now)
    if (needed && this.#timer === undefined) {
      this.#timer = setInterval(() => {
        this.now = this.#clock()
        this.#syncClock()
      }, this.#tickMs)
    } else if (!needed) {
      this.#stopClock()
    }
  }

  #stopClock(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }
}
