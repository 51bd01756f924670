/**
 * Where the quick-ask window goes: on the display under the cursor, centred
 * across it and in its upper part, inside the work area (never under a
 * taskbar or dock). Pure, so multiple displays and vanished ones are tested
 * without a screen.
 */

export interface Point {
  x: number
  y: number
}

export interface Rect extends Point {
  width: number
  height: number
}

export interface DisplayInfo {
  id: number
  bounds: Rect
  /** The bounds less the taskbar, dock or panels. */
  workArea: Rect
}

/** Space kept free between the window and the work area's edges on a small display. */
const EDGE_MARGIN = 16

function contains(rect: Rect, point: Point): boolean {
  return point.x >= rect.x && point.x < rect.x + rect.width && point.y >= rect.y && point.y < rect.y + rect.height
}

function distanceSquared(rect: Rect, point: Point): number {
  const dx = Math.max(rect.x - point.x, 0, point.x - (rect.x + rect.width - 1))
  const dy = Math.max(rect.y - point.y, 0, point.y - (rect.y + rect.height - 1))
  return dx * dx + dy * dy
}

/**
 * The display the cursor is on; the nearest one when the cursor is in a gap
 * between displays of different sizes; the primary one as the last resort.
 * Null only when the OS reports no display at all.
 */
export function displayAt(displays: readonly DisplayInfo[], cursor: Point, primaryId: number | null): DisplayInfo | null {
  const under = displays.find((display) => contains(display.bounds, cursor))
  if (under) return under
  let nearest: DisplayInfo | null = null
  for (const display of displays) {
    if (!nearest || distanceSquared(display.bounds, cursor) < distanceSquared(nearest.bounds, cursor)) nearest = display
  }
  return nearest ?? displays.find((display) => display.id === primaryId) ?? null
}

/** The window's bounds on the cursor's display, shrunk to fit a small one; null when there is no display to place it on. */
export function placeQuickWindow(options: { displays: readonly DisplayInfo[]; cursor: Point; primaryId: number | null; size: { width: number; height: number } }): Rect | null {
  const display = displayAt(options.displays, options.cursor, options.primaryId)
  if (!display) return null
  const area = display.workArea
  const width = Math.max(1, Math.min(options.size.width, area.width - 2 * EDGE_MARGIN))
  const height = Math.max(1, Math.min(options.size.height, area.height - 2 * EDGE_MARGIN))
  return {
    x: area.x + Math.round((area.width - width) / 2),
    // A quarter of the free space above: where the eye goes, like a launcher.
    y: area.y + Math.round((area.height - height) / 4),
    width,
    height
  }
}

/** True when some part of the window is still on a display (after one was unplugged, it may be on none). */
export function isOnSomeDisplay(window: Rect, displays: readonly DisplayInfo[]): boolean {
  return displays.some(({ bounds }) => window.x < bounds.x + bounds.width && window.x + window.width > bounds.x && window.y < bounds.y + bounds.height && window.y + window.height > bounds.y)
}
