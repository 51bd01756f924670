/**
 * How a window looks before and after its page paints: the background colour
 * that matches the theme (so dark mode never flashes white while the page
 * loads) and the zoom level Ctrl/Cmd + plus, minus and zero step.
 */
import type { Theme } from '../../shared/contract'
import { ZOOM_LEVEL_RANGE, ZOOM_LEVEL_STEP } from '../../shared/limits'

/** The page's `--bg` in each theme (src/renderer/src/app.css). */
export const WINDOW_BACKGROUND = { light: '#f6f6f8', dark: '#111114' } as const

/** `system` follows the OS (Electron's nativeTheme.shouldUseDarkColors). */
export function windowBackground(theme: Theme, osPrefersDark: boolean): string {
  const dark = theme === 'dark' || (theme === 'system' && osPrefersDark)
  return dark ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light
}

export type ZoomStep = 'in' | 'out' | 'reset'

/** The next zoom level, kept within range and on the step grid (a hand-edited 0.37 snaps back onto it). */
export function nextZoomLevel(level: number, step: ZoomStep): number {
  if (step === 'reset') return 0
  const [low, high] = ZOOM_LEVEL_RANGE
  const snapped = Math.round(level / ZOOM_LEVEL_STEP) * ZOOM_LEVEL_STEP
  const next = snapped + (step === 'in' ? ZOOM_LEVEL_STEP : -ZOOM_LEVEL_STEP)
  return Math.min(high, Math.max(low, next))
}

/** Chromium's factor for a level (each whole level is ×1.2), for `webPreferences.zoomFactor` before the page loads. */
export function zoomFactor(level: number): number {
  return 1.2 ** level
}
