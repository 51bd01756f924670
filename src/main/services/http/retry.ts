/**
 * Retries for requests that may safely be repeated, after openai-node's
 * policy: 2 retries on 408/429/502/503/504 and on reset or refused
 * connections; the server's `Retry-After` / `retry-after-ms` is honoured when
 * it is at most `maxRetryAfterMs` (60 s) and a longer wait is surfaced instead
 * of retried; without it, 0.5 s doubling up to 8 s, minus up to 25 % jitter.
 */
import { AppError } from '../../../shared/errors'
import { isConnectionFailure } from './transport-errors'

export interface RetryPolicy {
  maxRetries: number
  initialDelayMs: number
  maxDelayMs: number
  /** Longest server-requested wait we sit through; longer ones are returned to the caller. */
  maxRetryAfterMs: number
  /** False: a 429 goes straight back to the caller (a job queue shows the wait as a countdown). */
  retryRateLimited: boolean
  /** Injectable for tests. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  random: () => number
}

export const RETRY_STATUSES = new Set([408, 429, 502, 503, 504])

/** Waits `ms`, rejecting with AppError('aborted') as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AppError('aborted', 'Stopped.'))
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new AppError('aborted', 'Stopped.'))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
  retryRateLimited: true,
  sleep: abortableSleep,
  random: Math.random
}

export function isRetryable(error: unknown): error is AppError {
  if (!(error instanceof AppError)) return false
  if (error.status !== undefined) return RETRY_STATUSES.has(error.status)
  return isConnectionFailure(error)
}

/**
 * How long to wait before retry number `retriesDone + 1`, or null when the
 * server asked for a longer wait than the policy accepts.
 */
export function retryDelayMs(retriesDone: number, retryAfterMs: number | undefined, policy: RetryPolicy): number | null {
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.maxRetryAfterMs ? retryAfterMs : null
  const base = Math.min(policy.initialDelayMs * 2 ** retriesDone, policy.maxDelayMs)
  return Math.round(base * (1 - policy.random() * 0.25))
}

/** Runs `attempt` until it succeeds, fails for good, or the retries are used up. */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let retriesDone = 0; ; retriesDone++) {
    try {
      return await attempt()
    } catch (error) {
      if (retriesDone >= policy.maxRetries || signal?.aborted || !isRetryable(error)) throw error
      if (error.status === 429 && !policy.retryRateLimited) throw error
      const delay = retryDelayMs(retriesDone, error.retryAfterMs, policy)
      if (delay === null) throw error
      await policy.sleep(delay, signal)
    }
  }
}
