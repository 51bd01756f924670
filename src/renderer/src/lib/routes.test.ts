import { describe, expect, it, vi } from 'vitest'
import type { Component } from 'svelte'
import { prefetchRoutes, routes, type Route, type ViewProps } from './routes'

describe('prefetchRoutes', () => {
  it('loads the chunks of the screens marked prefetch, and only once the window is idle', async () => {
    const view = {} as Component<ViewProps>
    const prefetched = vi.fn(() => Promise.resolve(view))
    const failing = vi.fn(() => Promise.reject(new Error('offline')))
    const other = vi.fn(() => Promise.resolve(view))
    const list: Route[] = [
      { id: 'a', label: 'A', icon: 'library', load: prefetched, prefetch: true },
      { id: 'b', label: 'B', icon: 'image', load: failing, prefetch: true },
      { id: 'c', label: 'C', icon: 'models', load: other }
    ]
    const idle: Array<() => void> = []
    prefetchRoutes(list, (run) => idle.push(run))
    expect(prefetched).not.toHaveBeenCalled()
    expect(idle).toHaveLength(2)
    for (const run of idle) run()
    expect(prefetched).toHaveBeenCalledOnce()
    // A failed prefetch is no error: the screen reports it if it still fails when opened.
    expect(failing).toHaveBeenCalledOnce()
    await Promise.resolve()
    expect(other).not.toHaveBeenCalled()
  })

  it('prefetches the library', () => {
    expect(routes.find((route) => route.id === 'library')?.prefetch).toBe(true)
  })
})
