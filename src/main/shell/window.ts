/**
 * Windows and what they may do. Every window is sandboxed with context
 * isolation, never navigates away from the app, and opens web and mail links
 * with the OS instead of inside itself.
 */
import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type Session, type WebContents, type WebPreferences } from 'electron'
import { APP_ORIGIN } from '../services/app-protocol'
import { parseExternalUrl } from '../handlers'

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: true
  }
}

/**
 * True for the app's own pages (and the dev server in development). Compares
 * scheme and host, and the dev server's whole origin: a prefix test would also
 * trust `http://localhost:51730` or `http://localhost:5173.evil.example`.
 */
export function isAppUrl(url: string | undefined, devServerUrl: string | undefined): boolean {
  if (!url) return false
  try {
    const parsed = new URL(url)
    const app = new URL(APP_ORIGIN)
    if (parsed.protocol === app.protocol && parsed.host === app.host) return true
    return devServerUrl !== undefined && parsed.origin === new URL(devServerUrl).origin
  } catch {
    return false
  }
}

/** Links never open inside the app: http(s) and mailto go to the OS, the rest is dropped. */
export function hardenWebContents(contents: WebContents, devServerUrl: string | undefined): void {
  const openOutside = (url: string): void => {
    try {
      void shell.openExternal(parseExternalUrl(url))
    } catch {
      // Not a web link: ignore it.
    }
  }
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url, devServerUrl)) return
    event.preventDefault()
    openOutside(url)
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/** Deny by default: clipboard writes (the copy buttons) are the only permission the app uses. */
export function isAllowedPermission(permission: string): boolean {
  return permission === 'clipboard-sanitized-write'
}

/**
 * Permissions for every page of the session, set once: requests (a prompt
 * would appear) and checks (a page asking whether it has one) answer alike,
 * and no device (USB, HID, serial, Bluetooth) is ever offered.
 */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(isAllowedPermission(permission)))
  session.setPermissionCheckHandler((_contents, permission) => isAllowedPermission(permission))
  session.setDevicePermissionHandler(() => false)
}

/** The main window's size before anything is saved, and its smallest. */
export const MAIN_WINDOW_DEFAULTS = { width: 1180, height: 780, minWidth: 720, minHeight: 480 }

export interface MainWindowOptions {
  preloadPath: string
  iconPath?: string
  devServerUrl?: string
  /** Its saved place, the theme's background and the saved zoom (see window-chrome.ts). */
  opening: { options: BrowserWindowConstructorOptions; maximized: boolean; fullScreen: boolean }
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const { webPreferences, ...opening } = options.opening.options
  const window = new BrowserWindow({
    ...opening,
    show: false,
    title: 'Skyport',
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: { ...webPreferences, ...secureWebPreferences(options.preloadPath) }
  })
  // Its links and navigation are guarded by the app's web-contents-created handler, like every page's.
  window.once('ready-to-show', () => {
    if (options.opening.fullScreen) window.setFullScreen(true)
    else if (options.opening.maximized) window.maximize()
    window.show()
  })
  if (options.devServerUrl) void window.loadURL(options.devServerUrl)
  else void window.loadURL(`${APP_ORIGIN}/index.html`)
  return window
}
