/**
 * The contract, implemented: one entry per bridge method, each a thin call
 * into a service. TypeScript's mapped type makes a missing or extra entry a
 * compile error.
 */
import type { SettingsState } from '../shared/contract'
import { AppError } from '../shared/errors'
import type { HandlerTable } from './bridge'
import type { AppServices } from './app-services'

type Services = Omit<AppServices, 'handlers'>

export function buildHandlers(services: Services): HandlerTable {
  const { settings, keyVault, gateway, models, completions, streams, powers } = services
  const state = (): SettingsState => settingsState(services)

  return {
    'settings.get': () => state(),
    'settings.update': (patch) => {
      if (typeof patch !== 'object' || patch === null) throw new AppError('invalid_argument', 'Settings must be an object.')
      settings.update(patch)
      return state()
    },
    'settings.reset': () => {
      settings.reset()
      return state()
    },

    'key.set': async (args) => {
      const status = await keyVault.set(args?.key)
      models.invalidate()
      return status
    },
    'key.clear': async () => {
      const status = await keyVault.clear()
      models.invalidate()
      return status
    },
    'key.check': async () => {
      const key = keyVault.current()
      if (key === null) throw new AppError('no_key', 'No API key is set. Add one in Settings.')
      return gateway.checkKey(key)
    },

    'models.list': (args) => models.list({ refresh: args?.refresh === true }),
    'connection.test': async () => {
      const started = performance.now()
      const list = await gateway.listModels()
      return { baseUrl: settings.get().baseUrl, modelCount: list.length, latencyMs: Math.round(performance.now() - started) }
    },

    'completion.start': (request, { sink }) => completions.start(request, sink),
    'stream.abort': (args) => ({ aborted: typeof args?.requestId === 'string' && streams.abort(args.requestId) }),

    'app.info': () => ({ ...powers.appInfo, userDataDir: powers.userDataDir }),
    'app.openExternal': async (args) => {
      const url = parseExternalUrl(args?.url)
      await powers.openExternal(url)
    }
  }
}

export function settingsState({ settings, keyVault }: Pick<Services, 'settings' | 'keyVault'>): SettingsState {
  return { settings: settings.get(), key: keyVault.status(), notice: settings.notice ?? keyVault.loadProblem }
}

/** Only web links leave the app; file:, javascript: and custom schemes never do. */
export function parseExternalUrl(raw: unknown): string {
  if (typeof raw !== 'string') throw new AppError('invalid_argument', 'A link must be text.')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new AppError('invalid_argument', 'That link is not a valid address.')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('invalid_argument', `Only http and https links can be opened, not ${url.protocol}`)
  }
  return url.toString()
}
