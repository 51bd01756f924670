import { afterEach, describe, expect, it, vi } from 'vitest'
import { installMediaBackend, makeJob, MEDIA_NOW } from '../../test-support/fake-media'
import { JobsStore } from './jobs.svelte'

afterEach(() => {
  vi.useRealTimers()
})

describe('JobsStore', () => {
  it('listens before it lists, so a change during the listing is kept', async () => {
    const media = installMediaBackend()
    media.addJob({ id: 'a', state: 'queued' })
    const store = new JobsStore({ now: () => MEDIA_NOW })
    const started = store.init()
    expect(media.bridge.listenerCount('jobs.changed')).toBe(1)
    expect(media.bridge.listenerCount('jobs.queue')).toBe(1)
    await started
    expect(media.bridge.callsOf('jobs.list')).toEqual([{ active: true }])
    expect(store.get('a')?.state).toBe('queued')

    // A second init does not listen twice.
    await store.init()
    expect(media.bridge.listenerCount('jobs.changed')).toBe(1)
    store.dispose()
    expect(media.bridge.listenerCount('jobs.changed')).toBe(0)
  })

  it('keeps the newest record when an invoke answer arrives after the events', () => {
    installMediaBackend()
    const store = new JobsStore({ now: () => MEDIA_NOW })
    store.accept(makeJob({ id: 'a', state: 'running', updatedAt: MEDIA_NOW + 500 }))
    store.track([makeJob({ id: 'a', state: 'queued', updatedAt: MEDIA_NOW })])
    expect(store.get('a')?.state).toBe('running')
    expect(store.active.map((job) => job.id)).toEqual(['a'])
    store.accept(makeJob({ id: 'a', state: 'saved', updatedAt: MEDIA_NOW + 900 }))
    expect(store.active).toEqual([])
  })

  it('ticks a clock only while something waits, for elapsed times and rate-limit countdowns', async () => {
    vi.useFakeTimers()
    let now = MEDIA_NOW
    const media = installMediaBackend({ now: () => now })
    const store = new JobsStore({ now: () => now })
    await store.init()
    const job = media.addJob({ id: 'j', state: 'queued', createdAt: now })
    store.track([job])

    now += 3_000
    vi.advanceTimersByTime(3_000)
    expect(store.elapsedMs(store.get('j')!)).toBe(3_000)

    media.pause('imagine', now + 42_000)
    expect(store.pauseLeftMs(store.get('j')!)).toBe(42_000)
    now += 2_000
    vi.advanceTimersByTime(2_000)
    expect(store.pauseLeftMs(store.get('j')!)).toBe(40_000)
    expect(store.queuePauseLeftMs('imagine')).toBe(40_000)

    // A running job does not wait for the pause any more.
    media.run('j')
    expect(store.pauseLeftMs(store.get('j')!)).toBe(0)

    // Once nothing is active and the pause is over, the clock stops.
    media.save('j')
    now += 60_000
    vi.advanceTimersByTime(60_000)
    const stopped = store.now
    now += 5_000
    vi.advanceTimersByTime(5_000)
    expect(store.now).toBe(stopped)
    expect(store.elapsedMs(store.get('j')!)).toBe(5_000)
  })

  it('counts a waiting job down to its own run time', () => {
    installMediaBackend()
    const store = new JobsStore({ now: () => MEDIA_NOW })
    store.accept(makeJob({ id: 'w', state: 'waiting', runAt: MEDIA_NOW + 9_500 }))
    expect(store.pauseLeftMs(store.get('w')!)).toBe(9_500)
    store.dispose()
  })

  it('resolves whenSettled once a job ends, and at once for a finished one', async () => {
    const media = installMediaBackend()
    const store = new JobsStore({ now: () => MEDIA_NOW })
    await store.init()
    const job = media.addJob({ id: 'x' })
    store.track([job])
    const settled = store.whenSettled('x')
    media.run('x')
    media.failJob('x', { code: 'server_error', message: 'boom' })
    expect((await settled).error?.message).toBe('boom')
    expect((await store.whenSettled('x')).state).toBe('failed')
  })

  it('cancels, cancels all and retries through main', async () => {
    const media = installMediaBackend()
    const store = new JobsStore({ now: () => MEDIA_NOW })
    await store.init()
    store.track([media.addJob({ id: 'a' }), media.addJob({ id: 'b' }), media.addJob({ id: 'c', queue: 'imagine2' })])

    await store.cancel('a')
    expect(media.bridge.callsOf('jobs.cancel')).toEqual([{ id: 'a' }])
    expect(store.get('a')?.state).toBe('cancelled')

    expect(await store.cancelAll('imagine')).toBe(1)
    expect(media.bridge.callsOf('jobs.cancelAll')).toEqual([{ queue: 'imagine' }])
    expect(store.get('b')?.state).toBe('cancelled')
    expect(store.get('c')?.state).toBe('queued')
    await store.cancelAll()
    expect(media.bridge.callsOf('jobs.cancelAll')[1]).toEqual({})

    const retried = await store.retry('a')
    expect(media.bridge.callsOf('jobs.retry')).toEqual([{ id: 'a' }])
    expect(retried.state).toBe('queued')
    expect(store.get('a')?.state).toBe('queued')

    media.bridge.fail('jobs.retry', { code: 'not_found', message: 'No job zz' })
    await expect(store.retry('zz')).rejects.toMatchObject({ code: 'not_found' })
  })
})
