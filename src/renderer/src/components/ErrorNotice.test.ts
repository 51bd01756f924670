import { fireEvent, render, screen } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import { AppError } from '@shared/errors'
import ErrorNotice from './ErrorNotice.svelte'

describe('ErrorNotice', () => {
  it('names a rejected key, with the server message, status and code', () => {
    render(ErrorNotice, {
      props: { error: new AppError('unauthorized', 'Invalid API key provided.', { status: 401 }) }
    })
    const notice = screen.getByTestId('error-notice')
    expect(notice.dataset.code).toBe('unauthorized')
    expect(notice.textContent).toContain('The server rejected the API key')
    expect(notice.textContent).toContain('Invalid API key provided.')
    expect(notice.textContent).toContain('HTTP 401')
  })

  it('says the server could not be reached for network errors', () => {
    render(ErrorNotice, { props: { error: { code: 'network', message: 'connect ECONNREFUSED 127.0.0.1:9' } } })
    const notice = screen.getByTestId('error-notice')
    expect(notice.dataset.code).toBe('network')
    expect(notice.textContent).toContain('Could not reach the server')
    expect(notice.textContent).toContain('ECONNREFUSED')
    expect(notice.textContent).not.toContain('HTTP')
  })

  it('tells how long to wait when rate limited', () => {
    render(ErrorNotice, {
      props: {
        error: { code: 'rate_limited', message: 'Rate limit exceeded (1 request(s) per minute).', status: 429, retryAfterMs: 55_200 }
      }
    })
    const text = screen.getByTestId('error-notice').textContent ?? ''
    expect(text).toContain('Rate limit reached')
    expect(text).toMatch(/Rate limit reached\s+Try again in 56 s/)
    expect(text).toContain('HTTP 429')
    // "Rate limit" once: the server's words keep only what they add.
    expect(text.match(/rate ?limit/gi)).toHaveLength(1)
    expect(text).toContain('1 request(s) per minute')
  })

  it('says rate limit once for the gateway notice sent as an answer', () => {
    render(ErrorNotice, { props: { error: { code: 'rate_limited', message: "The server's rate limit was reached: Ratelimit Exceeded!" } } })
    const text = screen.getByTestId('error-notice').textContent ?? ''
    expect(text.match(/rate ?limit/gi)).toHaveLength(1)
  })

  it('counts the wait down and drops the label when it is over', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    try {
      render(ErrorNotice, { props: { error: { code: 'rate_limited', message: 'Too many requests', retryAfterMs: 3_000 } } })
      expect(screen.getByTestId('retry-countdown').textContent).toBe('Try again in 3 s')
      vi.advanceTimersByTime(1_000)
      await vi.waitFor(() => expect(screen.getByTestId('retry-countdown').textContent).toBe('Try again in 2 s'))
      vi.advanceTimersByTime(2_100)
      await vi.waitFor(() => expect(screen.queryByTestId('retry-countdown')).toBeNull())
    } finally {
      vi.useRealTimers()
    }
  })

  it('adds the hint describeError gives for a missing key', () => {
    render(ErrorNotice, { props: { error: { code: 'no_key', message: 'No API key is set.' } } })
    const text = screen.getByTestId('error-notice').textContent ?? ''
    expect(text).toContain('No API key is set')
    expect(text).toContain('Add one in Settings.')
  })

  it('calls onretry from its retry button, and has no button without it', async () => {
    const onretry = vi.fn()
    const { unmount } = render(ErrorNotice, { props: { error: { code: 'timeout', message: 'slow' }, onretry } })
    await fireEvent.click(screen.getByRole('button', { name: /try again/i }))
    expect(onretry).toHaveBeenCalledTimes(1)
    unmount()

    render(ErrorNotice, { props: { error: { code: 'timeout', message: 'slow' } } })
    expect(screen.queryByRole('button')).toBeNull()
  })

  it('shows server text as plain text, never as markup', () => {
    const message = '<img src=x onerror="alert(1)"><b>bold</b>'
    const { container } = render(ErrorNotice, { props: { error: { code: 'server_error', message, status: 500 } } })
    expect(container.querySelector('img')).toBeNull()
    expect(container.querySelector('b')).toBeNull()
    expect(screen.getByTestId('error-notice').textContent).toContain(message)
  })
})
