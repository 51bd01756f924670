import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src/shared/errors'
import { abortableSleep, defaultRetryPolicy, isRetryable, retryDelayMs, withRetries, type RetryPolicy } from '../../../src/main/services/http/retry'

function policy(delays: number[], overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    ...defaultRetryPolicy,
    random: () => 0,
    sleep: async (ms) => {
      delays.push(ms)
    },
    ...overrides
  }
}

describe('retry policy', () => {
  it('backs off 0.5 s doubling to 8 s, with up to 25 % jitter', () => {
    const p = policy([])
    expect([0, 1, 2, 3, 4, 5].map((n) => retryDelayMs(n, undefined, p))).toEqual([500, 1000, 2000, 4000, 8000, 8000])
    expect(retryDelayMs(0, undefined, { ...p, random: () => 1 })).toBe(375)
  })

  it('honours a server wait up to the bound and refuses longer ones', () => {
    const p = policy([])
    expect(retryDelayMs(0, 3000, p)).toBe(3000)
    expect(retryDelayMs(0, 0, p)).toBe(0)
    expect(retryDelayMs(0, 61_000, p)).toBeNull()
  })

  it('retries statuses 408/429/502/503/504 and resets, nothing else', () => {
    for (const status of [408, 429, 502, 503, 504]) expect(isRetryable(new AppError('server_error', 'x', { status }))).toBe(true)
    for (const status of [400, 401, 404, 500]) expect(isRetryable(new AppError('server_error', 'x', { status }))).toBe(false)
    const reset = new AppError('network', 'x', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })
    expect(isRetryable(reset)).toBe(true)
    const dns = new AppError('network', 'x', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) })
    expect(isRetryable(dns)).toBe(false)
    expect(isRetryable(new Error('x'))).toBe(false)
  })

  it('makes two retries at most, then gives the last error', async () => {
    const delays: number[] = []
    let calls = 0
    const failing = (): Promise<never> => {
      calls++
      return Promise.reject(new AppError('unavailable', 'down', { status: 503 }))
    }
    await expect(withRetries(failing, policy(delays))).rejects.toMatchObject({ code: 'unavailable' })
    expect(calls).toBe(3)
    expect(delays).toEqual([500, 1000])
  })

  it('stops at once when the server asks for a wait past the bound', async () => {
    const delays: number[] = []
    let calls = 0
    const failing = (): Promise<never> => {
      calls++
      return Promise.reject(new AppError('rate_limited', 'slow', { status: 429, retryAfterMs: 120_000 }))
    }
    await expect(withRetries(failing, policy(delays))).rejects.toMatchObject({ retryAfterMs: 120_000 })
    expect(calls).toBe(1)
  })

  it('is abortable while waiting', async () => {
    const controller = new AbortController()
    const started = Date.now()
    setTimeout(() => controller.abort(), 20)
    const failing = (): Promise<never> => Promise.reject(new AppError('unavailable', 'down', { status: 503 }))
    await expect(withRetries(failing, { ...defaultRetryPolicy, initialDelayMs: 10_000 }, controller.signal)).rejects.toMatchObject({
      code: 'aborted'
    })
    expect(Date.now() - started).toBeLessThan(2000)
    await expect(abortableSleep(10, AbortSignal.abort())).rejects.toMatchObject({ code: 'aborted' })
  })
})
