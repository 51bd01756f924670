import { describe, expect, it } from 'vitest'
import { displayAt, isOnSomeDisplay, placeQuickWindow } from '../../../src/main/services/desktop/placement'
import { display } from '../../support/desktop-fakes'

const size = { width: 640, height: 420 }
// A laptop at the origin, a 4K display to its right, a portrait one above the laptop (negative y).
const laptop = display(1, 0, 0, 1440, 900)
const wide = display(2, 1440, -200, 3840, 2160)
const portrait = display(3, 0, -1920, 1080, 1920)
const displays = [laptop, wide, portrait]

describe('quick-ask window placement', () => {
  it('goes on the display under the cursor, centred across its work area, in its upper part', () => {
    expect(placeQuickWindow({ displays, cursor: { x: 3000, y: 500 }, primaryId: 1, size })).toEqual({
      x: 1440 + (3840 - 640) / 2,
      y: -200 + Math.round((2120 - 420) / 4),
      width: 640,
      height: 420
    })
    expect(placeQuickWindow({ displays, cursor: { x: 500, y: -100 }, primaryId: 1, size })).toMatchObject({ x: 220, y: -1920 + Math.round((1880 - 420) / 4) })
    expect(placeQuickWindow({ displays, cursor: { x: 10, y: 10 }, primaryId: 2, size })).toMatchObject({ x: 400, y: Math.round((860 - 420) / 4) })
  })

  it('takes the nearest display when the cursor is in a gap between displays of different sizes', () => {
    // Above the laptop, left of the 4K display and right of the portrait one: nothing is there.
    expect(displayAt(displays, { x: 1400, y: -300 }, 1)?.id).toBe(2)
    expect(displayAt(displays, { x: 1100, y: -1000 }, 1)?.id).toBe(3)
  })

  it('shrinks to fit a small display and stays inside its work area', () => {
    const tiny = display(9, 100, 100, 500, 400)
    expect(placeQuickWindow({ displays: [tiny], cursor: { x: 200, y: 200 }, primaryId: 9, size })).toEqual({ x: 116, y: 108, width: 468, height: 328 })
  })

  it('has nowhere to go without a display; the primary one is the last resort', () => {
    expect(placeQuickWindow({ displays: [], cursor: { x: 0, y: 0 }, primaryId: null, size })).toBeNull()
    expect(displayAt([laptop], { x: 99_999, y: 99_999 }, 1)?.id).toBe(1)
  })

  it('tells whether a window is still on some display after one went away', () => {
    const onWide = { x: 3000, y: 300, width: 640, height: 420 }
    expect(isOnSomeDisplay(onWide, displays)).toBe(true)
    expect(isOnSomeDisplay(onWide, [laptop, portrait])).toBe(false)
    // Straddling the edge still counts: the person can reach it.
    expect(isOnSomeDisplay({ x: 1400, y: 0, width: 640, height: 420 }, [laptop])).toBe(true)
  })
})
