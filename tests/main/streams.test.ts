import { afterEach, describe, expect, it, vi } from 'vitest'
import { DeltaCoalescer } from '../../src/main/services/coalescer'
import { StreamRegistry } from '../../src/main/services/streams'

describe('StreamRegistry', () => {
  it('aborts a stream by id and forgets it', () => {
    const registry = new StreamRegistry()
    const signal = registry.begin('req-1', 7)
    expect(registry.abort('req-1')).toBe(true)
    expect(signal.aborted).toBe(true)
    expect(registry.abort('req-1')).toBe(false)
    expect(registry.size).toBe(0)
  })

  it('refuses a duplicate or malformed id', () => {
    const registry = new StreamRegistry()
    registry.begin('same', 1)
    expect(() => registry.begin('same', 1)).toThrow(/already running/)
    expect(() => registry.begin('../../etc', 1)).toThrow(/request id/)
  })

  it('stops only the streams of a closed window', () => {
    const registry = new StreamRegistry()
    const mine = registry.begin('a', 1)
    const other = registry.begin('b', 2)
    expect(registry.abortOwnedBy(1)).toBe(1)
    expect(mine.aborted).toBe(true)
    expect(other.aborted).toBe(false)
    expect(registry.size).toBe(1)
  })
})

describe('DeltaCoalescer', () => {
  afterEach(() => vi.useRealTimers())

  it('sends one batch per frame however many tokens arrive', () => {
    vi.useFakeTimers()
    const batches: Array<{ content: string; reasoning: string }> = []
    const coalescer = new DeltaCoalescer((batch) => batches.push(batch), 16)
    for (let i = 0; i < 100; i++) coalescer.push(`t${i} `, '')
    expect(batches).toHaveLength(0)
    vi.advanceTimersByTime(16)
    expect(batches).toHaveLength(1)
    expect(batches[0]!.content.split(' ').filter(Boolean)).toHaveLength(100)
    coalescer.push('', 'thinking')
    coalescer.flush()
    expect(batches[1]).toEqual({ content: '', reasoning: 'thinking' })
    vi.advanceTimersByTime(100)
    expect(batches).toHaveLength(2)
  })

  it('cancel drops pending text', () => {
    vi.useFakeTimers()
    const batches: unknown[] = []
    const coalescer = new DeltaCoalescer((batch) => batches.push(batch))
    coalescer.push('x', '')
    coalescer.cancel()
    vi.advanceTimersByTime(100)
    expect(batches).toHaveLength(0)
  })
})
