/**
 * What every app window shares: its saved size and place, the theme's
 * background before the page paints, the saved zoom, and the spellchecker's
 * languages. The decisions are plain functions in services/ (window-state,
 * window-look, spellcheck); this file only applies them to Electron.
 */
import { BrowserWindow, nativeTheme, screen, type BrowserWindowConstructorOptions, type Session } from 'electron'
import type { SettingsService } from '../services/settings'
import { spellcheckLanguages } from '../services/spellcheck'
import { nextZoomLevel, windowBackground, zoomFactor, type ZoomStep } from '../services/window-look'
import { restoreWindowState, type WindowDefaults, type WindowStateStore } from '../services/window-state'

/** Where and how a window opens: its saved place on today's displays, the theme's colour, the saved zoom. */
export function windowOpening(name: string, defaults: WindowDefaults, store: WindowStateStore, settings: SettingsService): {
  options: BrowserWindowConstructorOptions
  maximized: boolean
  fullScreen: boolean
} {
  const displays = screen.getAllDisplays().map((display) => ({ id: display.id, workArea: display.workArea }))
  const primary = screen.getPrimaryDisplay()
  const restored = restoreWindowState(store.get(name), displays, { id: primary.id, workArea: primary.workArea }, defaults)
  const current = settings.get()
  return {
    options: {
      ...restored.bounds,
      minWidth: defaults.minWidth,
      minHeight: defaults.minHeight,
      backgroundColor: windowBackground(current.theme, nativeTheme.shouldUseDarkColors),
      webPreferences: { zoomFactor: zoomFactor(current.appearance.zoomLevel) }
    },
    maximized: restored.maximized,
    fullScreen: restored.fullScreen
  }
}

/** Saves the window's place a moment after it stops moving, and when it closes. */
export function keepWindowState(window: BrowserWindow, name: string, store: WindowStateStore, onError: (error: unknown) => void): void {
  let timer: NodeJS.Timeout | undefined
  const save = (): void => {
    clearTimeout(timer)
    if (window.isDestroyed()) return
    // The size it returns to from maximised or full screen, so a restore is not stuck at screen size.
    const bounds = window.getNormalBounds()
    store.save(name, { bounds, maximized: window.isMaximized(), fullScreen: window.isFullScreen() }).catch(onError)
  }
  const later = (): void => {
    clearTimeout(timer)
    timer = setTimeout(save, 500)
  }
  for (const event of ['resize', 'move', 'maximize', 'unmaximize', 'enter-full-screen', 'leave-full-screen'] as const) window.on(event as 'resize', later)
  window.on('close', save)
}

/** The theme's background on every window when the theme or the OS's mode changes (the page repaints itself). */
export function followThemeBackground(settings: SettingsService): void {
  const apply = (): void => {
    const colour = windowBackground(settings.get().theme, nativeTheme.shouldUseDarkColors)
    for (const window of BrowserWindow.getAllWindows()) if (!window.isDestroyed()) window.setBackgroundColor(colour)
  }
  nativeTheme.on('updated', apply)
  settings.onChange(apply)
}

/** Ctrl/Cmd + plus, minus, zero and Ctrl + wheel: one level for every window, saved for the next start. */
export function zoomWindows(settings: SettingsService, step: ZoomStep): void {
  const level = nextZoomLevel(settings.get().appearance.zoomLevel, step)
  settings.update({ appearance: { zoomLevel: level } })
  for (const window of BrowserWindow.getAllWindows()) if (!window.isDestroyed()) window.webContents.setZoomLevel(level)
}

/** Ctrl + wheel asks for a zoom; Electron leaves doing it to the app. */
export function zoomOnWheel(window: BrowserWindow, settings: SettingsService): void {
  window.webContents.on('zoom-changed', (_event, direction) => zoomWindows(settings, direction === 'in' ? 'in' : 'out'))
}

/** The spellchecker's languages and on/off from the settings, now and when they change. */
export function followSpellcheck(session: Session, settings: SettingsService, osLocale: string, onError: (error: unknown) => void): void {
  let applied = ''
  const apply = (): void => {
    const { enabled, languages } = settings.get().spellcheck
    const key = JSON.stringify([enabled, languages])
    if (key === applied) return
    applied = key
    try {
      session.setSpellCheckerEnabled(enabled)
      // macOS uses the OS's spellchecker, which picks its languages itself.
      if (process.platform !== 'darwin') session.setSpellCheckerLanguages(spellcheckLanguages(languages, session.availableSpellCheckerLanguages, osLocale))
    } catch (error) {
      onError(error)
    }
  }
  apply()
  settings.onChange(apply)
}
