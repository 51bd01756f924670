import { describe, expect, it } from 'vitest'
import { MAX_ZOOM, ZoomState } from './zoom.svelte'

function sized(): ZoomState {
  const zoom = new ZoomState()
  zoom.setNatural(2000, 1000)
  zoom.setViewport(1000, 800)
  return zoom
}

describe('ZoomState', () => {
  it('fits the whole image by default and shows 100% on demand', () => {
    const zoom = sized()
    expect(zoom.mode).toBe('fit')
    expect(zoom.scale).toBe(0.5)
    expect(zoom.percent).toBe(50)
    expect(zoom.pannable).toBe(false)
    zoom.actual()
    expect(zoom.scale).toBe(1)
    expect(zoom.pannable).toBe(true)
    zoom.fit()
    expect(zoom.scale).toBe(0.5)
  })

  it('zooms around the pointer: the point under it stays put', () => {
    const zoom = sized()
    zoom.actual()
    // The image point under (200, 100) from the centre, before and after.
    const at = { x: 200, y: 100 }
    const imagePoint = { x: (at.x - zoom.x) / zoom.scale, y: (at.y - zoom.y) / zoom.scale }
    zoom.zoomBy(2, at)
    expect(zoom.mode).toBe('free')
    expect(zoom.scale).toBe(2)
    expect(imagePoint.x * zoom.scale + zoom.x).toBeCloseTo(at.x)
    expect(imagePoint.y * zoom.scale + zoom.y).toBeCloseTo(at.y)
  })

  it('pans no further than the overhang, and not at all when the image fits', () => {
    const zoom = sized()
    zoom.panBy(300, 300)
    expect([zoom.x, zoom.y]).toEqual([0, 0])
    zoom.actual()
    // 2000x1000 at 100% in 1000x800: 500 px over on each side horizontally, 100 vertically.
    zoom.panBy(-900, 900)
    expect([zoom.x, zoom.y]).toEqual([-500, 100])
    zoom.fit()
    expect([zoom.x, zoom.y]).toEqual([0, 0])
  })

  it('keeps the zoom within bounds; wheel up zooms in, down out', () => {
    const zoom = sized()
    for (let i = 0; i < 40; i++) zoom.zoomBy(2)
    expect(zoom.scale).toBe(MAX_ZOOM)
    zoom.fit()
    zoom.wheel(-100, { x: 0, y: 0 })
    expect(zoom.scale).toBeGreaterThan(0.5)
    zoom.fit()
    zoom.wheel(100, { x: 0, y: 0 })
    expect(zoom.scale).toBeLessThan(0.5)
  })
})
