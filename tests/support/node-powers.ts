/**
 * The services' powers in plain Node, for tests, the browser test host and
 * benchmarks: conf for the settings file (the library electron-store wraps,
 * same schema), and an AES-GCM cipher standing in for the OS keychain, which
 * only exists inside Electron.
 */
import { mkdirSync, renameSync } from 'node:fs'
import { basename, join } from 'node:path'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import Conf from 'conf'
import type { KeyProtection, Settings } from '../../src/shared/contract'
import type { ConfirmOptions, Powers } from '../../src/main/app-services'
import type { SecretCipher } from '../../src/main/services/key-vault'
import type { SettingsFile } from '../../src/main/services/settings'
import { defaultSettings, settingsSchema } from '../../src/main/services/settings-schema'

const MAGIC = Buffer.from('SKY1')

/** Encrypts like safeStorage would: ciphertext that never contains the plain text. */
export class TestCipher implements SecretCipher {
  readonly #key: Buffer
  protectionLevel: KeyProtection
  encryptCalls = 0

  constructor(options: { protection?: KeyProtection; key?: Buffer } = {}) {
    this.protectionLevel = options.protection ?? 'os'
    this.#key = options.key ?? Buffer.alloc(32, 7)
  }

  async protection(): Promise<KeyProtection> {
    return this.protectionLevel
  }

  async encrypt(plain: string): Promise<Buffer> {
    if (this.protectionLevel === 'unavailable') throw new Error('Encryption is not available.')
    this.encryptCalls++
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body])
  }

  async decrypt(data: Buffer): Promise<{ text: string; shouldReEncrypt: boolean }> {
    if (!data.subarray(0, 4).equals(MAGIC)) throw new Error('Not our ciphertext.')
    const iv = data.subarray(4, 16)
    const tag = data.subarray(16, 32)
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv)
    decipher.setAuthTag(tag)
    const text = Buffer.concat([decipher.update(data.subarray(32)), decipher.final()]).toString('utf8')
    return { text, shouldReEncrypt: false }
  }
}

export function openConfSettingsStore(userDataDir: string): SettingsFile {
  return new Conf<Settings>({
    projectName: 'skyport',
    cwd: userDataDir,
    configName: 'settings',
    schema: settingsSchema as never,
    defaults: defaultSettings,
    clearInvalidConfig: false
  }) as unknown as SettingsFile
}

/** Answers the dialogs would give, queued by a test; an empty queue is a cancel. */
export interface DialogScript {
  save: string[]
  open: string[][]
  /** true picks the confirm button. */
  confirm: boolean[]
  /** Every confirm dialog shown, in order. */
  confirmsShown: ConfirmOptions[]
  /** Folders to answer the folder picker with; empty is a cancel. */
  folders: string[]
}

export interface NodePowers extends Powers {
  opened: string[]
  /** Folders opened with openPath. */
  openedPaths: string[]
  /** Log lines as written, `level text`. */
  logged: string[]
  /** Files moved to the (pretend) OS trash: moved under `<userData>/os-trash/`, so they are gone from where they were. */
  trashed: string[]
  /** Files shown in the file manager. */
  revealed: string[]
  /** Image files put on the clipboard. */
  copiedImages: string[]
  dialogScript: DialogScript
  /** Desktop notifications shown, in order; `click()` does what clicking it in the OS does. */
  notifications: Array<{ title: string; body: string; click: () => void }>
  /** What `readClipboardText` answers; `clipboardReads` counts the reads. */
  clipboard: { text: string; reads: number }
}

export function nodePowers(options: { userDataDir: string; cipher?: SecretCipher }): NodePowers {
  const opened: string[] = []
  const openedPaths: string[] = []
  const logged: string[] = []
  const trashed: string[] = []
  const revealed: string[] = []
  const copiedImages: string[] = []
  const dialogScript: DialogScript = { save: [], open: [], confirm: [], confirmsShown: [], folders: [] }
  const notifications: NodePowers['notifications'] = []
  const clipboard = { text: '', reads: 0 }
  const powers: NodePowers = {
    userDataDir: options.userDataDir,
    openSettingsStore: () => openConfSettingsStore(options.userDataDir),
    cipher: options.cipher ?? new TestCipher(),
    openExternal: async (url) => {
      opened.push(url)
    },
    openPath: async (path) => {
      openedPaths.push(path)
    },
    trashItem: async (path) => {
      const bin = join(options.userDataDir, 'os-trash')
      mkdirSync(bin, { recursive: true })
      renameSync(path, join(bin, `${trashed.length}-${basename(path)}`))
      trashed.push(path)
    },
    showItemInFolder: (path) => void revealed.push(path),
    copyImageFile: async (path) => void copiedImages.push(path),
    log: (level, text) => void logged.push(`${level} ${text}`),
    dialogs: {
      saveFile: async () => dialogScript.save.shift() ?? null,
      openFiles: async () => dialogScript.open.shift() ?? [],
      openFolder: async () => dialogScript.folders.shift() ?? null,
      confirm: async (options) => {
        dialogScript.confirmsShown.push(options)
        return dialogScript.confirm.shift() ?? false
      }
    },
    notifier: {
      notify: ({ title, body, onClick }) => void notifications.push({ title, body, click: () => onClick?.() })
    },
    appInfo: { name: 'Skyport', version: '0.0.0-test', platform: process.platform },
    notifications,
    opened,
    openedPaths,
    logged,
    trashed,
    revealed,
    copiedImages,
    dialogScript,
    readClipboardText: async () => {
      clipboard.reads++
      return clipboard.text
    },
    clipboard
  }
  return powers
}
