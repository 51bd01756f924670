/**
 * Electron's desktop parts adapted to the desktop service's ports: the tray
 * and its menu, globalShortcut, screen, notifications, login items and the
 * quick-ask window. No decisions here: what the menu holds, where the window
 * goes and when it hides are the service's (src/main/services/desktop).
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { app, BrowserWindow, globalShortcut, Menu, nativeImage, nativeTheme, Notification, screen, Tray, type Display } from 'electron'
import { APP_ORIGIN } from '../services/app-protocol'
import { autostartDir, LinuxAutostart, type LoginItems } from '../services/desktop/autostart'
import { QUICK_WINDOW_SIZE, type DesktopPorts, type DesktopService, type MainWindowPort, type QuickWindowPort, type TrayPort } from '../services/desktop/desktop-service'
import { trayIconFile, type DesktopEnvironment } from '../services/desktop/environment'
import { HIDDEN_FLAG } from '../services/desktop/launch-args'
import type { DisplayInfo } from '../services/desktop/placement'
import type { TrayAction } from '../services/desktop/tray-menu'
import type { SettingsService } from '../services/settings'
import type { WindowStateStore } from '../services/window-state'
import { eventChannel } from '../../shared/contract'
import { secureWebPreferences } from './window'
import { windowOpening, zoomOnWheel } from './window-chrome'

export interface ElectronDesktopOptions {
  desktop: DesktopService
  environment: DesktopEnvironment
  mainWindow: MainWindowPort
  preloadPath: string
  resourcesDir: string
  devServerUrl?: string | undefined
  iconPath?: string | undefined
  /** The theme and zoom the quick-ask window opens with. */
  settings: SettingsService
  windowStates: WindowStateStore
  quit: () => void
}

/** The ports plus what the shell must clean up at quit. */
export interface ElectronDesktop {
  ports: DesktopPorts
  dispose(): void
}

export function electronDesktop(options: ElectronDesktopOptions): ElectronDesktop {
  const { desktop } = options
  const quick = createQuickWindow(options)
  const tray = createTray(options, (action) => desktop.trayAction(action))
  const displaysChanged = (): void => desktop.displaysChanged()
  screen.on('display-removed', displaysChanged)
  screen.on('display-metrics-changed', displaysChanged)

  const ports: DesktopPorts = {
    platform: process.platform,
    quickWindow: quick.port,
    mainWindow: options.mainWindow,
    screen: {
      displays: () => screen.getAllDisplays().map(displayInfo),
      primaryId: () => screen.getPrimaryDisplay().id,
      cursor: () => screen.getCursorScreenPoint()
    },
    tray: tray?.port ?? null,
    shortcuts: {
      register: (accelerator, onPress) => globalShortcut.register(accelerator, onPress),
      unregister: (accelerator) => globalShortcut.unregister(accelerator)
    },
    shortcutEnvironment: options.environment.shortcuts,
    loginItems: loginItems(),
    notifier: Notification.isSupported()
      ? { notify: (title, body) => new Notification({ title, body, ...(options.iconPath ? { icon: options.iconPath } : {}) }).show() }
      : null,
    canPlaceWindows: options.environment.canPlaceWindows,
    quit: options.quit
  }
  return {
    ports,
    dispose() {
      screen.off('display-removed', displaysChanged)
      screen.off('display-metrics-changed', displaysChanged)
      tray?.destroy()
      if (!quick.window.isDestroyed()) quick.window.destroy()
    }
  }
}

function displayInfo(display: Display): DisplayInfo {
  return { id: display.id, bounds: display.bounds, workArea: display.workArea }
}

/**
 * Created hidden at start and reused, so it shows at once. It closes only
 * when the app quits; otherwise closing (Alt+F4) hides it.
 *
 * It opens like every app window, in the theme's colour at the saved zoom,
 * but its place is not kept: the desktop service puts it on the cursor's
 * display at every show, and its size is fixed, so there is nothing of the
 * person's to restore (no saved entry is ever read, and none is written).
 */
