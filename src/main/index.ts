/**
 * The Electron shell: app lifecycle, the main window, the app:// protocol
 * and the IPC wiring. Everything else lives in plain-Node services built by
 * createAppServices.
 */
import { app, BrowserWindow, ipcMain } from 'electron'
import { join } from 'node:path'
import { createAppServices, type AppServices } from './app-services'
import { eventChannel } from '../shared/contract'
import { registerBridge } from './shell/ipc'
import { electronPowers } from './shell/powers'
import { handleAppProtocol, registerAppSchemePrivileges } from './shell/protocol'
import { createMainWindow, hardenWebContents, isAppUrl } from './shell/window'

const here = import.meta.dirname
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined

registerAppSchemePrivileges()

let services: AppServices | null = null
let mainWindow: BrowserWindow | null = null

function showMainWindow(): void {
  if (mainWindow && !mainWindow.isDestroyed()) {
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.show()
    mainWindow.focus()
    return
  }
  mainWindow = createMainWindow({
    preloadPath: join(here, '../preload/index.cjs'),
    iconPath: join(here, '../../resources/icon.png'),
    devServerUrl
  })
  const ownerId = mainWindow.webContents.id
  mainWindow.on('closed', () => {
    services?.streams.abortOwnedBy(ownerId)
    mainWindow = null
  })
}

async function start(): Promise<void> {
  services = await createAppServices(electronPowers())
  const running = services
  handleAppProtocol({ renderer: join(here, '../renderer'), media: join(running.powers.userDataDir, 'media') })
  registerBridge(ipcMain, running.handlers, {
    redact: (text) => running.keyVault.redact(text),
    isTrustedSender: (_contents, frameUrl) => isAppUrl(frameUrl, devServerUrl),
    onInternalError: (method, error) => console.error(`[bridge] ${method} failed:`, error)
  })
  running.onBroadcast((event, payload) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) window.webContents.send(eventChannel(event), payload)
    }
  })
  showMainWindow()
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', showMainWindow)
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, devServerUrl))
  app.on('activate', showMainWindow)
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  // Hold the quit until stopped answers are saved and the database is closed.
  let closing = false
  app.on('before-quit', (event) => {
    if (closing || !services) return
    event.preventDefault()
    closing = true
    void services.close().finally(() => app.quit())
  })
  app.whenReady().then(start, (error: unknown) => {
    console.error('Skyport failed to start:', error)
    app.exit(1)
  })
}
