/**
 * The contract, implemented: one entry per bridge method, each a thin call
 * into a service. TypeScript's mapped type makes a missing or extra entry a
 * compile error.
 */
import type { ConversationSettings, SettingsState } from '../shared/contract'
import { AppError } from '../shared/errors'
import type { HandlerTable } from './bridge'
import { checkConversationSettings, checkModel } from './services/chat/validate'
import type { AppServices } from './app-services'

type Services = Omit<AppServices, 'handlers'>

export function buildHandlers(services: Services): HandlerTable {
  const { settings, keyVault, gateway, models, completions, streams, powers, chatStore, chat, attachments, transfer } = services
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

    'conversations.list': () => chatStore.listConversations(),
    'conversations.get': (args) => chatStore.getConversation(args?.id),
    'conversations.create': (args) => {
      const base: ConversationSettings = { model: settings.get().defaultModels.chat, systemPrompt: '', params: {}, stream: true }
      const preset = args?.presetId === undefined ? null : chatStore.listPresets().find((candidate) => candidate.id === args.presetId)
      if (preset === undefined) throw new AppError('not_found', 'That preset no longer exists.')
      const fromPreset: Partial<ConversationSettings> = preset
        ? { systemPrompt: preset.systemPrompt, params: preset.params, ...(preset.model ? { model: preset.model } : {}) }
        : {}
      return chatStore.createConversation({ ...base, ...fromPreset, ...checkConversationSettings(args?.settings) })
    },
    'conversations.rename': (args) => chatStore.renameConversation(args?.id, args?.title),
    'conversations.pin': (args) => chatStore.pinConversation(args?.id, args?.pinned === true),
    'conversations.delete': (args) => {
      chatStore.trashConversation(args?.id)
      return { id: args.id }
    },
    'conversations.restore': (args) => chatStore.restoreConversation(args?.id),
    'conversations.updateSettings': (args) => chatStore.updateConversationSettings(args?.id, checkConversationSettings(args?.settings)),
    'conversations.search': (args) => chatStore.search(typeof args?.query === 'string' ? args.query : '', clampLimit(args?.limit)),
    'conversations.export': (args) => transfer.exportOne(args?.id, args?.format === 'json' ? 'json' : 'markdown'),
    'conversations.exportAll': (_args, { sink }) => transfer.exportAll(sink),
    'conversations.import': (_args, { sink }) => transfer.importFromFile(sink),

    'chat.send': (args, { sink }) => chat.send(args, sink),
    'chat.regenerate': (args, { sink }) => chat.regenerate(args, sink),
    'chat.edit': (args, { sink }) => chat.edit(args, sink),
    'chat.switchVersion': (args) => chatStore.switchVersion(args?.messageId),

    'presets.list': () => chatStore.listPresets(),
    'presets.save': (args) => {
      if (typeof args?.name !== 'string' || args.name.trim() === '' || args.name.length > 100) {
        throw new AppError('invalid_argument', 'A preset needs a name of at most 100 characters.')
      }
      const checked = checkConversationSettings({ systemPrompt: args.systemPrompt ?? '', params: args.params })
      const model = args.model === null || args.model === undefined || args.model === '' ? null : checkModel(args.model)
      return chatStore.savePreset({ id: args.id, name: args.name.trim(), systemPrompt: checked.systemPrompt ?? '', params: checked.params ?? {}, model })
    },
    'presets.delete': (args) => {
      chatStore.deletePreset(args?.id)
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
    'attachments.add': (args) => {
      if (typeof args?.data !== 'string') throw new AppError('invalid_argument', 'The image data is missing.')
      return attachments.add({ name: String(args.name ?? 'image'), mime: String(args.mime ?? ''), data: Buffer.from(args.data, 'base64') })
    },

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

function clampLimit(limit: unknown): number {
  return typeof limit === 'number' && Number.isInteger(limit) ? Math.min(Math.max(limit, 1), 200) : 50
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
