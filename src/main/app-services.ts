/**
 * Builds every service from the powers the host provides. The Electron
 * shell, the browser test host and the benchmarks all start the app through
 * this one function, so what the tests drive is what ships.
 */
import { join } from 'node:path'
import type { AppInfo, EventName, PayloadOf } from '../shared/contract'
import type { HandlerTable } from './bridge'
import { buildHandlers, settingsState } from './handlers'
import { CompletionService } from './services/completions'
import { GatewayClient } from './services/gateway'
import { HttpClient } from './services/http/client'
import { KeyVault, type SecretCipher } from './services/key-vault'
import { ModelsService } from './services/models'
import { SettingsService, type SettingsFile } from './services/settings'
import { StreamRegistry } from './services/streams'

/** What the host (Electron, or plain Node in tests) gives the services. */
export interface Powers {
  userDataDir: string
  /** electron-store in the app, conf elsewhere; both validate with settingsSchema. */
  openSettingsStore: () => SettingsFile
  cipher: SecretCipher
  openExternal: (url: string) => Promise<void>
  appInfo: Omit<AppInfo, 'userDataDir'>
}

export interface AppServices {
  powers: Powers
  settings: SettingsService
  keyVault: KeyVault
  http: HttpClient
  gateway: GatewayClient
  models: ModelsService
  streams: StreamRegistry
  completions: CompletionService
  handlers: HandlerTable
  /** Events for every window (settings changed, say), not for one caller. */
  onBroadcast(listener: BroadcastListener): () => void
  close(): Promise<void>
}

export type BroadcastListener = <E extends EventName>(event: E, payload: PayloadOf<E>) => void

export const SETTINGS_FILE = 'settings.json'
export const KEY_FILE = 'api-key.bin'

export async function createAppServices(powers: Powers): Promise<AppServices> {
  const settings = new SettingsService({
    openStore: powers.openSettingsStore,
    filePath: join(powers.userDataDir, SETTINGS_FILE)
  })
  const keyVault = new KeyVault({ cipher: powers.cipher, filePath: join(powers.userDataDir, KEY_FILE) })
  await keyVault.load()

  const http = new HttpClient(() => {
    const current = settings.get()
    return { baseUrl: current.baseUrl, apiKey: keyVault.current(), timeouts: current.timeouts, proxy: current.proxy }
  })
  const gateway = new GatewayClient(http)
  const models = new ModelsService(gateway)
  const streams = new StreamRegistry()
  const completions = new CompletionService({ gateway, streams })

  const broadcastListeners = new Set<BroadcastListener>()
  settings.onChange(() => {
    // A new server or proxy may know other models.
    models.invalidate()
    const payload = settingsState({ settings, keyVault })
    for (const listener of broadcastListeners) listener('settings.changed', payload)
  })

  const services: Omit<AppServices, 'handlers'> = {
    powers,
    settings,
    keyVault,
    http,
    gateway,
    models,
    streams,
    completions,
    onBroadcast(listener) {
      broadcastListeners.add(listener)
      return () => broadcastListeners.delete(listener)
    },
    async close() {
      streams.abortAll()
      await http.close()
    }
  }
  return Object.assign(services, { handlers: buildHandlers(services) })
}
