/**
 * The job rows in skyport.db: reads and writes for the runner, which alone
 * decides what state a job moves to. Synchronous, like node:sqlite; every
 * statement is prepared once.
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite'
import type { JobRecord, JobResult, JobState } from '../../../shared/contract'
import type { BridgeErrorData } from '../../../shared/errors'
import { Statements } from '../db/statements'

/** States of a job not finished: the runner still owes it a run. */
export const ACTIVE_STATES: readonly JobState[] = ['queued', 'running', 'waiting']
const ACTIVE_SQL = "('queued', 'running', 'waiting')"

/** A job as the runner sees it: the record the windows see, and what only main needs. */
export interface StoredJob extends JobRecord {
  /** What the kind saved to carry on from (JSON), or null. */
  checkpoint: unknown
  rateLimitWaits: number
}

interface JobRow {
  id: string
  kind: string
  queue: string
  state: JobState
  progress: number | null
  detail: string | null
  attempts: number
  rate_limit_waits: number
  input_json: string
  checkpoint_json: string | null
  result_json: string | null
  error_json: string | null
  group_id: string | null
  created_at: number
  updated_at: number
  run_at: number | null
}

const COLUMNS =
  'id, kind, queue, state, progress, detail, attempts, rate_limit_waits, input_json, checkpoint_json, result_json, error_json, group_id, created_at, updated_at, run_at'

/** Columns a state change may write, by their name in code. */
export interface JobPatch {
  state?: JobState
  progress?: number | null
  detail?: string | null
  attempts?: number
  rateLimitWaits?: number
  checkpoint?: unknown
  result?: JobResult | null
  error?: BridgeErrorData | null
  runAt?: number | null
  finishedAt?: number | null
}

const PATCH_COLUMNS: Record<keyof JobPatch, string> = {
  state: 'state',
  progress: 'progress',
  detail: 'detail',
  attempts: 'attempts',
  rateLimitWaits: 'rate_limit_waits',
  checkpoint: 'checkpoint_json',
  result: 'result_json',
  error: 'error_json',
  runAt: 'run_at',
  finishedAt: 'finished_at'
}

const JSON_COLUMNS = new Set<keyof JobPatch>(['checkpoint', 'result', 'error'])

export interface NewJob {
  id: string
  kind: string
  queue: string
  state: 'queued' | 'waiting'
  input: Record<string, unknown>
  groupId: string | null
  runAt: number | null
  detail: string | null
  now: number
}

/** Which rows an update may touch: the job, at this attempt, in one of these states. */
export interface JobGuard {
  id: string
  attempts?: number
  states?: readonly JobState[]
}

export class JobStore {
  readonly #sql: Statements

  constructor(db: DatabaseSync) {
    this.#sql = new Statements(db, 'job list')
  }

