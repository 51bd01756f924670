/**
 * Builds every service from the powers the host provides. The Electron
 * shell, the browser test host and the benchmarks all start the app through
 * this one function, so what the tests drive is what ships.
 */
import { join } from 'node:path'
import type { AppInfo, ContextCommand, EventName, PayloadOf } from '../shared/contract'
import type { HandlerTable } from './bridge'
import { buildHandlers, settingsState } from './handlers'
import { CompletionService } from './services/completions'
import { GatewayClient } from './services/gateway'
import { HttpClient } from './services/http/client'
import { KeyVault, type SecretCipher } from './services/key-vault'
import { ModelsService } from './services/models'
import { SettingsService, type SettingsFile } from './services/settings'
import { StreamRegistry } from './services/streams'
import { AttachmentStore } from './services/attachments'
import { ChatService } from './services/chat/chat-service'
import { ChatStore } from './services/chat/store'
import { openDatabase } from './services/db/connection'
import { ImageService } from './services/images/images'
import { JobRunner } from './services/jobs/job-runner'
import { Library } from './services/library/library'
import { ConversationTransfer } from './services/chat/transfer'
import { SpeechService } from './services/sound/speech'
import { SongService, type Notifier, type SongServiceDeps } from './services/sound/songs'
import { createLogger, type Logger, type LogWriter } from './services/log'
import { MenuState } from './services/app-menu'
import { UpdateService, type Updater } from './services/updates'
import type { ContextItem } from './services/context-menus'
import { WINDOW_STATE_FILE, WindowStateStore } from './services/window-state'
import { DesktopService } from './services/desktop/desktop-service'
import { GlobalAsk } from './services/ask/global-ask'
import type { EventSink } from './bridge'

export interface FileFilter {
  name: string
  extensions: string[]
}

/** A question with two answers; the cancel button is the default. */
export interface ConfirmOptions {
  title: string
  message: string
  detail: string
  confirmLabel: string
  cancelLabel: string
}

/** The OS dialogs (Electron's dialog in the app, a scripted answer in tests). */
export interface FileDialogs {
  /** Resolves to the chosen path, or null when the person cancelled. */
  saveFile(options: { title: string; defaultName: string; filters: FileFilter[] }): Promise<string | null>
  /** Resolves to the chosen paths; empty when the person cancelled. */
  openFiles(options: { title: string; filters: FileFilter[]; multiple: boolean }): Promise<string[]>
  /** Resolves to true only when the person chose the confirm button. */
  confirm(options: ConfirmOptions): Promise<boolean>
  /** Resolves to the chosen folder, or null when the person cancelled. */
  openFolder(options: { title: string }): Promise<string | null>
}

/** What the host (Electron, or plain Node in tests) gives the services. */
export interface Powers {
  userDataDir: string
  /** electron-store in the app, conf elsewhere; both validate with settingsSchema. */
  openSettingsStore: () => SettingsFile
  cipher: SecretCipher
  openExternal: (url: string) => Promise<void>
  /** Opens a folder in the OS file manager; rejects with the reason when it cannot. */
  openPath: (path: string) => Promise<void>
  /** Moves a file to the OS trash; the library never deletes a file for good itself. */
  trashItem: (path: string) => Promise<void>
  /** Shows a file selected in the OS file manager. */
  showItemInFolder: (path: string) => void
  /** Puts a PNG file on the clipboard as an image. */
  copyImageFile: (path: string) => Promise<void>
  /** Where log lines go (the log file in the app); they arrive scrubbed of the key. */
  log: LogWriter
  dialogs: FileDialogs
  /** Desktop notifications (a song is ready); clicking one calls its onClick. */
  notifier: Notifier
  appInfo: Omit<AppInfo, 'userDataDir'>
  /**
   * Pops a right-click menu up over the window whose page has this id and
   * resolves to the command chosen (null when dismissed). Missing where no
   * native menus exist (the browser test host).
   */
  showContextMenu?: (items: ContextItem[], contentsId: number) => Promise<ContextCommand | null>
  /** electron-updater in the installed app; missing where the build cannot update itself (development, tests). */
  updater?: Updater | null
  /** The clipboard's text; read only when the person asks ("Use clipboard"). */
  readClipboardText: () => Promise<string>
}

