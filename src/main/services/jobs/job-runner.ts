/**
 * The one job runner of main: every piece of long work (images now; speech
 * parts, song polling and downloads later) is a job kept in SQLite, run in a
 * queue per endpoint with its own concurrency and rate-limit pause, and
 * reported to every window as `jobs.changed` / `jobs.queue` events.
 * Features add a job kind (`define`); they never write their own loops,
 * timers or retry code.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { JobRecord, JobResult, QueueState } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Logger } from '../log'

/** What a running job sees. */
export interface RunningJob<Input> {
  readonly id: string
  readonly input: Input
  /** 1 on the first run. */
  readonly attempts: number
  readonly groupId: string | null
  /** Aborted when the person cancels the job or the app quits. */
  readonly signal: AbortSignal
  /** Reports progress (0 to 1, or null) and a line for the person; sent to every window, throttled. */
  progress(fraction: number | null, detail?: string | null): void
}

/** A kind of job: which queue it waits in and how it runs. */
export interface JobKind<Input> {
  kind: string
  /** The endpoint queue, e.g. `imagine`; each queue has its own concurrency and rate-limit pause. */
  queue(input: Input): string
  /**
   * Does the work and returns what it made. Throw an AppError to fail; a
   * `rate_limited` one pauses the queue (Retry-After or the message's wait,
   * else a minute) and puts the job back to wait, without counting it as failed.
   */
  run(job: RunningJob<Input>): Promise<JobResult>
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
}

function notBuilt(): never {
  throw new AppError('internal', 'The job runner is not built yet.')
}

export class JobRunner {
  constructor(_options: JobRunnerOptions) {}

  define<Input>(_kind: JobKind<Input>): void {}

  /** Adds a job to its queue; it starts as soon as the queue allows. */
  enqueue<Input extends Record<string, unknown>>(_kind: string, _input: Input, _options: { groupId?: string | null } = {}): JobRecord {
    return notBuilt()
  }

  get(_id: string): JobRecord {
    return notBuilt()
  }

  list(_options: { active?: boolean; groupId?: string; limit?: number } = {}): JobRecord[] {
    return notBuilt()
  }

  queues(): QueueState[] {
    return notBuilt()
  }

  cancel(_id: string): JobRecord {
    return notBuilt()
  }

  cancelAll(_queue?: string): { cancelled: number } {
    return notBuilt()
  }

  retry(_id: string): JobRecord {
    return notBuilt()
  }

  onJobChange(_listener: (job: JobRecord) => void): () => void {
    return () => {}
  }

  onQueueChange(_listener: (queue: QueueState) => void): () => void {
    return () => {}
  }

  /** Resumes (or fails, per kind) what was queued or running when the app last stopped; call once every kind is defined. */
  start(): void {}

  /** Stops every running job (they are resumed at the next start) and the timer. */
  async close(): Promise<void> {}
}
