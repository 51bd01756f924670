/**
 * The contract, implemented: one entry per bridge method, each a thin call
 * into a service. TypeScript's mapped type makes a missing or extra entry a
 * compile error.
 */
import { mkdir } from 'node:fs/promises'
import { createReadStream } from 'node:fs'
import { basename, extname, join } from 'node:path'
import type { ConversationSettings, KeyStatus, SettingsState } from '../shared/contract'
import { AppError } from '../shared/errors'
import { LIMITS } from '../shared/limits'
import { toColumns } from '../shared/library-columns'
import type { HandlerTable } from './bridge'
import { writeFileAtomic } from './services/files/atomic-write'
import { LOG_DIR } from './services/log'
import type { AppServices } from './app-services'
import { serverOrigin } from './services/key-vault'
import { targetContextMenu } from './services/context-menus'

type Services = Omit<AppServices, 'handlers'>

export function buildHandlers(services: Services): HandlerTable {
  const { settings, keyVault, gateway, models, completions, streams, powers, chatStore, chat, attachments, transfer, jobs, library, images, speech, songs, desktop, everyWindow } = services
  const state = (): SettingsState => settingsState(services)
  const baseUrl = (): string => settings.get().baseUrl
  const keyStatus = (): KeyStatus => keyVault.status(baseUrl())
  /** Files exports wrote this session: the only paths the window may ask to show in a folder. */
  const exportedFiles = new Set<string>()
  const remember = <R extends { path: string | null }>(result: R): R => {
    if (result.path !== null) exportedFiles.add(result.path)
    return result
  }

  /**
   * The saved key goes to another server only when the person says so, in a
   * dialog main shows: the renderer alone can never move it.
   */
  async function offerKeyToCurrentServer(): Promise<void> {
    const savedFor = keyVault.origin
    const target = serverOrigin(baseUrl())
    if (savedFor === null || savedFor === target) return
    const send = await powers.dialogs.confirm({
      title: 'API key',
      message: `Send your API key to ${target}?`,
      detail: `The key was saved for ${savedFor}. If you don't send it, requests to ${target} go without a key; you can send it later or enter another key in Settings.`,
      confirmLabel: 'Send the key',
      cancelLabel: "Don't send"
    })
    // Only if nothing moved while the dialog was open.
    if (send && keyVault.origin === savedFor && serverOrigin(baseUrl()) === target) await keyVault.bindTo(baseUrl())
  }

  /** Runs a settings change; when it moves the base URL to another server, offers the key there. */
  async function changeSettings(change: () => void): Promise<SettingsState> {
    const before = serverOrigin(baseUrl())
    change()
    if (serverOrigin(baseUrl()) !== before) await offerKeyToCurrentServer()
    return state()
  }

  return {
    'settings.get': () => state(),
    'settings.update': (patch) => {
      return changeSettings(() => settings.update(patch))
    },
    'settings.reset': () => changeSettings(() => settings.reset()),

    'key.set': async (args) => {
      await keyVault.set(args.key, baseUrl())
      return keyStatus()
    },
    'key.clear': async () => {
      await keyVault.clear()
      return keyStatus()
    },
    'key.bind': async () => {
      if (keyVault.origin === null) throw new AppError('no_key', 'No API key is set. Add one in Settings.')
      await offerKeyToCurrentServer()
      return keyStatus()
    },
    'key.check': async () => {
      const status = keyStatus()
      if (status.set && !status.appliesToBaseUrl) {
        throw new AppError(
          'no_key',
          `The saved API key is for ${status.origin}, so it is not sent to ${serverOrigin(baseUrl())}. Send it there or enter a key for this server in Settings.`
        )
      }
      return gateway.checkKey()
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
    'conversations.get': (args) => chatStore.getConversation(args.id, args.last === undefined ? {} : { last: args.last }),
    'conversations.earlier': (args) => chatStore.threadAbove(args.id, args.before),
    'conversations.create': (args) => {
      const base: ConversationSettings = { model: settings.get().defaultModels.chat, systemPrompt: '', params: {}, stream: true }
      const preset = args?.presetId === undefined ? null : chatStore.listPresets().find((candidate) => candidate.id === args.presetId)
      if (preset === undefined) throw new AppError('not_found', 'That preset no longer exists.')
      const fromPreset: Partial<ConversationSettings> = preset
        ? { systemPrompt: preset.systemPrompt, params: preset.params, ...(preset.model ? { model: preset.model } : {}) }
        : {}
      return chatStore.createConversation({ ...base, ...fromPreset, ...withoutUndefined(args?.settings ?? {}) }, undefined, { quick: args?.quick === true })
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
    'conversations.export': async (args) => remember(await transfer.exportOne(args.id, args.format)),
    'conversations.exportAll': async (_args, { sink }) => remember(await transfer.exportAll(sink)),
    'conversations.import': (_args, { sink }) => transfer.importFromFile(sink),

    'chat.send': (args, { sink }) => chat.send(args, sink),
    'chat.regenerate': (args, { sink }) => chat.regenerate(args, sink),
    'chat.edit': (args, { sink }) => chat.edit(args, sink),
    'chat.switchVersion': (args) => chatStore.switchVersion(args.messageId),
    'chat.continue': (args, { sink }) => chat.continue(args, sink),
    'chat.deleteMessage': (args) => chatStore.deleteMessage(args.messageId),
    'chat.fork': (args) => chatStore.forkConversation(args.messageId),

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

    'jobs.list': (args) => jobs.list(withoutUndefined(args ?? {})),
    'jobs.queues': () => jobs.queues(),
    'jobs.cancel': (args) => jobs.cancel(args.id),
    'jobs.cancelAll': (args) => jobs.cancelAll(args?.queue),
    'jobs.retry': (args) => jobs.retry(args.id),

    'images.generate': (args) => images.generate(args),
    'images.models': () => images.models(),

    'vision.describe': (args) => images.describe(args.mediaId, args.model),
    'vision.preview': (args) => images.preview(args.url),
    'vision.describeUrl': (args) => images.describeUrl(args.url, args.model),
    'vision.keepPreview': (args) => images.keepPreview(args.previewId, args.description),

    'library.query': (args) => toColumns(library.query(withoutUndefined(args ?? {}))),
    'library.get': (args) => library.get(args.id),
    'library.star': (args) => library.star(args.ids, args.starred),
    'library.collections': () => library.collections(),
    'library.createCollection': (args) => library.createCollection(args.name),
    'library.addToCollection': (args) => library.addToCollection(args.ids, args.collectionId),
    'library.removeFromCollection': (args) => library.removeFromCollection(args.ids, args.collectionId),
    'library.trash': (args) => library.trash(args.ids),
    'library.restore': (args) => library.restore(args.ids),
    'library.deleteForever': (args) => library.deleteForever(args.ids),
    'library.exportItems': (args) => library.exportItems(args.ids),
    'library.saveCopy': (args) => library.saveCopy(args.id),
    'library.reveal': (args) => library.reveal(args.id),
    'library.open': (args) => library.open(args.id),
    'library.copyImage': (args) => library.copyImage(args.id),
    'library.startDrag': (args, context) => {
      const item = library.get(args.id)
      if (!context.startDrag) throw new AppError('invalid_argument', 'Files can only be dragged out of the app window.')
      context.startDrag({ file: library.filePath(item.id), icon: library.thumbnailPath(item.id) })
    },
    'library.rescan': () => library.rescan(),
    'library.importFolder': () => library.importFolder(),
    'attachments.fromLibrary': (args) => attachments.addFromFile(library.filePath(args.mediaId)),
    'attachments.saveCopy': async (args) => {
      const file = await attachments.filePath(args.id)
      const extension = extname(file).slice(1)
      const target = await powers.dialogs.saveFile({
        title: 'Save a copy',
        defaultName: basename(file),
        filters: [{ name: `${extension.toUpperCase()} image`, extensions: [extension] }]
      })
      if (target === null) return { path: null, count: 0 }
      await writeFileAtomic(target, createReadStream(file))
      return remember({ path: target, count: 1 })
    },
    'attachments.copyImage': async (args) => powers.copyImageFile(await attachments.filePath(args.id)),

    'ask.send': (args, { sink }) => chat.ask(args, sink),
    'quick.clipboardText': async () => ({ text: (await powers.readClipboardText()).slice(0, LIMITS.userMessageChars) }),

    // ---- sound
    'speech.create': (args) => speech.create(args),
    'speech.speakable': (args) => speech.plan(args.text, args.markdown),
    'speech.status': (args) => speech.status(args.id),
    'song.create': (args) => songs.create(args),
    'song.status': (args) => songs.status(args.id),
    'song.list': () => songs.list(),

    'app.info': () => ({ ...powers.appInfo, userDataDir: powers.userDataDir }),
    'app.openExternal': async (args) => {
      const url = parseExternalUrl(args.url)
      await powers.openExternal(url)
    },
    'app.showInFolder': (args) => {
      if (!exportedFiles.has(args.path)) throw new AppError('invalid_argument', 'Only a file Skyport exported can be shown.')
      powers.showItemInFolder(args.path)
    },
    'app.openDataFolder': () => powers.openPath(powers.userDataDir),
    'app.openLogsFolder': () => openLogsFolder(powers),

    'menu.setRoute': (args) => services.menuState.setRoute(args.route),

    'menu.popup': async (target, { sink }) => {
      if (!powers.showContextMenu) throw new AppError('invalid_argument', 'Right-click menus exist only in the app window.')
      return { command: await powers.showContextMenu(targetContextMenu(target), sink.id) }
    },

    'update.state': () => services.updates.state,
    'update.check': () => services.updates.check(),
    'update.restart': () => services.updates.restart(),

    // desktop shell
    'shell.status': () => desktop.status(),
    'shell.retryShortcut': () => desktop.retryShortcut(),
    'shell.playerState': ({ state }) => desktop.setPlayerState(state),
    'quick.hide': () => desktop.hideQuickAsk(),
    'quick.openInMain': ({ conversationId }) => {
      // It must exist before a window is told to open it.
      chatStore.getConversation(conversationId)
      // An answer still streaming goes on in every window: the main window follows it from here.
      chat.handOver(conversationId, everyWindow)
      desktop.openInMain(conversationId)
    },
    'quick.openLibrary': () => desktop.openLibrary()
  }
}

/** Also the Help menu's Open Logs Folder. */
export async function openLogsFolder(powers: Pick<Services['powers'], 'userDataDir' | 'openPath'>): Promise<void> {
  const folder = join(powers.userDataDir, LOG_DIR)
  // Nothing may have been logged yet; an empty folder still opens.
  await mkdir(folder, { recursive: true })
  await powers.openPath(folder)
}

export function settingsState({ settings, keyVault }: Pick<Services, 'settings' | 'keyVault'>): SettingsState {
  const current = settings.get()
  return { settings: current, key: keyVault.status(current.baseUrl), notice: settings.notice ?? keyVault.loadProblem }
}

/**
 * Optional fields a schema let through as `undefined` (IPC keeps them) are
 * dropped, so spreading a patch never overwrites a value with nothing.
 */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as never
}

/** Only web and mail links leave the app; file:, javascript: and custom schemes never do. */
export function parseExternalUrl(raw: unknown): string {
  if (typeof raw !== 'string') throw new AppError('invalid_argument', 'A link must be text.')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new AppError('invalid_argument', 'That link is not a valid address.')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== 'mailto:') {
    throw new AppError('invalid_argument', `Only http, https and mailto links can be opened, not ${url.protocol}`)
  }
  return url.toString()
}
