/**
 * What the job runner's tests share: a real SQLite file, a clock whose time
 * and timers the test moves (and counts), and a recorder of the runner's events.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { DatabaseSync } from 'node:sqlite'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { vi } from 'vitest'
import { openDatabase } from '../../../src/main/services/db/connection'
import { JobRunner, type JobRunnerOptions } from '../../../src/main/services/jobs/job-runner'
import type { Timers } from '../../../src/main/services/jobs/wake-timer'
import { createLogger, type Logger } from '../../../src/main/services/log'
import type { JobRecord, JobState, QueueState } from '../../../src/shared/contract'

/** Lets promises, microtasks and I/O callbacks that are ready run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** Time that moves only when the test says, and timers that fire only then; counts them. */
export class ManualClock implements Timers {
  time: number
  /** How many times setTimeout was called, and the most timers pending at once. */
  setTimeoutCalls = 0
  maxPending = 0
  readonly #pending = new Map<number, { at: number; callback: () => void }>()
  #nextHandle = 1

  constructor(start = 1_700_000_000_000) {
    this.time = start
  }

  readonly now = (): number => this.time

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.#nextHandle++
    this.#pending.set(handle, { at: this.time + ms, callback })
    this.setTimeoutCalls++
    this.maxPending = Math.max(this.maxPending, this.#pending.size)
    return handle
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number)
  }

  get pending(): number {
    return this.#pending.size
  }

  /** When the earliest pending timer fires, or null. */
  get nextAt(): number | null {
    let next: number | null = null
    for (const timer of this.#pending.values()) if (next === null || timer.at < next) next = timer.at
    return next
  }

  /** Moves time forward by `ms`, firing each timer due on the way at its time. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | null = null
      for (const entry of this.#pending) if (entry[1].at <= target && (due === null || entry[1].at < due[1].at)) due = entry
      if (!due) break
      this.#pending.delete(due[0])
      this.time = Math.max(this.time, due[1].at)
      due[1].callback()
      await settle()
    }
    this.time = target
    await settle()
  }
}

export interface Deferred<T> {
  promise: Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject }
}

/** Every event a runner sent, in order. */
export class EventLog {
  readonly jobs: JobRecord[] = []
  readonly queues: QueueState[] = []

  constructor(runner: JobRunner) {
    runner.onJobChange((job) => this.jobs.push(job))
    runner.onQueueChange((queue) => this.queues.push(queue))
  }

  of(id: string): JobRecord[] {
    return this.jobs.filter((job) => job.id === id)
  }

  /** The states one job went through, repeats (progress) left out. */
  states(id: string): JobState[] {
    return this.of(id)
      .map((job) => job.state)
      .filter((state, index, all) => index === 0 || all[index - 1] !== state)
  }

  /** The queue events of one queue. */
  queue(name: string): QueueState[] {
    return this.queues.filter((queue) => queue.queue === name)
  }
}

/** Waits (in real time) until the job is in one of these states. */
export async function untilState(runner: JobRunner, id: string, ...states: JobState[]): Promise<JobRecord> {
  return vi.waitFor(
    () => {
      const job = runner.get(id)
      if (!states.includes(job.state)) throw new Error(`job ${id} is ${job.state}, not ${states.join(' or ')}`)
      return job
    },
    { timeout: 5_000, interval: 5 }
  )
}

export interface Harness {
  dir: string
  file: string
  db: DatabaseSync
  logger: Logger
  logged: string[]
  /** A runner on `db` (not started); closed with the harness. */
  runner(options?: Partial<JobRunnerOptions>): JobRunner
  /** Closes every runner, then the database, and removes the folder. */
  dispose(): Promise<void>
}

/** A fresh database file with the app's migrations, and runners on it. */
export function harness(dir = mkdtempSync(join(tmpdir(), 'skyport-jobs-'))): Harness {
  const file = join(dir, 'skyport.db')
  const db = openDatabase(file)
  const logged: string[] = []
  const logger = createLogger((level, text) => void logged.push(`${level} ${text}`), (text) => text)
  const runners: JobRunner[] = []
  return {
    dir,
    file,
    db,
    logger,
    logged,
    runner(options = {}) {
      const runner = new JobRunner({ db, logger, concurrency: () => 1, ...options })
      runners.push(runner)
      return runner
    },
    async dispose() {
      await Promise.all(runners.map((runner) => runner.close()))
      db.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
