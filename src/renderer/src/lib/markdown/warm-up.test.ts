import { afterEach, describe, expect, it, vi } from 'vitest'
import { warmUpMarkdownWhenIdle } from './warm-up'

describe('markdown warm-up', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('renders its sample once the window is idle, not during start-up', () => {
    const callbacks: Array<() => void> = []
    const requestIdle = vi.fn((callback: () => void) => {
      callbacks.push(callback)
      return 1
    })
    vi.stubGlobal('requestIdleCallback', requestIdle)
    warmUpMarkdownWhenIdle()
    expect(requestIdle).toHaveBeenCalledWith(expect.any(Function), { timeout: 2_000 })
    expect(callbacks).toHaveLength(1)
    // The sample exercises math and code; rendering it must not throw.
    expect(() => callbacks[0]!()).not.toThrow()
  })
})