function createQuickWindow(options: ElectronDesktopOptions): { window: BrowserWindow; port: QuickWindowPort } {
  const { desktop } = options
  const size = { ...QUICK_WINDOW_SIZE, minWidth: QUICK_WINDOW_SIZE.width, minHeight: QUICK_WINDOW_SIZE.height }
  const { backgroundColor, webPreferences } = windowOpening('quick', size, options.windowStates, options.settings).options
  const window = new BrowserWindow({
    ...QUICK_WINDOW_SIZE,
    show: false,
    frame: false,
    resizable: false,
    movable: true,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    title: 'Skyport quick ask',
    backgroundColor,
    // The saved zoom, as the main window's; the security settings always win.
    webPreferences: { ...webPreferences, ...secureWebPreferences(options.preloadPath) }
  })
  zoomOnWheel(window, options.settings)
  // Above full-screen apps too. On macOS this causes a false blur on show, which the service ignores.
  window.setAlwaysOnTop(true, 'floating')
  if (process.platform === 'darwin') window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true })
  window.on('blur', () => desktop.quickAskBlurred())
  window.on('close', (event) => {
    if (desktop.quitting) return
    event.preventDefault()
    window.hide()
  })
  // `quick.show` reaches the page only once it has loaded; a show before that waits for it.
  let loaded = false
  const waiting: unknown[] = []
  window.webContents.on('did-finish-load', () => {
    loaded = true
    for (const payload of waiting.splice(0)) window.webContents.send(eventChannel('quick.show'), payload)
  })
  window.webContents.on('did-start-loading', () => (loaded = false))
  if (options.devServerUrl) void window.loadURL(new URL('quick.html', options.devServerUrl).toString())
  else void window.loadURL(`${APP_ORIGIN}/quick.html`)

  const port: QuickWindowPort = {
    isVisible: () => !window.isDestroyed() && window.isVisible(),
    isFocused: () => !window.isDestroyed() && window.isFocused(),
    getBounds: () => window.getBounds(),
    setBounds: (bounds) => window.setBounds(bounds),
    showAndFocus() {
      if (window.isDestroyed()) return
      window.show()
      window.focus()
    },
    hide: () => {
      if (window.isDestroyed()) return
      window.hide()
      // macOS would bring the app's other windows forward; give the focus back to the app the person came from.
      if (process.platform === 'darwin' && !BrowserWindow.getAllWindows().some((other) => other !== window && other.isVisible())) app.hide()
    },
    send(payload) {
      if (window.isDestroyed()) return
      if (loaded) window.webContents.send(eventChannel('quick.show'), payload)
      else waiting.splice(0, waiting.length, payload)
    }
  }
  return { window, port }
}

/** Null when the OS refuses a tray icon; closing the main window then closes it. */
function createTray(options: ElectronDesktopOptions, onAction: (action: TrayAction) => void): { port: TrayPort; destroy(): void } | null {
  const iconFor = (): Electron.NativeImage => {
    const dark = process.platform === 'win32' ? nativeTheme.shouldUseDarkColorsForSystemIntegratedUI : nativeTheme.shouldUseDarkColors
    return nativeImage.createFromPath(join(options.resourcesDir, trayIconFile(process.platform, dark)))
  }
  let tray: Tray
  try {
    tray = new Tray(iconFor())
  } catch {
    return null
  }
  tray.setToolTip('Skyport')
  // Where the OS delivers a left click (Windows; some Linux panels), it opens quick ask; the menu has everything anyway.
  tray.on('click', () => onAction('quick-ask'))
  const followTheme = (): void => {
    if (process.platform !== 'darwin' && !tray.isDestroyed()) tray.setImage(iconFor())
  }
  nativeTheme.on('updated', followTheme)
  return {
    port: {
      setMenu(entries) {
        if (tray.isDestroyed()) return
        const menu = Menu.buildFromTemplate(
          entries.map((entry) =>
            entry.type === 'separator'
              ? { type: 'separator' as const }
              : {
                  label: entry.label,
                  // Shown only: the global shortcut is registered by the service, not by the menu.
                  ...(entry.accelerator ? { accelerator: entry.accelerator, registerAccelerator: false } : {}),
                  click: () => onAction(entry.action)
                }
          )
        )
        tray.setContextMenu(menu)
      }
    },
    destroy() {
      nativeTheme.off('updated', followTheme)
      if (!tray.isDestroyed()) tray.destroy()
    }
  }
}

/**
 * macOS and Windows: the login items API (on Windows with `--hidden`, so a
 * login start stays in the tray). Linux: the XDG autostart file, starting the
 * AppImage itself when the app runs from one.
 */
function loginItems(): LoginItems | null {
  if (process.platform === 'linux') {
    const executable = process.env['APPIMAGE'] ?? process.execPath
    const command = app.isPackaged ? [executable, HIDDEN_FLAG] : [executable, app.getAppPath(), HIDDEN_FLAG]
    return new LinuxAutostart({ dir: autostartDir(process.env, homedir()), command })
  }
  if (process.platform !== 'darwin' && process.platform !== 'win32') return null
  const args = process.platform === 'win32' ? [HIDDEN_FLAG] : []
  return {
    isEnabled: async () => app.getLoginItemSettings({ args }).openAtLogin,
    setEnabled: async (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, args })
  }
}
