import { describe, expect, it } from 'vitest'
import { desktopEnvironment, trayIconFile } from '../../../src/main/services/desktop/environment'

describe('desktop environment', () => {
  it('has native shortcuts and window placement on Windows, macOS and X11', () => {
    const native = { nativeWayland: false, shortcuts: 'native', canPlaceWindows: true }
    expect(desktopEnvironment({ platform: 'win32', env: {}, ozonePlatform: '' })).toEqual(native)
    expect(desktopEnvironment({ platform: 'darwin', env: { WAYLAND_DISPLAY: 'wayland-0' }, ozonePlatform: '' })).toEqual(native)
    expect(desktopEnvironment({ platform: 'linux', env: { XDG_SESSION_TYPE: 'x11', DISPLAY: ':0' }, ozonePlatform: '' })).toEqual(native)
  })

  it('uses the global shortcuts portal on native Wayland, where the compositor places windows', () => {
    expect(desktopEnvironment({ platform: 'linux', env: { XDG_SESSION_TYPE: 'wayland' }, ozonePlatform: '' })).toEqual({ nativeWayland: true, shortcuts: 'portal', canPlaceWindows: false })
    expect(desktopEnvironment({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-1' }, ozonePlatform: 'wayland' }).shortcuts).toBe('portal')
  })

  it('has no usable global shortcuts under XWayland', () => {
    expect(desktopEnvironment({ platform: 'linux', env: { XDG_SESSION_TYPE: 'wayland' }, ozonePlatform: 'x11' })).toEqual({ nativeWayland: false, shortcuts: 'none', canPlaceWindows: true })
    expect(desktopEnvironment({ platform: 'linux', env: { XDG_SESSION_TYPE: 'wayland', ELECTRON_OZONE_PLATFORM_HINT: 'x11' }, ozonePlatform: '' }).shortcuts).toBe('none')
  })

  it('picks a template image on macOS, an .ico on Windows and a glyph that contrasts with a Linux panel', () => {
    expect(trayIconFile('darwin', true)).toBe('trayTemplate.png')
    expect(trayIconFile('win32', false)).toBe('tray.ico')
    expect(trayIconFile('linux', true)).toBe('tray-light.png')
    expect(trayIconFile('linux', false)).toBe('tray-dark.png')
  })
})
