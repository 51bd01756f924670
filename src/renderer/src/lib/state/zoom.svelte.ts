/**
 * The viewer's zoom and pan: fit the window, 100%, or a free zoom around a
 * point (the wheel zooms around the pointer) with the image dragged about.
 * Offsets are in screen pixels from the viewport's centre; a pan never moves
 * the image further than its own overhang, so it cannot be lost off screen.
 */

export type ZoomMode = 'fit' | 'actual' | 'free'

export const MIN_ZOOM = 0.05
export const MAX_ZOOM = 8

interface Size {
  width: number
  height: number
}

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value))

export class ZoomState {
  mode = $state<ZoomMode>('fit')
  /** The scale in `actual` and `free` modes. */
  freeScale = $state(1)
  x = $state(0)
  y = $state(0)
  natural = $state.raw<Size>({ width: 0, height: 0 })
  viewport = $state.raw<Size>({ width: 0, height: 0 })

  /** The scale that shows the whole image in the viewport. */
  readonly fitScale: number = $derived(
    this.natural.width > 0 && this.natural.height > 0 && this.viewport.width > 0 && this.viewport.height > 0
      ? Math.min(this.viewport.width / this.natural.width, this.viewport.height / this.natural.height)
      : 1
  )
  readonly scale: number = $derived(this.mode === 'fit' ? this.fitScale : this.freeScale)
  readonly percent: number = $derived(Math.round(this.scale * 100))
  /** The image is larger than the viewport, so dragging moves it. */
  readonly pannable: boolean = $derived(
    this.natural.width * this.scale > this.viewport.width + 0.5 || this.natural.height * this.scale > this.viewport.height + 0.5
  )

  setNatural(width: number, height: number): void {
    this.natural = { width, height }
    this.#clampPan()
  }

  setViewport(width: number, height: number): void {
    this.viewport = { width, height }
    this.#clampPan()
  }

  fit(): void {
    this.mode = 'fit'
    this.x = 0
    this.y = 0
  }

  actual(): void {
    this.mode = 'actual'
    this.freeScale = 1
    this.x = 0
    this.y = 0
    this.#clampPan()
  }

  /**
   * Zooms by `factor` keeping the point `at` (from the viewport's centre, in
   * screen pixels) where it is; the centre by default.
   */
  zoomBy(factor: number, at: { x: number; y: number } = { x: 0, y: 0 }): void {
    const before = this.scale
    const after = clamp(before * factor, Math.min(MIN_ZOOM, this.fitScale), MAX_ZOOM)
    if (after === before) return
    const ratio = after / before
    this.x = at.x - (at.x - this.x) * ratio
    this.y = at.y - (at.y - this.y) * ratio
    this.freeScale = after
    this.mode = Math.abs(after - 1) < 1e-9 ? 'actual' : 'free'
    this.#clampPan()
  }

  /** Zoom from a wheel step: up zooms in, down zooms out. */
  wheel(deltaY: number, at: { x: number; y: number }): void {
    this.zoomBy(Math.exp(-clamp(deltaY, -200, 200) / 300), at)
  }

  panBy(dx: number, dy: number): void {
    this.x += dx
    this.y += dy
    this.#clampPan()
  }

  #clampPan(): void {
    const overX = Math.max(0, (this.natural.width * this.scale - this.viewport.width) / 2)
    const overY = Math.max(0, (this.natural.height * this.scale - this.viewport.height) / 2)
    // `|| 0` turns -0 into 0.
    this.x = clamp(this.x, -overX, overX) || 0
    this.y = clamp(this.y, -overY, overY) || 0
  }
}