export interface AppServices {
  powers: Powers
  logger: Logger
  settings: SettingsService
  keyVault: KeyVault
  http: HttpClient
  gateway: GatewayClient
  models: ModelsService
  streams: StreamRegistry
  completions: CompletionService
  chatStore: ChatStore
  attachments: AttachmentStore
  chat: ChatService
  globalAsk: GlobalAsk
  /** Sends an event to every window, as a sink (what a handed-over answer streams to). */
  everyWindow: EventSink
  transfer: ConversationTransfer
  /** Clean-up started at start (images of deleted conversations); resolves to how many files went. */
  housekeeping: Promise<number>
  jobs: JobRunner
  library: Library
  /** The library's start-up check (files added, changed or removed by hand), run in the background. */
  libraryCheck: Promise<void>
  images: ImageService
  speech: SpeechService
  songs: SongService
  /** What the application menu shows that the window reports (its screen). */
  menuState: MenuState
  updates: UpdateService
  /** Where each window was (main, quick ask): one store, so two windows never overwrite each other's entry. */
  windowStates: WindowStateStore
  /** Tray, global shortcut, quick-ask window, launch at login: the shell attaches the OS parts. */
  desktop: DesktopService
  handlers: HandlerTable
  /** Events for every window (settings changed, say), not for one caller. */
  onBroadcast(listener: BroadcastListener): () => void
  close(): Promise<void>
}

export type BroadcastListener = <E extends EventName>(event: E, payload: PayloadOf<E>) => void

export const SETTINGS_FILE = 'settings.json'
export const KEY_FILE = 'api-key.bin'
export const DATABASE_FILE = 'skyport.db'
export const MEDIA_DIR = 'media'

/** Timings tests and benchmarks shorten (the app uses the defaults). */
export interface AppTuning {
  songs?: Partial<Pick<SongServiceDeps, 'pollBaseMs' | 'pollMaxMs' | 'maxGeneratingMs'>>
}

