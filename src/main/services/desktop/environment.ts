/**
 * What this desktop lets the app do, from the platform, the environment and
 * Electron's ozone switch: global shortcuts (native, through the Wayland
 * portal, or none), whether the app may place its own windows, and which
 * tray icon reads on its panel.
 */
import type { ShortcutEnvironment } from './shortcut'

export interface DesktopEnvironment {
  /** A Wayland session with Electron running as a native Wayland client. */
  nativeWayland: boolean
  shortcuts: ShortcutEnvironment
  /** Wayland compositors place windows themselves and ignore the app's position (electron #40886). */
  canPlaceWindows: boolean
}

export function isWaylandSession(env: NodeJS.ProcessEnv): boolean {
  return env['XDG_SESSION_TYPE'] === 'wayland' || Boolean(env['WAYLAND_DISPLAY'])
}

/**
 * `ozonePlatform` is the value of Electron's `--ozone-platform` switch, if
 * given. Without it Electron (38 and later) runs natively on Wayland in a
 * Wayland session; with `x11` it runs through XWayland, where a global
 * shortcut only fires while an X11 window has the focus (electron #15863),
 * which is as good as none.
 */
export function desktopEnvironment(options: { platform: NodeJS.Platform; env: NodeJS.ProcessEnv; ozonePlatform: string }): DesktopEnvironment {
  if (options.platform !== 'linux' || !isWaylandSession(options.env)) return { nativeWayland: false, shortcuts: 'native', canPlaceWindows: true }
  const forcedX11 = options.ozonePlatform === 'x11' || options.env['ELECTRON_OZONE_PLATFORM_HINT'] === 'x11'
  if (forcedX11) return { nativeWayland: false, shortcuts: 'none', canPlaceWindows: true }
  return { nativeWayland: true, shortcuts: 'portal', canPlaceWindows: false }
}

/**
 * The tray icon file in resources/ for this OS: a template image on macOS
 * (black and alpha; the menu bar tints it), a multi-size .ico on Windows
 * (the coloured tile reads on light and dark taskbars), and on Linux a
 * monochrome glyph that contrasts with the panel.
 */
export function trayIconFile(platform: NodeJS.Platform, darkPanel: boolean): string {
  if (platform === 'darwin') return 'trayTemplate.png'
  if (platform === 'win32') return 'tray.ico'
  return darkPanel ? 'tray-light.png' : 'tray-dark.png'
}