  insert(job: NewJob): StoredJob {
    const row = this.#sql.prepare(
      `INSERT INTO jobs (id, kind, queue, state, detail, input_json, group_id, created_at, updated_at, run_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`
    ).get(job.id, job.kind, job.queue, job.state, job.detail, JSON.stringify(job.input), job.groupId, job.now, job.now, job.runAt) as unknown as JobRow
    return toStored(row)
  }

  get(id: string): StoredJob | null {
    const row = this.#sql.prepare(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`).get(id) as JobRow | undefined
    return row ? toStored(row) : null
  }

  /** Newest last: the last `limit` jobs that match. */
  list(options: { active?: boolean; groupId?: string; limit: number }): StoredJob[] {
    const where: string[] = []
    const params: SQLInputValue[] = []
    if (options.active) where.push(`state IN ${ACTIVE_SQL}`)
    if (options.groupId !== undefined) {
      where.push('group_id = ?')
      params.push(options.groupId)
    }
    const sql = `SELECT ${COLUMNS} FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`
    const rows = this.#sql.prepare(sql).all(...params, options.limit) as unknown as JobRow[]
    return rows.reverse().map(toStored)
  }

  /** Every job not finished, oldest first (at start, and for cancel-all). */
  active(queue?: string): StoredJob[] {
    const rows =
      queue === undefined
        ? this.#sql.prepare(`SELECT ${COLUMNS} FROM jobs WHERE state IN ${ACTIVE_SQL} ORDER BY seq`).all()
        : this.#sql.prepare(`SELECT ${COLUMNS} FROM jobs WHERE state IN ${ACTIVE_SQL} AND queue = ? ORDER BY seq`).all(queue)
    return (rows as unknown as JobRow[]).map(toStored)
  }

  /** Queues with a queued job whose time has come. */
  queuesWithDueJobs(now: number): string[] {
    const rows = this.#sql.prepare("SELECT DISTINCT queue FROM jobs WHERE state = 'queued' AND (run_at IS NULL OR run_at <= ?)").all(now) as Array<{
      queue: string
    }>
    return rows.map((row) => row.queue)
  }

  /** The next `limit` queued jobs of a queue whose time has come, first in first out. */
  due(queue: string, now: number, limit: number): StoredJob[] {
    const rows = this.#sql.prepare(
      `SELECT ${COLUMNS} FROM jobs WHERE queue = ? AND state = 'queued' AND (run_at IS NULL OR run_at <= ?) ORDER BY seq LIMIT ?`
    ).all(queue, now, limit) as unknown as JobRow[]
    return rows.map(toStored)
  }

  /** The earliest run time after `now` of a job waiting for one, or null. */
  nextRunAfter(now: number): number | null {
    const row = this.#sql.prepare("SELECT MIN(run_at) AS next FROM jobs WHERE state IN ('queued', 'waiting') AND run_at > ?").get(now) as {
      next: number | null
    }
    return row.next
  }

  /** Jobs not running, by queue (the `queued` of QueueState). */
  pendingCounts(): Map<string, number> {
    const rows = this.#sql.prepare("SELECT queue, COUNT(*) AS pending FROM jobs WHERE state IN ('queued', 'waiting') GROUP BY queue").all() as Array<{
      queue: string
      pending: number
    }>
    return new Map(rows.map((row) => [row.queue, row.pending]))
  }

  pendingCount(queue: string): number {
    const row = this.#sql.prepare("SELECT COUNT(*) AS pending FROM jobs WHERE queue = ? AND state IN ('queued', 'waiting')").get(queue) as { pending: number }
    return row.pending
  }

  /** Each queue's rate-limit pause as the waiting jobs recorded it: its end, and the reason shown. */
  pausesOnRecord(): Array<{ queue: string; until: number; reason: string | null }> {
    // With MAX(), SQLite takes the bare column (detail) from the row that has the maximum.
    return this.#sql.prepare(
      "SELECT queue, MAX(run_at) AS until, detail AS reason FROM jobs WHERE state = 'waiting' AND run_at IS NOT NULL GROUP BY queue"
    ).all() as Array<{ queue: string; until: number; reason: string | null }>
  }

  /**
   * Writes `patch` to the job if it still matches `guard` (an older attempt
   * settling late never overwrites a newer one). Returns the row as written,
   * or null when nothing matched.
   */
  update(guard: JobGuard, patch: JobPatch, now: number): StoredJob | null {
    const sets: string[] = ['updated_at = ?']
    const params: SQLInputValue[] = [now]
    for (const key of Object.keys(patch) as Array<keyof JobPatch>) {
      const value = patch[key]
      if (value === undefined) continue
      sets.push(`${PATCH_COLUMNS[key]} = ?`)
      params.push(JSON_COLUMNS.has(key) ? (value === null ? null : JSON.stringify(value)) : (value as SQLInputValue))
    }
    const where = ['id = ?']
    params.push(guard.id)
    if (guard.attempts !== undefined) {
      where.push('attempts = ?')
      params.push(guard.attempts)
    }
    if (guard.states) where.push(`state IN (${guard.states.map(() => '?').join(', ')})`)
    if (guard.states) params.push(...guard.states)
    const row = this.#sql.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING ${COLUMNS}`).get(...params) as JobRow | undefined
    return row ? toStored(row) : null
  }

  /** Progress of a running job: only while it still runs (a cancel has the last word). */
  setProgress(id: string, attempts: number, progress: number | null, detail: string | null | undefined, now: number): StoredJob | null {
    const row = (
      detail === undefined
        ? this.#sql.prepare(`UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND attempts = ? AND state = 'running' RETURNING ${COLUMNS}`).get(
            progress,
            now,
            id,
            attempts
          )
        : this.#sql.prepare(
            `UPDATE jobs SET progress = ?, detail = ?, updated_at = ? WHERE id = ? AND attempts = ? AND state = 'running' RETURNING ${COLUMNS}`
          ).get(progress, detail, now, id, attempts)
    ) as JobRow | undefined
    return row ? toStored(row) : null
  }

  /**
   * A rate-limit pause: the queue's jobs that would run before `until` wait
   * for it, showing `reason`. Jobs due later (a poll) keep their own time.
   */
  holdQueue(queue: string, until: number, reason: string, now: number): StoredJob[] {
    const rows = this.#sql.prepare(
      `UPDATE jobs SET state = 'waiting', run_at = ?, detail = ?, updated_at = ?
       WHERE queue = ? AND state IN ('queued', 'waiting') AND (run_at IS NULL OR run_at <= ?) RETURNING ${COLUMNS}`
    ).all(until, reason, now, queue, until) as unknown as JobRow[]
    return rows.map(toStored)
  }

  /** The end of a pause: every job that waited for it is queued again, due now. */
  releaseQueue(queue: string, now: number): StoredJob[] {
    const rows = this.#sql.prepare(
      `UPDATE jobs SET state = 'queued', run_at = NULL, detail = NULL, updated_at = ? WHERE queue = ? AND state = 'waiting' RETURNING ${COLUMNS}`
    ).all(now, queue) as unknown as JobRow[]
    return rows.map(toStored)
  }

  /** Runs `work` in one write transaction; any throw rolls everything back. */
  transaction<T>(work: () => T): T {
    return this.#sql.transaction(work)
  }
}

function toStored(row: JobRow): StoredJob {
  return {
    id: row.id,
    kind: row.kind,
    queue: row.queue,
    state: row.state,
    progress: row.progress,
    detail: row.detail,
    attempts: row.attempts,
    input: parseJson(row.input_json) as Record<string, unknown>,
    result: parseJson(row.result_json) as JobResult | null,
    error: parseJson(row.error_json) as BridgeErrorData | null,
    groupId: row.group_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    runAt: row.run_at,
    checkpoint: parseJson(row.checkpoint_json),
    rateLimitWaits: row.rate_limit_waits
  }
}

/** The record the windows see: without what only main needs. */
export function toRecord(job: StoredJob): JobRecord {
  const { checkpoint: _checkpoint, rateLimitWaits: _waits, ...record } = job
  return record
}

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown)
}