export async function createAppServices(powers: Powers, tuning: AppTuning = {}): Promise<AppServices> {
  const startedAt = Date.now()
  const settings = new SettingsService({
    openStore: powers.openSettingsStore,
    filePath: join(powers.userDataDir, SETTINGS_FILE)
  })
  const keyVault = new KeyVault({ cipher: powers.cipher, filePath: join(powers.userDataDir, KEY_FILE) })
  await keyVault.load(settings.get().baseUrl)
  const logger = createLogger(powers.log, (text) => keyVault.redact(text))

  const http = new HttpClient(() => {
    const current = settings.get()
    // The key only while the base URL is on the server it was saved for; the
    // client then sends it to that server alone, never to hosts it links to.
    return { baseUrl: current.baseUrl, apiKey: keyVault.keyFor(current.baseUrl), timeouts: current.timeouts, proxy: current.proxy }
  })
  const gateway = new GatewayClient(http)
  const models = new ModelsService(gateway)
  const streams = new StreamRegistry()
  const completions = new CompletionService({ gateway, streams })

  // One connection to skyport.db for every store of main (a worker opens its own).
  const databaseFile = join(powers.userDataDir, DATABASE_FILE)
  const database = openDatabase(databaseFile)
  const chatStore = ChatStore.on(database, databaseFile)
  // Answers that were streaming when the app last stopped keep what arrived, marked incomplete.
  chatStore.markInterruptedStreams()
  // Conversations deleted in an earlier session are past their undo.
  chatStore.purgeTrash()
  // New chats are saved on their first message; empty ones left from before go.
  chatStore.purgeEmptyConversations()
  const mediaDir = join(powers.userDataDir, MEDIA_DIR)
  const attachments = new AttachmentStore({ mediaDir })
  const globalAsk = new GlobalAsk(http)
  const chat = new ChatService({ store: chatStore, gateway, globalAsk, streams, attachments, settings: () => settings.get(), logger })
  const transfer = new ConversationTransfer({ store: chatStore, dialogs: powers.dialogs })
  // Images of those conversations, and of messages never sent, are no longer referred to. In the
  // background: the window need not wait. Best effort: what fails is tried again next start.
  const housekeeping = attachments.removeUnreferenced(() => transfer.attachmentReferences(), startedAt).catch(() => 0)

  const jobs = new JobRunner({ db: database, logger, concurrency: () => settings.get().jobs.concurrency })
  const library = new Library({ db: database, mediaDir, powers, logger, appVersion: powers.appInfo.version })
  // In the background, like the clean-up above: the grid shows the rows as they are and updates as files are found.
  const libraryCheck = library.checkAtStart()
  const images = new ImageService({
    http,
    gateway,
    jobs,
    library,
    attachments,
    chatStore,
    defaultVisionModel: () => settings.get().defaultModels.vision,
    previewDir: join(mediaDir, 'previews'),
    logger
  })
  const speech = new SpeechService({ http, jobs, library, mediaDir, defaultVoice: () => settings.get().defaultModels.speech, logger })
  const songs = new SongService({
    http,
    jobs,
    library,
    mediaDir,
    notifier: powers.notifier,
    downloadVideo: () => settings.get().sound.downloadVideo,
    logger,
    ...tuning.songs
  })
  // Every kind is defined by now: resume what the last run left queued or running.
  jobs.start()
  // Parts of speeches finished in an earlier session: no window plays them any more.
  void speech.removeLeftovers().catch(() => 0)
  // Remote images looked at and never kept, in the background.
  void images.removeOldPreviews().catch(() => 0)

  // Closing (below) saves running work before an update restarts the app.
  const updates = new UpdateService({
    updater: powers.updater ?? null,
    unsupportedReason: 'Updates come with the installed app; this build does not update itself.',
    autoCheck: () => settings.get().updates.autoCheck,
    beforeRestart: () => services.close(),
    logger
  })

  let closing: Promise<void> | null = null
  const broadcastListeners = new Set<BroadcastListener>()
  const broadcast: BroadcastListener = (event, payload) => {
    for (const listener of broadcastListeners) listener(event, payload)
  }
  const everyWindow: EventSink = { id: -1, send: (event, payload) => broadcast(event, payload) }
  jobs.onJobChange((job) => broadcast('jobs.changed', job))
  jobs.onQueueChange((queue) => broadcast('jobs.queue', queue))
  library.onChange((change) => broadcast('library.changed', change))
  speech.onPart((part) => broadcast('speech.part', part))
  songs.onStatus((status) => broadcast('song.status', status))
  songs.onOpen((mediaId) => broadcast('song.open', { mediaId }))
  const connectionChanged = (): void => {
    // A new server, proxy or key may know other models.
    models.invalidate()
    broadcast('settings.changed', settingsState({ settings, keyVault }))
  }
  settings.onChange(connectionChanged)
  // The queues' concurrency is a setting: a higher one may start waiting jobs now.
  settings.onChange(() => jobs.wake())
  keyVault.onChange(connectionChanged)
  updates.onChange((state) => broadcast('update.state', state))
  let autoCheck = settings.get().updates.autoCheck
  settings.onChange((current) => {
    if (current.updates.autoCheck === autoCheck) return
    autoCheck = current.updates.autoCheck
    updates.schedule()
  })
  updates.schedule()
  const desktop = new DesktopService({ settings, logger, onStatus: (status) => broadcast('shell.status', status) })

  const services: Omit<AppServices, 'handlers'> = {
    powers,
    logger,
    settings,
    keyVault,
    http,
    gateway,
    models,
    streams,
    completions,
    chatStore,
    attachments,
    chat,
    globalAsk,
    everyWindow,
    transfer,
    housekeeping,
    jobs,
    library,
    libraryCheck,
    images,
    speech,
    songs,
    menuState: new MenuState(),
    updates,
    windowStates: new WindowStateStore(join(powers.userDataDir, WINDOW_STATE_FILE)),
    desktop,
    onBroadcast(listener) {
      broadcastListeners.add(listener)
      return () => broadcastListeners.delete(listener)
    },
    close() {
      // Once, however often it is asked (quit and a crash dialog may both ask).
      closing ??= (async () => {
        updates.stop()
        streams.abortAll()
        desktop.beginQuit()
        desktop.dispose()
        // A login item being changed finishes before the app goes.
        await desktop.settled()
        // Running jobs stop here and resume at the next start.
        await jobs.close()
        // Let stopped answers save what arrived before the database closes.
        await chat.settle()
        // An import stopped halfway undoes what it wrote, through its own connection.
        await transfer.close()
        await housekeeping
        // The start-up check, thumbnails being made and files being rewritten finish first.
        await library.close()
        await http.close()
        chatStore.close()
        database.close()
      })()
      return closing
    }
  }
  return Object.assign(services, { handlers: buildHandlers(services) })
}
