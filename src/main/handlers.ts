/**
 * The contract, implemented: one entry per bridge method, each a thin call
 * into a service. TypeScript's mapped type makes a missing or extra entry a
 * compile error.
 */
import type { ConversationSettings, SettingsState } from '../shared/contract'
import { AppError } from '../shared/errors'
import type { HandlerTable } from './bridge'
import type { AppServices } from './app-services'

type Services = Omit<AppServices, 'handlers'>

export function buildHandlers(services: Services): HandlerTable {
  const { settings, keyVault, gateway, models, completions, streams, powers, chatStore, chat, attachments, transfer } = services
  const state = (): SettingsState => settingsState(services)

  return {
    'settings.get': () => state(),
    'settings.update': (patch) => {
      settings.update(patch)
      return state()
    },
    'settings.reset': () => {
      settings.reset()
      return state()
    },

    'key.set': async (args) => {
      const status = await keyVault.set(args.key)
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
    'stream.abort': (args) => ({ aborted: streams.abort(args.requestId) }),

    'conversations.list': () => chatStore.listConversations(),
    'conversations.get': (args) => chatStore.getConversation(args.id),
    'conversations.create': (args) => {
      const base: ConversationSettings = { model: settings.get().defaultModels.chat, systemPrompt: '', params: {}, stream: true }
      const preset = args?.presetId === undefined ? null : chatStore.listPresets().find((candidate) => candidate.id === args.presetId)
      if (preset === undefined) throw new AppError('not_found', 'That preset no longer exists.')
      const fromPreset: Partial<ConversationSettings> = preset
        ? { systemPrompt: preset.systemPrompt, params: preset.params, ...(preset.model ? { model: preset.model } : {}) }
        : {}
      return chatStore.createConversation({ ...base, ...fromPreset, ...withoutUndefined(args?.settings ?? {}) })
    },
    'conversations.rename': (args) => chatStore.renameConversation(args.id, args.title),
    'conversations.pin': (args) => chatStore.pinConversation(args.id, args.pinned),
    'conversations.delete': (args) => {
      chatStore.trashConversation(args.id)
      return { id: args.id }
    },
    'conversations.restore': (args) => chatStore.restoreConversation(args.id),
    'conversations.updateSettings': (args) => chatStore.updateConversationSettings(args.id, withoutUndefined(args.settings)),
    'conversations.search': (args) => chatStore.search(args.query, args.limit ?? 50),
    'conversations.export': (args) => transfer.exportOne(args.id, args.format),
    'conversations.exportAll': () => transfer.exportAll(),
    'conversations.import': () => transfer.importFromFile(),

    'chat.send': (args, { sink }) => chat.send(args, sink),
    'chat.regenerate': (args, { sink }) => chat.regenerate(args, sink),
    'chat.edit': (args, { sink }) => chat.edit(args, sink),
    'chat.switchVersion': (args) => chatStore.switchVersion(args.messageId),

    'presets.list': () => chatStore.listPresets(),
    'presets.save': (args) => chatStore.savePreset({ ...args, params: withoutUndefined(args.params), model: args.model ?? null }),
    'presets.delete': (args) => {
      chatStore.deletePreset(args.id)
      return { id: args.id }
    },

    'attachments.pick': async () => {
      const paths = await powers.dialogs.openFiles({
        title: 'Attach images',
        filters: [{ name: 'Images', extensions: ['png', 'jpg', 'jpeg', 'webp', 'gif', 'heic', 'avif'] }],
        multiple: true
      })
      return Promise.all(paths.map((path) => attachments.addFromFile(path)))
    },
    // The schema capped the base64 text's length, so decoding cannot blow up memory.
    'attachments.add': (args) => attachments.add({ name: args.name, mime: args.mime, data: Buffer.from(args.data, 'base64') }),

    'app.info': () => ({ ...powers.appInfo, userDataDir: powers.userDataDir }),
    'app.openExternal': async (args) => {
      const url = parseExternalUrl(args.url)
      await powers.openExternal(url)
    }
  }
}

export function settingsState({ settings, keyVault }: Pick<Services, 'settings' | 'keyVault'>): SettingsState {
  return { settings: settings.get(), key: keyVault.status(), notice: settings.notice ?? keyVault.loadProblem }
}

/**
 * Optional fields a schema let through as `undefined` (IPC keeps them) are
 * dropped, so spreading a patch never overwrites a value with nothing.
 */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as never
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
