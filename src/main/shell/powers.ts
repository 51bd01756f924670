/**
 * Electron's powers, adapted to the small interfaces the services take.
 */
import { readFile } from 'node:fs/promises'
import { app, clipboard, ClipboardItem, Notification, safeStorage, shell } from 'electron'
import ElectronStore from 'electron-store'
import type { KeyProtection, Settings } from '../../shared/contract'
import type { Powers } from '../app-services'
import type { LogWriter } from '../services/log'
import { AppError } from '../../shared/errors'
import type { SecretCipher } from '../services/key-vault'
import type { SettingsFile } from '../services/settings'
import { electronDialogs } from './dialogs'
import type { Notifier } from '../services/sound/songs'
import { showContextMenu } from './context-menu'
// A CommonJS package: its named exports come through the default import.
import electronUpdaterModule from 'electron-updater'
import type { Updater } from '../services/updates'
import { defaultSettings, settingsSchema } from '../services/settings-schema'

/** safeStorage's async API; on Linux, `basic_text` means no secret service. */
export const safeStorageCipher: SecretCipher = {
  async protection(): Promise<KeyProtection> {
    if (!(await safeStorage.isAsyncEncryptionAvailable())) return 'unavailable'
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return 'basic_text'
    return 'os'
  },
  encrypt: (plain) => safeStorage.encryptStringAsync(plain),
  async decrypt(data) {
    const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(data)
    return { text: result, shouldReEncrypt }
  }
}

export function openElectronSettingsStore(): SettingsFile {
  return new ElectronStore<Settings>({
    name: 'settings',
    schema: settingsSchema as never,
    defaults: defaultSettings,
    clearInvalidConfig: false
  }) as unknown as SettingsFile
}

/** shell.openPath resolves to an error message, empty on success. */
export async function openFolder(path: string): Promise<void> {
  const problem = await shell.openPath(path)
  if (problem) throw new AppError('internal', `The folder ${path} could not be opened: ${problem}`)
}

/** Library images are PNG files; the clipboard takes them as they are. */
async function copyImageFile(path: string): Promise<void> {
  const bytes = await readFile(path)
  await clipboard.write([new ClipboardItem({ 'image/png': new Blob([bytes], { type: 'image/png' }) })])
}

/** Electron's Notification; where the desktop has none, nothing is shown (the song is in the library all the same). */
export const electronNotifier: Notifier = {
  notify({ title, body, onClick }) {
    if (!Notification.isSupported()) return
    const notification = new Notification({ title, body, silent: false })
    if (onClick) notification.on('click', onClick)
    notification.show()
  }
}

export function electronPowers(log: LogWriter): Powers {
  return {
    userDataDir: app.getPath('userData'),
    openSettingsStore: openElectronSettingsStore,
    cipher: safeStorageCipher,
    openExternal: (url) => shell.openExternal(url),
    openPath: openFolder,
    trashItem: (path) => shell.trashItem(path),
    showItemInFolder: (path) => shell.showItemInFolder(path),
    copyImageFile: copyImageFile,
    log,
    dialogs: electronDialogs,
    notifier: electronNotifier,
    appInfo: { name: app.getName(), version: app.getVersion(), platform: process.platform },
    showContextMenu,
    updater: app.isPackaged ? electronUpdater(log) : null,
    readClipboardText: async () => clipboard.readText()
  }
}

/**
 * electron-updater's updater for this platform, reading the publish config
 * electron-builder wrote into the package (GitHub releases). It downloads a
 * found update in the background and installs a downloaded one at the next
 * quit if the person never clicked "Restart to update".
 */
function electronUpdater(log: LogWriter): Updater {
  const { autoUpdater } = electronUpdaterModule
  autoUpdater.autoDownload = true
  autoUpdater.autoInstallOnAppQuit = true
  autoUpdater.logger = {
    info: (message?: unknown) => log('info', `updater: ${String(message)}`),
    warn: (message?: unknown) => log('warn', `updater: ${String(message)}`),
    error: (message?: unknown) => log('error', `updater: ${String(message)}`),
    debug: () => undefined
  }
  return autoUpdater as unknown as Updater
}
