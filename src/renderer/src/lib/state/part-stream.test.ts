import { describe, expect, it } from 'vitest'
import { OrderedLoader } from './part-stream'

/** A load the test finishes by hand, recording what was asked and when. */
function manualLoads() {
  const asked: string[] = []
  const pending = new Map<string, { resolve: (bytes: ArrayBuffer) => void; reject: (error: Error) => void }>()
  const load = (url: string) =>
    new Promise<ArrayBuffer>((resolve, reject) => {
      asked.push(url)
      pending.set(url, { resolve, reject })
    })
  const settle = async (url: string, error?: Error) => {
    const waiting = pending.get(url)
    if (!waiting) throw new Error(`${url} was not asked for`)
    if (error) waiting.reject(error)
    else waiting.resolve(new TextEncoder().encode(url).buffer)
    await Promise.resolve()
    await Promise.resolve()
  }
  return { asked, load, settle }
}

describe('OrderedLoader', () => {
  it('reads one part at a time in index order, so the first part never waits behind the others', async () => {
    const loads = manualLoads()
    const loaded: number[] = []
    const loader = new OrderedLoader(loads.load, (index) => loaded.push(index), (error) => { throw error })
    // Parts announced in a burst, one out of order, one twice.
    loader.add(1, 'p1')
    loader.add(0, 'p0')
    loader.add(2, 'p2')
    loader.add(0, 'p0')
    expect(loads.asked).toEqual(['p0'])
    await loads.settle('p0')
    expect(loaded).toEqual([0])
    expect(loads.asked).toEqual(['p0', 'p1'])
    await loads.settle('p1')
    await loads.settle('p2')
    expect(loaded).toEqual([0, 1, 2])
    expect(loads.asked).toEqual(['p0', 'p1', 'p2'])
    // Already read: announced again (a status answer after the events), not read again.
    loader.add(1, 'p1')
    expect(loads.asked).toHaveLength(3)
  })

  it('waits for a part that has not been announced yet, and reports a failed read', async () => {
    const loads = manualLoads()
    const errors: string[] = []
    const loader = new OrderedLoader(loads.load, () => {}, (error) => errors.push(error.message))
    loader.add(1, 'p1')
    expect(loads.asked).toEqual([])
    loader.add(0, 'p0')
    await loads.settle('p0', new Error('gone'))
    expect(errors).toEqual(['gone'])
    expect(loads.asked).toEqual(['p0'])
  })

  it('reads nothing more once stopped', async () => {
    const loads = manualLoads()
    const loaded: number[] = []
    const loader = new OrderedLoader(loads.load, (index) => loaded.push(index), () => {})
    loader.add(0, 'p0')
    loader.add(1, 'p1')
    loader.stop()
    await loads.settle('p0')
    expect(loaded).toEqual([])
    expect(loads.asked).toEqual(['p0'])
  })
})
