/**
 * Job kinds for the runner's tests: each run waits until the test ends it,
 * so a test decides when and how every run finishes.
 */
import type { JobKind, RunAgain, RunningJob } from '../../../src/main/services/jobs/job-runner'
import type { JobRecord, JobResult } from '../../../src/shared/contract'
import { deferred, type Deferred } from './support'

export interface TestInput extends Record<string, unknown> {
  queue: string
  label?: string
}

export interface Run {
  job: RunningJob<TestInput>
  done: Deferred<JobResult | RunAgain>
}

export interface ControlledKind {
  kind: JobKind<TestInput>
  /** Every run started, in order. */
  runs: Run[]
  /** What onSettled was told, in order. */
  settled: JobRecord[]
  /** The runs of one job. */
  runsOf(id: string): Run[]
  /** The latest run of one job. */
  last(id: string): Run
}

export function controlledKind(options: { name?: string; onRestart?: 'resume' | 'fail'; stopOnAbort?: boolean } = {}): ControlledKind {
  const runs: Run[] = []
  const settled: JobRecord[] = []
  const kind: JobKind<TestInput> = {
    kind: options.name ?? 'test.work',
    queue: (input) => input.queue,
    run: (job) => {
      const done = deferred<JobResult | RunAgain>()
      runs.push({ job, done })
      // Like a request given the signal: an abort ends the run (unless the test wants it to linger).
      if (options.stopOnAbort ?? true) job.signal.addEventListener('abort', () => done.reject(job.signal.reason), { once: true })
      return done.promise
    },
    onSettled: (job) => void settled.push(job),
    ...(options.onRestart ? { onRestart: options.onRestart } : {})
  }
  const runsOf = (id: string): Run[] => runs.filter((run) => run.job.id === id)
  return {
    kind,
    runs,
    settled,
    runsOf,
    last: (id) => {
      const run = runsOf(id).at(-1)
      if (!run) throw new Error(`job ${id} never ran`)
      return run
    }
  }
}
