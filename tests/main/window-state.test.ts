/**
 * Window state restored at start against the displays there are now, the
 * state file kept per window, and what a window looks like before its page
 * paints (theme colour, zoom).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { restoreWindowState, WindowStateStore, type DisplayInfo, type SavedWindowState } from '../../src/main/services/window-state'
import { nextZoomLevel, windowBackground, zoomFactor, WINDOW_BACKGROUND } from '../../src/main/services/window-look'
import { SettingsService } from '../../src/main/services/settings'
import { openConfSettingsStore } from '../support/node-powers'

const defaults = { width: 1180, height: 780, minWidth: 720, minHeight: 480 }
const laptop: DisplayInfo = { id: 1, workArea: { x: 0, y: 25, width: 1440, height: 875 } }
// An external monitor to the right of the laptop.
const monitor: DisplayInfo = { id: 2, workArea: { x: 1440, y: 0, width: 2560, height: 1415 } }
// A monitor left of the primary display: negative coordinates are a real place.
const leftMonitor: DisplayInfo = { id: 3, workArea: { x: -1920, y: 0, width: 1920, height: 1040 } }

const saved = (x: number, y: number, width = 1200, height = 800, extra: Partial<SavedWindowState> = {}): SavedWindowState => ({
  bounds: { x, y, width, height },
  maximized: false,
  fullScreen: false,
  ...extra
})

describe('restoring a window', () => {
  it('opens at the default size, centred by the OS, the first time', () => {
    expect(restoreWindowState(null, [laptop], laptop, defaults)).toEqual({ bounds: { width: 1180, height: 780 }, maximized: false, fullScreen: false })
  })

  it('puts it back where it was on a display that is still there', () => {
    expect(restoreWindowState(saved(1600, 100), [laptop, monitor], laptop, defaults).bounds).toEqual({ x: 1600, y: 100, width: 1200, height: 800 })
    expect(restoreWindowState(saved(-1800, 40), [laptop, leftMonitor], laptop, defaults).bounds).toEqual({ x: -1800, y: 40, width: 1200, height: 800 })
  })

  it('opens on the primary display when the saved one is gone, shrunk to fit it', () => {
    // Saved on the external monitor, which is unplugged now.
    const restored = restoreWindowState(saved(2000, 200, 2000, 1200), [laptop], laptop, defaults)
    expect(restored.bounds).toEqual({ x: 0, y: 25, width: 1440, height: 875 })
    const small = restoreWindowState(saved(-1500, 100, 900, 600), [laptop], laptop, defaults)
    expect(small.bounds).toEqual({ x: 270, y: 163, width: 900, height: 600 })
  })

  it('moves a window whose title bar would be off screen (only its bottom edge peeking in)', () => {
    const restored = restoreWindowState(saved(100, -770, 1200, 800), [laptop], laptop, defaults)
    expect(restored.bounds.y).toBeGreaterThanOrEqual(laptop.workArea.y)
  })

  it('keeps maximised and full screen, and never goes below the minimum size', () => {
    const restored = restoreWindowState(saved(10, 40, 300, 200, { maximized: true, fullScreen: true }), [laptop], laptop, defaults)
    expect(restored).toEqual({ bounds: { x: 10, y: 40, width: 720, height: 480 }, maximized: true, fullScreen: true })
  })
})

describe('window state file', () => {
  it('keeps each window apart and survives a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skyport-window-'))
    const file = join(dir, 'window-state.json')
    const store = new WindowStateStore(file)
    await store.save('main', saved(10, 40))
    await store.save('quick', saved(500, 300, 640, 420))
    const again = new WindowStateStore(file)
    expect(again.get('main')).toEqual(saved(10, 40))
    expect(again.get('quick')?.bounds.width).toBe(640)
    expect(again.get('other')).toBeNull()
  })

  it('opens windows at their defaults from a broken file, keeping the entries that are fine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skyport-window-'))
    const file = join(dir, 'window-state.json')
    writeFileSync(file, '{ not json')
    expect(new WindowStateStore(file).get('main')).toBeNull()
    writeFileSync(file, JSON.stringify({ main: { bounds: { x: 'left' } }, quick: saved(1, 2), ['__proto__']: saved(3, 4) }))
    const store = new WindowStateStore(file)
    expect(store.get('main')).toBeNull()
    expect(store.get('quick')).toEqual(saved(1, 2))
    expect(readFileSync(file, 'utf8')).toContain('left')
  })
})

describe('window background and zoom', () => {
  it('paints the theme colour before the page does', () => {
    expect(windowBackground('dark', false)).toBe(WINDOW_BACKGROUND.dark)
    expect(windowBackground('light', true)).toBe(WINDOW_BACKGROUND.light)
    expect(windowBackground('system', true)).toBe(WINDOW_BACKGROUND.dark)
    expect(windowBackground('system', false)).toBe(WINDOW_BACKGROUND.light)
    // The same colours as the page's --bg, so nothing changes when it paints.
    const css = readFileSync(join(import.meta.dirname, '../../src/renderer/src/app.css'), 'utf8')
    expect(css).toMatch(new RegExp(`:root \\{[^}]*--bg: ${WINDOW_BACKGROUND.light};`))
    expect(css).toMatch(new RegExp(`:root\\[data-theme='dark'\\] \\{[^}]*--bg: ${WINDOW_BACKGROUND.dark};`))
  })

  it('steps the zoom by half a level within its range, and zero resets it', () => {
    expect(nextZoomLevel(0, 'in')).toBe(0.5)
    expect(nextZoomLevel(0.5, 'out')).toBe(0)
    expect(nextZoomLevel(4.8, 'in')).toBe(5)
    expect(nextZoomLevel(5, 'in')).toBe(5)
    expect(nextZoomLevel(-3, 'out')).toBe(-3)
    expect(nextZoomLevel(0.37, 'in')).toBe(1)
    expect(nextZoomLevel(2, 'reset')).toBe(0)
    expect(zoomFactor(0)).toBe(1)
    expect(zoomFactor(1)).toBeCloseTo(1.2)
  })

  it('keeps the zoom and the message text size across restarts, and refuses values out of range', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skyport-zoom-'))
    const open = () => new SettingsService({ openStore: () => openConfSettingsStore(dir), filePath: join(dir, 'settings.json') })
    const first = open()
    expect(first.get().appearance).toEqual({ zoomLevel: 0, messageFontSize: 14 })
    const level = nextZoomLevel(nextZoomLevel(first.get().appearance.zoomLevel, 'in'), 'in')
    first.update({ appearance: { zoomLevel: level } })
    first.update({ appearance: { messageFontSize: 17 } })
    expect(open().get().appearance).toEqual({ zoomLevel: 1, messageFontSize: 17 })
    expect(() => first.update({ appearance: { zoomLevel: 9 } })).toThrow(/zoomLevel/)
    expect(open().get().appearance.zoomLevel).toBe(1)
  })

  it('gives a settings file from before these keys the defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skyport-zoom-'))
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ theme: 'dark' }))
    const service = new SettingsService({ openStore: () => openConfSettingsStore(dir), filePath: join(dir, 'settings.json') })
    expect(service.get().theme).toBe('dark')
    expect(service.get().appearance.zoomLevel).toBe(0)
    expect(service.get().spellcheck).toEqual({ enabled: true, languages: [] })
    expect(service.get().updates).toEqual({ autoCheck: true })
    expect(service.notice).toBeNull()
  })
})
