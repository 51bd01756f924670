/**
 * The bridge contract: every method the renderer may call, every event main
 * pushes to it, and the data types both sides exchange. Main registers one
 * handler per method, the preload exposes exactly these entries, and the
 * renderer's `window.api` type is inferred from here. Add a feature by adding
 * entries here; nothing else lists them.
 */
import * as v from 'valibot'
import type { BridgeErrorData } from './errors'
import { IMAGE_SIZES } from './catalog'
import { LIMITS, SONG_MODELS, SPEECH_VOICES, songLyricsLimit, type SongModel, type SpeechVoice } from './limits'
import type { LibraryPageColumns } from './library-columns'
import * as s from './schemas'

// ---------------------------------------------------------------- settings

export type Theme = 'system' | 'light' | 'dark'
export type ProxyMode = 'none' | 'system' | 'url'
/** What a default model is chosen for. */
export type Capability = 'chat' | 'image' | 'vision' | 'song' | 'speech'

export interface Timeouts {
  /** TCP + TLS connect. */
  connectMs: number
  /** Until the response headers arrive (slow first byte). */
  headersMs: number
  /** Longest silence between two body chunks (a stalled stream). */
  idleMs: number
}

export interface ProxySettings {
  mode: ProxyMode
  /** Used when mode is 'url', e.g. http://127.0.0.1:8080 */
  url: string
}

export interface ChatPreferences {
  /** Enter sends and Shift+Enter adds a line; when false, Ctrl/Cmd+Enter sends. */
  enterSends: boolean
  /** Show the providers' advertising footers instead of hiding them. */
  showAdFooters: boolean
}

/** Long work (images, speech, songs). */
export interface JobPreferences {
  /** How many requests each endpoint's queue runs at once; free keys allow about one a minute. */
  concurrency: number
}

/** Speech and songs. The default voice is `defaultModels.speech`, the default song model `defaultModels.song`. */
export interface SoundPreferences {
  /** Also download a finished song's video (off: audio and cover only). */
  downloadVideo: boolean
}

/** The window's zoom and the messages' text size. */
export interface AppearancePreferences {
  /** Chromium's zoom level: 0 is 100 %; Ctrl/Cmd + plus and minus step it. */
  zoomLevel: number
  /** CSS pixels. */
  messageFontSize: number
}

export interface SpellcheckPreferences {
  enabled: boolean
  /** Language codes of Electron's spellchecker, e.g. `en-US`; empty follows the OS. */
  languages: string[]
}

export interface UpdatePreferences {
  /** Check at start and every few hours. */
  autoCheck: boolean
}

/** How the app lives on the desktop (tray, login, quick-ask window). */
export interface DesktopPreferences {
  /** Closing the main window leaves the app running in the tray (default on Windows and Linux). */
  closeToTray: boolean
  /** Start the app (in the tray) when the person logs in. */
  launchAtLogin: boolean
  /** The quick-ask window hides when another window takes the focus. */
  quickAskHidesOnBlur: boolean
  /** The "still running in the tray" notification was shown once already. */
  trayNoticeShown: boolean
}

export interface Settings {
  baseUrl: string
  timeouts: Timeouts
  proxy: ProxySettings
  theme: Theme
  defaultModels: Record<Capability, string>
  /** Electron accelerator, e.g. CommandOrControl+Shift+Space */
  quickAskShortcut: string
  chat: ChatPreferences
  jobs: JobPreferences
  sound: SoundPreferences
  appearance: AppearancePreferences
  spellcheck: SpellcheckPreferences
  updates: UpdatePreferences
  desktop: DesktopPreferences
}

/** A partial update; nested objects are merged, not replaced. */
export type SettingsPatch = v.InferInput<typeof s.settingsPatch>

/**
 * How the key is protected at rest.
 * - `os`: the OS keychain / DPAPI / a Linux secret service encrypts it.
 * - `basic_text`: Linux without a secret service; Electron falls back to a
 *   hard-coded password, which is obfuscation, not encryption.
 * - `unavailable`: no encryption at all; the key is kept for this session only.
 */
export type KeyProtection = 'os' | 'basic_text' | 'unavailable'

export interface KeyStatus {
  set: boolean
  /** Last four characters, so a person can tell keys apart. Never more. */
  last4: string | null
  protection: KeyProtection
  /** True when the key could not be written to disk and lives in memory only. */
  sessionOnly: boolean
  /** The server the key was saved for, e.g. `https://api.airforce`; null without a key. */
  origin: string | null
  /** True when the base URL is on that server: only then is the key sent. */
  appliesToBaseUrl: boolean
}

export interface SettingsState {
  settings: Settings
  key: KeyStatus
  /** A message for the person, e.g. the settings file was unreadable and was reset. */
  notice: string | null
}

// ---------------------------------------------------------------- gateway

export interface ModelInfo {
  id: string
  ownedBy: string | null
  created: number | null
}

export interface ModelList {
  models: ModelInfo[]
  /** `fallback` means the server could not be asked and the documented list is shown. */
  source: 'server' | 'fallback'
  /** Why the fallback is shown. */
  error: BridgeErrorData | null
}

export interface KeyCheck {
  /** The gateway's `info` field, e.g. "Premium key". */
  info: string | null
  /** Every other field the gateway returned, for display. */
  details: Record<string, string | number | boolean | null>
}

export interface ConnectionTest {
  baseUrl: string
  modelCount: number
  latencyMs: number
}

export type ChatRole = 'system' | 'user' | 'assistant'

export interface ChatTextPart {
  type: 'text'
  text: string
}
export interface ChatImagePart {
  type: 'image_url'
  image_url: { url: string }
}
export interface ChatMessage {
  role: ChatRole
  content: string | Array<ChatTextPart | ChatImagePart>
}

/** Sampling parameters of the chat completions endpoint. */
export interface ChatParams {
  temperature?: number
  top_p?: number
  top_k?: number
  max_tokens?: number
}

export interface CompletionRequest {
  /** Chosen by the renderer so it can listen before it asks. */
  requestId: string
  model: string
  messages: ChatMessage[]
  params?: ChatParams
  stream?: boolean
}

export interface Usage {
  promptTokens: number
  completionTokens: number
  totalTokens: number
}

export interface CompletionDelta {
  requestId: string
  /** Answer text since the previous event (several tokens coalesced). */
  content: string
  /** Reasoning text since the previous event. */
  reasoning: string
}

export interface CompletionDone {
  requestId: string
  finishReason: string | null
  usage: Usage | null
  model: string | null
}

export interface CompletionFailed {
  requestId: string
  error: BridgeErrorData
}

// ---------------------------------------------------------------- chat

/**
 * `streaming`: being written now. `incomplete`: stopped by the person, the
 * app closed mid-answer, or the connection ended before the server marked the
 * answer finished (what arrived is kept; in the last case `error` holds that
 * note). `error`: the request failed; `error` says why and content holds
 * whatever arrived before.
 */
export type MessageStatus = 'complete' | 'streaming' | 'incomplete' | 'error'

/** An image attached to a message, stored under the media folder. */
export interface Attachment {
  id: string
  kind: 'image'
  /** Path-absolute URL the renderer can show: `/media/attachments/<file>`. */
  url: string
  mime: string
  width: number
  height: number
  /** The original file name, for display. */
  name: string
  bytes: number
}

export interface MessageRecord {
  id: string
  conversationId: string
  /** The message this one answers or follows; null for the first message. */
  parentId: string | null
  role: ChatRole
  content: string
  reasoning: string
  attachments: Attachment[]
  model: string | null
  status: MessageStatus
  error: BridgeErrorData | null
  finishReason: string | null
  usage: Usage | null
  createdAt: number
  updatedAt: number
  /** Versions are the messages sharing this one's parent (regenerated or edited). */
  versionIds: string[]
  /** This message's place among them, 0-based. */
  versionIndex: number
  /** The web pages a web answer (GlobalAsk) cites, numbered as in its text; absent when none. */
  sources?: WebSource[]
}

export interface ConversationSettings {
  model: string
  systemPrompt: string
  params: ChatParams
  /** Ask for a streamed answer (true) or the whole answer at once. */
  stream: boolean
}

export interface ConversationSummary {
  id: string
  title: string
  pinned: boolean
  createdAt: number
  updatedAt: number
  model: string
  messageCount: number
  /** Asked from the quick-ask window. */
  quick?: boolean
}

export interface Conversation extends ConversationSummary {
  settings: ConversationSettings
  /**
   * The visible thread: root to the active leaf, one version per level. Whole,
   * or only its end when `conversations.get` was asked for the `last` messages.
   */
  messages: MessageRecord[]
  /** How many messages of the thread come before `messages` (0: the thread is whole); `conversations.earlier` gives them. */
  earlier: number
}

/** A piece of a search snippet; `match` pieces are the highlighted words. */
export interface SnippetPart {
  text: string
  match: boolean
}

export interface SearchHit {
  conversationId: string
  conversationTitle: string
  messageId: string
  role: ChatRole
  snippet: SnippetPart[]
  createdAt: number
}

export interface Preset {
  id: string
  name: string
  systemPrompt: string
  params: ChatParams
  /** A model to switch to with the preset; null keeps the conversation's. */
  model: string | null
  createdAt: number
}

export interface ChatTurn {
  /** Chosen by the renderer so it can listen before it asks. */
  requestId: string
  userMessage: MessageRecord | null
  assistantMessage: MessageRecord
  /** A new title when the conversation was just named from this first message. */
  title: string | null
}

export interface ChatDelta {
  requestId: string
  conversationId: string
  messageId: string
  content: string
  reasoning: string
}

export interface ChatEnded {
  requestId: string
  /** The assistant message as saved: complete, incomplete or error. */
  message: MessageRecord
  /** A new title when the conversation was just named from its first message. */
  title: string | null
}

export interface ExportResult {
  /** Where the file was written; null when the person cancelled. */
  path: string | null
  count: number
}

export interface ImportResult {
  path: string | null
  conversations: number
  messages: number
  /** Conversations already here unchanged (same id, same messages), so not imported again. */
  skipped: number
  /** The imported conversation active most recently, which the window selects; null when none was written. */
  newestId?: string | null
}

/**
 * How far an import or export of all conversations has got, sent to the
 * window that asked. `checking`: the whole file is read and checked before
 * anything is written (done and total in bytes); `importing` and
 * `exporting`: done and total in conversations. `total` is null when unknown.
 */
export interface TransferProgress {
  operation: 'import' | 'export'
  phase: 'checking' | 'importing' | 'exporting'
  done: number
  total: number | null
}

export interface AppInfo {
  name: string
  version: string
  platform: string
  userDataDir: string
}

// ---------------------------------------------------------------- jobs

/**
 * Long work (an image, a speech part, a song being polled, a download) is a
 * job that main runs and keeps in the database, so a restart resumes it.
 * `waiting`: held back by its queue's rate-limit pause (see QueueState).
 */
export type JobState = 'queued' | 'running' | 'waiting' | 'saved' | 'failed' | 'cancelled'

/** What a finished job made: a library item, and/or text (a description). */
export interface JobResult {
  mediaId?: string
  text?: string
}

export interface JobRecord {
  id: string
  /** What the job does, e.g. `image.generate`, `vision.describe`. */
  kind: string
  /** The endpoint queue it waits in, e.g. `imagine`, `imagine2`, `vision`, `chat`. */
  queue: string
  state: JobState
  /** 0 to 1, or null when the work has no measurable progress. */
  progress: number | null
  /** A line for the person, e.g. "Waiting for the rate limit" or "part 2 of 5". */
  detail: string | null
  attempts: number
  /** The kind's own input (e.g. the image settings), as JSON. */
  input: Record<string, unknown>
  result: JobResult | null
  error: BridgeErrorData | null
  /** Jobs started together (several images from one prompt, or a model comparison). */
  groupId: string | null
  createdAt: number
  updatedAt: number
  /** When a queued or waiting job may run next (a rate-limit pause, a poll), in ms since the epoch. */
  runAt: number | null
}

/** One endpoint's queue: how many run at once, and a rate-limit pause with its end. */
export interface QueueState {
  queue: string
  concurrency: number
  running: number
  queued: number
  /** The queue waits until then (ms since the epoch) after a 429 or a rate-limit notice. */
  pausedUntil: number | null
  pauseReason: string | null
}

// ---------------------------------------------------------------- media library

export type MediaKind = 'image' | 'speech' | 'song'
/** Where an item came from. */
export type MediaSource = 'studio' | 'chat' | 'quick' | 'import'

/** What the grid needs to paint one item, before its thumbnail loads. */
export interface MediaCard {
  id: string
  kind: MediaKind
  /** `/media/...`: the file itself. */
  url: string
  /** `/media/thumbs/...`: the small thumbnail; null when there is none (yet). */
  thumbUrl: string | null
  width: number | null
  height: number | null
  durationMs: number | null
  /** The dominant colour, `#rrggbb`, painted while the thumbnail loads. */
  color: string | null
  createdAt: number
  starred: boolean
  /** A short line: the prompt's start, or a song's title. */
  title: string
  model: string | null
  /**
   * Speech and songs: a small waveform for the card, 64 bars, as base64 of one
   * byte per bar (0 to 255, the loudest sample in that slice); decode with
   * `decodePeaks` from shared/peaks. Null for images.
   */
  peaks: string | null
}

/** One item with everything the viewer shows. */
export interface MediaItem extends MediaCard {
  /** Relative to the media folder, with forward slashes. */
  path: string
  mime: string
  bytes: number
  prompt: string
  /** Spoken text or lyrics (sound); empty for images. */
  text: string
  /** A vision model's description, once asked for. */
  description: string
  /** Every setting it was made with (also embedded in the file itself). */
  settings: Record<string, unknown>
  source: MediaSource
  collectionIds: string[]
  trashedAt: number | null
  /** `/media/thumbs/...`: the large thumbnail (viewer and previews). For a song, its cover. */
  largeThumbUrl: string | null
  /** Speech and songs: the player's waveform, 1,024 bars, encoded as `peaks`. Null for images. */
  waveform: string | null
}

export interface LibraryFilter {
  kinds?: MediaKind[]
  model?: string
  starred?: boolean
  collectionId?: string
  /** Created at or after (ms since the epoch). */
  from?: number
  /** Created before. */
  to?: number
  /** Full-text search over prompt, text, description, model and collection names. */
  search?: string
  sort?: 'newest' | 'oldest'
  /** true: only the trash; otherwise the trash is left out. */
  trashed?: boolean
  /** Only the first this many cards; `total` still counts every match. */
  limit?: number
}

export interface LibraryPage {
  /** Every matching item (or the first `limit`), in order: the grid virtualises them. */
  cards: MediaCard[]
  total: number
  /** Models present in the library, for the filter. */
  models: string[]
}

export interface Collection {
  id: string
  name: string
  count: number
  createdAt: number
}

export interface RescanResult {
  added: number
  updated: number
  removed: number
  unchanged: number
  durationMs: number
}

export interface FolderImportResult {
  /** The chosen folder; null when the person cancelled. */
  path: string | null
  added: number
  /** Files already in the library, or not images. */
  skipped: number
  failed: number
}

export interface LibraryChanged {
  /** Items added or changed. */
  changed: string[]
  /** Items deleted for good (trash is a change). */
  removed: string[]
}

// ---------------------------------------------------------------- images and vision

export type ImageSize = (typeof IMAGE_SIZES)[number]
export type ImageEndpoint = 'imagine' | 'imagine2'

/** The settings one image is made with: what the file embeds and "Reuse" restores. */
export interface ImageSettings {
  prompt: string
  model: string
  size: ImageSize
  seed: number
  endpoint: ImageEndpoint
}

export interface ImageBatch {
  groupId: string
  /** One job per image, in the order asked for. */
  jobs: JobRecord[]
}

export interface ImageModelList {
  models: string[]
  /** `server`: the documented list plus what the server's image model list added. */
  source: 'server' | 'fallback'
}

/** A remote image main downloaded and checked, shown from a local file. */
export interface RemotePreview {
  previewId: string
  /** `/media/previews/...` */
  url: string
  mime: string
  width: number
  height: number
  bytes: number
  sourceUrl: string
}

// ---------------------------------------------------------------- sound

export type { SongModel, SpeechVoice }

/** What `speech.create` started: one job that fetches every part in order. */
export interface SpeechStarted {
  /** The speech's job (`speech.create` kind, queue `speech`); progress says "part n of m". */
  job: JobRecord
  /** The library item it becomes once every part is joined (`library.get` works only then). */
  mediaId: string
  /** How many requests the text was split into. */
  partCount: number
  /** The text that is spoken (markdown turned into speakable text). */
  spokenText: string
}

/** One part of a speech, on disk and playable while the rest is fetched. */
export interface SpeechPart {
  jobId: string
  /** 0-based. */
  index: number
  count: number
  /** `/media/...`: the part's own MP3 (kept until the next start). */
  url: string
  durationMs: number
  /** When the file was complete on disk (ms since the epoch): "first sound" is measured from here. */
  savedAt: number
}

export interface SpeechStatus {
  jobId: string
  mediaId: string
  voice: SpeechVoice
  title: string
  partCount: number
  /** The parts on disk so far, in order. */
  parts: SpeechPart[]
  state: JobState
  /** `/media/...` of the joined file, once saved. */
  url: string | null
  error: BridgeErrorData | null
}

/** What `speech.speakable` says about a text before anything is sent. */
export interface SpeakablePlan {
  spokenText: string
  partCount: number
}

/**
 * Where one song clip is:
 * - `generating`: nothing to hear yet;
 * - `streaming`: still generating, but `listenUrl` plays what is made so far;
 * - `downloading`: finished on the server, audio and cover coming down;
 * - `saved`: in the library (`mediaId`); `failed` (with `error`, retry with `jobs.retry`); `cancelled`.
 */
export type SongPhase = 'generating' | 'streaming' | 'downloading' | 'saved' | 'failed' | 'cancelled'

export interface SongStatus {
  jobId: string
  groupId: string
  /** The gateway's clip id. */
  clipId: string
  title: string
  phase: SongPhase
  /**
   * `app://` path (`/live/songs/<jobId>.mp3`) main serves while the clip is
   * `streaming` or `downloading`: main relays the remote stream (the window never
   * loads remote content, and the media host never sees the key). Null otherwise.
   */
  listenUrl: string | null
  /** 0 to 1 while downloading, else null. */
  progress: number | null
  mediaId: string | null
  error: BridgeErrorData | null
}

export interface SongBatch {
  groupId: string
  /** One `song.clip` job per clip the gateway made (usually two), queue `suno`. */
  jobs: JobRecord[]
  clips: SongStatus[]
}

/** The settings a song is made with: what the MP3 embeds and "Reuse" restores. */
export interface SongSettings {
  mode: 'simple' | 'custom'
  /** Simple mode's description; empty in custom mode. */
  prompt: string
  /** Custom mode's lyrics; empty in simple mode. */
  lyrics: string
  /** Custom mode's style; empty in simple mode. */
  style: string
  title: string
  instrumental: boolean
  model: SongModel
}

/** The settings one speech is made with (embedded in its MP3's ID3 tags). */
export interface SpeechSettings {
  voice: SpeechVoice
  /** The text as given (markdown or plain). */
  text: string
  markdown: boolean
}

const speechVoice = v.picklist(SPEECH_VOICES, `must be ${SPEECH_VOICES.join(' or ')}`)
const songModel = v.picklist(SONG_MODELS, `must be one of ${SONG_MODELS.join(', ')}`)
const createdFrom = v.picklist(['studio', 'chat', 'quick'], 'must be studio, chat or quick')
const songTitle = v.optional(
  v.pipe(v.string('must be text'), v.transform((value) => value.replace(/\s+/g, ' ').trim()), v.maxLength(LIMITS.songTitleChars, `is longer than ${LIMITS.songTitleChars} characters`)),
  ''
)

/** A song request: simple (a prompt) or custom (lyrics, style, title); limits from the seed. */
export const songRequest = v.variant(
  'mode',
  [
    v.strictObject({
      mode: v.literal('simple'),
      prompt: s.nonEmptyText(LIMITS.songPromptChars, 'needs a description of the song'),
      title: songTitle,
      instrumental: v.optional(v.boolean('must be true or false'), false),
      model: songModel,
      source: createdFrom
    }),
    v.pipe(
      v.strictObject({
        mode: v.literal('custom'),
        lyrics: v.pipe(v.string('must be text'), v.trim(), v.maxLength(LIMITS.songLyricsCharsV35, `is longer than ${LIMITS.songLyricsCharsV35.toLocaleString('en-US')} characters`)),
        style: s.nonEmptyText(LIMITS.songStyleChars, 'needs a style'),
        title: songTitle,
        instrumental: v.optional(v.boolean('must be true or false'), false),
        model: songModel,
        source: createdFrom
      }),
      v.forward(
        v.check((input) => input.lyrics.length <= songLyricsLimit(input.model), 'are longer than this model takes (1,250 characters; 3,000 for chirp-v3-5)'),
        ['lyrics']
      ),
      v.forward(
        v.check((input) => input.instrumental || input.lyrics.length > 0, 'are needed unless the song is instrumental'),
        ['lyrics']
      )
    )
  ],
  'must be simple or custom'
)
export type SongRequest = v.InferOutput<typeof songRequest>

const speechText = {
  text: s.nonEmptyText(LIMITS.speechTextChars, 'needs some text'),
  /** Markdown (a chat answer) is turned into speakable text first; default true. */
  markdown: v.optional(v.boolean('must be true or false'), true)
}

// ---------------------------------------------------------------- desktop: menus, updates

/** The screens the application menu's Go menu names. */
export const ROUTE_IDS = ['chat', 'studio', 'library', 'models', 'settings'] as const
export type RouteId = (typeof ROUTE_IDS)[number]

/** A menu item the window acts on (main does zoom, quick ask and the logs folder itself). */
export type WindowCommand =
  | 'newChat'
  | 'import'
  | 'exportAll'
  | 'toggleSidebar'
  | 'help'
  | 'about'
  | 'goChat'
  | 'goStudio'
  | 'goLibrary'
  | 'goModels'
  | 'goSettings'

export interface MenuCommandEvent {
  command: WindowCommand
}

/**
 * What was right-clicked, as the window tells main (`menu.popup`): a message
 * (`data-context-menu="message"`) or a library image (`="image"`). Text
 * fields and links need no telling: Chromium reports them itself.
 */
export type ContextTarget =
  | { kind: 'message'; messageId: string; role: 'user' | 'assistant'; hasSelection: boolean }
  | { kind: 'image'; mediaId: string }

/** A right-click menu item the window carries out. */
export type ContextCommand = 'copyText' | 'copyMarkdown' | 'quote' | 'copyImage' | 'saveImage' | 'revealImage' | 'noSuggestions'

/**
 * Where the app's update stands. `unsupported`: this build cannot update
 * itself (a development build, or a package the OS updates); `available`:
 * found, its download starting; `ready`: downloaded, applied by a restart.
 */
export type UpdateState =
  | { status: 'unsupported'; reason: string }
  | { status: 'idle'; checkedAt: number | null }
  | { status: 'checking' }
  | { status: 'available'; version: string }
  | { status: 'downloading'; version: string; percent: number; transferred: number; total: number; bytesPerSecond: number }
  | { status: 'ready'; version: string }
  | { status: 'error'; message: string; at: number }

// ---------------------------------------------------------------- GlobalAsk and quick ask

/** A page a web answer cites: `[n]` in its text. */
export interface WebSource {
  n: number
  /** An http(s) address, opened in the OS browser. */
  url: string
  /** The page's domain (the gateway gives no titles and nothing remote is fetched). */
  title: string
}


// ---------------------------------------------------------------- desktop shell (tray, shortcut, quick ask)

/**
 * The global shortcut's registration.
 * - `registered`: the OS accepted it (on Wayland through the desktop's portal, which may still ask the person).
 * - `taken`: another app holds it.
 * - `invalid`: not a shortcut the OS can register.
 * - `unsupported`: this desktop has no global shortcuts (Wayland without the portal), or this host has none.
 */
export type ShortcutState = 'registered' | 'taken' | 'invalid' | 'unsupported'

export interface ShortcutStatus {
  accelerator: string
  state: ShortcutState
  /** A sentence for the settings screen. */
  message: string
  /** What to bind in the desktop's own shortcut settings when the app cannot register one. */
  fallbackCommand: string
}

export interface DesktopStatus {
  shortcut: ShortcutStatus
  /** Whether launch at login is in effect, and why not when it failed. */
  launchAtLogin: { enabled: boolean; error: string | null }
}

/** What the renderer's player reports, for the tray's Play/Pause entry. */
export type PlayerState = 'none' | 'playing' | 'paused'

/** Sent to the main window: the tray menu or the quick-ask window asks for a screen. */
export type ShellCommand =
  | { command: 'new-chat' | 'create-image' | 'library' | 'settings' | 'toggle-playback' }
  | { command: 'open-conversation'; conversationId: string }

/** Sent to the quick-ask window each time it shows. */
export interface QuickShow {
  /** A question to put in the input (from a `skyport://ask?q=` link); never sent without the person. */
  question: string | null
}

// ---------------------------------------------------------------- the table

/** A method's argument schema (checked in main before any handler runs) and its result type. */
export interface MethodSpec<S extends v.GenericSchema, Result> {
  readonly args: S
  readonly __result?: Result
}
/** A phantom marker carrying a result type. */
interface Returns<Result> {
  readonly __returns?: Result
}
const returns = <Result = void>(): Returns<Result> => ({})
const method = <S extends v.GenericSchema, Result>(args: S, _result: Returns<Result>): MethodSpec<S, Result> => ({ args })

/** A phantom marker carrying an event's payload type. */
export interface EventSpec<Payload> {
  readonly __payload?: Payload
}
const event = <Payload>(): EventSpec<Payload> => ({})

const byId = v.strictObject({ id: s.id })

/** Method names are `namespace.verb`; the renderer sees `api.namespace.verb()`. */
export const methods = {
  'settings.get': method(s.noArgs, returns<SettingsState>()),
  'settings.update': method(s.settingsPatch, returns<SettingsState>()),
  'settings.reset': method(s.noArgs, returns<SettingsState>()),

  'key.set': method(v.strictObject({ key: s.apiKey }), returns<KeyStatus>()),
  'key.clear': method(s.noArgs, returns<KeyStatus>()),
  /** Main asks the person (its own dialog) whether to send the saved key to the base URL's server. */
  'key.bind': method(s.noArgs, returns<KeyStatus>()),
  /** Asks the gateway's `/check?key=` about the stored key. */
  'key.check': method(s.noArgs, returns<KeyCheck>()),

  'models.list': method(v.nullish(v.strictObject({ refresh: v.optional(v.boolean('must be true or false')) })), returns<ModelList>()),
  /** Lists models from the server, failing with the server's error. */
  'connection.test': method(s.noArgs, returns<ConnectionTest>()),

  /** Starts a streamed completion; results arrive as `completion.*` events. */
  'completion.start': method(
    v.strictObject({
      requestId: s.id,
      model: s.modelId,
      messages: v.pipe(
        v.array(s.chatMessage, 'must be a list of messages'),
        v.minLength(1, 'needs at least one message'),
        v.maxLength(LIMITS.completionMessages, `can hold at most ${LIMITS.completionMessages} messages`)
      ),
      params: v.optional(s.chatParams),
      stream: v.optional(v.boolean('must be true or false'))
    }),
    returns<{ requestId: string }>()
  ),
  /** Aborts any stream (completion, ask, job) by its request id. */
  'stream.abort': method(v.strictObject({ requestId: s.id }), returns<{ aborted: boolean }>()),

  'conversations.list': method(s.noArgs, returns<ConversationSummary[]>()),
  /**
   * A conversation with its visible thread. `last`: only the thread's end, at
   * most that many messages and fewer when they are long (a screenful at the
   * least), so a long conversation opens as fast as a short one.
   */
  'conversations.get': method(
    v.strictObject({ id: s.id, last: v.optional(s.count(1, LIMITS.completionMessages)) }),
    returns<Conversation>()
  ),
  /** The thread above a message, root first: its ancestors, which `get` with `last` left out. */
  'conversations.earlier': method(v.strictObject({ id: s.id, before: s.id }), returns<MessageRecord[]>()),
  /** A new, empty conversation; settings default to the app's chat defaults or a preset. */
  'conversations.create': method(
    v.nullish(
      v.strictObject({
        settings: v.optional(s.conversationSettingsPatch),
        presetId: v.optional(s.id),
        /** Asked from the quick-ask window: marked so, and found by search like any other. */
        quick: v.optional(v.boolean('must be true or false'))
      })
    ),
    returns<Conversation>()
  ),
  'conversations.rename': method(v.strictObject({ id: s.id, title: s.title }), returns<ConversationSummary>()),
  'conversations.pin': method(v.strictObject({ id: s.id, pinned: v.boolean('must be true or false') }), returns<ConversationSummary>()),
  /** Moves to the trash; `conversations.restore` undoes it until the app quits. */
  'conversations.delete': method(byId, returns<{ id: string }>()),
  'conversations.restore': method(byId, returns<ConversationSummary>()),
  /** Changes some settings; `params`, when given, replaces the whole set. */
  'conversations.updateSettings': method(v.strictObject({ id: s.id, settings: s.conversationSettingsPatch }), returns<Conversation>()),
  'conversations.search': method(
    v.strictObject({
      query: s.text(LIMITS.searchQueryChars),
      limit: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(LIMITS.searchResults, `must be at most ${LIMITS.searchResults}`)))
    }),
    returns<SearchHit[]>()
  ),
  /** Asks where to save, then writes one conversation as Markdown or JSON. */
  'conversations.export': method(v.strictObject({ id: s.id, format: v.picklist(['markdown', 'json'], 'must be markdown or json') }), returns<ExportResult>()),
  /** Every conversation in one JSON file that `conversations.import` reads back. */
  'conversations.exportAll': method(s.noArgs, returns<ExportResult>()),
  /** Asks for a file: this app's export, or the conversations.json of a ChatGPT data export. */
  'conversations.import': method(s.noArgs, returns<ImportResult>()),

  /** Adds a user message and streams the answer; events `chat.delta`, then `chat.ended`. */
  'chat.send': method(
    v.strictObject({
      requestId: s.id,
      conversationId: s.id,
      content: s.text(LIMITS.userMessageChars),
      attachmentIds: v.optional(v.pipe(v.array(s.id, 'must be a list of ids'), v.maxLength(LIMITS.attachmentsPerSend, `can hold at most ${LIMITS.attachmentsPerSend} images`)))
    }),
    returns<ChatTurn>()
  ),
  /** A new version of an assistant answer, as a sibling of it. */
  'chat.regenerate': method(v.strictObject({ requestId: s.id, messageId: s.id }), returns<ChatTurn>()),
  /** A new version of a user message, answered anew. */
  'chat.edit': method(v.strictObject({ requestId: s.id, messageId: s.id, content: s.text(LIMITS.userMessageChars) }), returns<ChatTurn>()),
  /** Shows another version of a message (and the thread below it). */
  'chat.switchVersion': method(v.strictObject({ messageId: s.id }), returns<Conversation>()),
  /** Goes on with an answer that stopped early (e.g. at `length`), appending to the same message. */
  'chat.continue': method(v.strictObject({ requestId: s.id, messageId: s.id }), returns<ChatTurn>()),
  /** Deletes a message (one version) and everything below it; returns the conversation as it is now. */
  'chat.deleteMessage': method(v.strictObject({ messageId: s.id }), returns<Conversation>()),
  /** A new conversation holding the thread from the root down to this message. */
  'chat.fork': method(v.strictObject({ messageId: s.id }), returns<Conversation>()),

  'presets.list': method(s.noArgs, returns<Preset[]>()),
  'presets.save': method(
    v.strictObject({
      id: v.optional(s.id),
      name: s.nonEmptyText(LIMITS.presetNameLength, 'needs a name'),
      systemPrompt: s.systemPrompt,
      params: s.chatParams,
      // An empty model means "keep the conversation's".
      model: v.pipe(v.nullish(v.union([v.literal(''), s.modelId], 'must name a model')), v.transform((model) => model || null))
    }),
    returns<Preset>()
  ),
  'presets.delete': method(byId, returns<{ id: string }>()),

  /** Asks for image files, resizes and stores them. */
  'attachments.pick': method(s.noArgs, returns<Attachment[]>()),
  /** Stores a pasted or dropped image (base64 bytes). */
  'attachments.add': method(
    v.strictObject({ name: s.text(LIMITS.fileNameLength), mime: s.text(100), data: s.base64Data(LIMITS.attachmentBytes) }),
    returns<Attachment>()
  ),

  /** Jobs: the active ones (queued, running, waiting), or a group's, newest last. */
  'jobs.list': method(
    v.nullish(v.strictObject({ active: v.optional(v.boolean('must be true or false')), groupId: v.optional(s.id), limit: v.optional(s.count(1, 500)) })),
    returns<JobRecord[]>()
  ),
  'jobs.queues': method(s.noArgs, returns<QueueState[]>()),
  'jobs.cancel': method(byId, returns<JobRecord>()),
  /** Cancels every job not yet finished, of one queue or of all. */
  'jobs.cancelAll': method(v.nullish(v.strictObject({ queue: v.optional(s.nonEmptyText(40)) })), returns<{ cancelled: number }>()),
  /** Runs a failed or cancelled job again, as a new attempt. */
  'jobs.retry': method(byId, returns<JobRecord>()),

  /** One job per image: `count` images for each model (several models compare one prompt and seed). */
  'images.generate': method(
    v.strictObject({
      prompt: s.nonEmptyText(LIMITS.imagePromptChars, 'needs a prompt'),
      models: v.pipe(v.array(s.modelId, 'must be a list of models'), v.minLength(1, 'needs a model'), v.maxLength(LIMITS.compareModels, `can compare at most ${LIMITS.compareModels} models`)),
      size: v.picklist(IMAGE_SIZES, `must be one of ${IMAGE_SIZES.join(', ')}`),
      // null: a new random seed for each image.
      seed: v.nullable(s.seed),
      endpoint: v.picklist(['imagine', 'imagine2'], 'must be imagine or imagine2'),
      count: s.count(1, LIMITS.imagesPerPrompt),
      source: v.picklist(['studio', 'chat', 'quick'], 'must be studio, chat or quick'),
      /** Made from the chat composer (`/image`): the image is also shown in this conversation. */
      conversationId: v.optional(s.id)
    }),
    returns<ImageBatch>()
  ),
  'images.models': method(s.noArgs, returns<ImageModelList>()),

  /** Describes a library image with a vision model (a job); the text is saved on the item. */
  'vision.describe': method(v.strictObject({ mediaId: s.id, model: v.optional(s.modelId) }), returns<JobRecord>()),
  /** Main downloads a remote image, checks it and keeps it as a local preview. */
  'vision.preview': method(v.strictObject({ url: s.webUrl }), returns<RemotePreview>()),
  /** Asks `/v1/images/vision` about a remote image (a job whose result is the text). */
  'vision.describeUrl': method(v.strictObject({ url: s.webUrl, model: s.modelId }), returns<JobRecord>()),
  /** Keeps a preview in the library, with its description when there is one. */
  'vision.keepPreview': method(v.strictObject({ previewId: s.id, description: v.optional(s.text(LIMITS.storedMessageChars)) }), returns<MediaItem>()),

  'library.query': method(
    v.nullish(
      v.strictObject({
        kinds: v.optional(v.pipe(v.array(v.picklist(['image', 'speech', 'song'], 'must be image, speech or song')), v.maxLength(3))),
        model: v.optional(s.modelId),
        starred: v.optional(v.boolean('must be true or false')),
        collectionId: v.optional(s.id),
        from: v.optional(s.timestamp),
        to: v.optional(s.timestamp),
        search: v.optional(s.text(LIMITS.searchQueryChars)),
        sort: v.optional(v.picklist(['newest', 'oldest'], 'must be newest or oldest')),
        trashed: v.optional(v.boolean('must be true or false')),
        /** Only the first this many cards (the grid's first screen); `total` still counts them all. */
        limit: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1')))
      })
    ),
    /** The cards as columns (library-columns.ts): half the bytes and parse time of one object per card. */
    returns<LibraryPageColumns>()
  ),
  'library.get': method(byId, returns<MediaItem>()),
  'library.star': method(v.strictObject({ ids: s.ids, starred: v.boolean('must be true or false') }), returns<{ updated: number }>()),
  'library.collections': method(s.noArgs, returns<Collection[]>()),
  'library.createCollection': method(v.strictObject({ name: s.nonEmptyText(LIMITS.titleLength, 'needs a name') }), returns<Collection>()),
  'library.addToCollection': method(v.strictObject({ ids: s.ids, collectionId: s.id }), returns<{ updated: number }>()),
  'library.removeFromCollection': method(v.strictObject({ ids: s.ids, collectionId: s.id }), returns<{ updated: number }>()),
  /** Moves items to the library's trash; `library.restore` undoes it. */
  'library.trash': method(v.strictObject({ ids: s.ids }), returns<{ count: number }>()),
  'library.restore': method(v.strictObject({ ids: s.ids }), returns<{ count: number }>()),
  /** Removes items for good: their files go to the OS trash, never an unrecoverable delete. */
  'library.deleteForever': method(v.strictObject({ ids: s.ids }), returns<{ count: number }>()),
  /** Asks for a folder and copies the items' files there. */
  'library.exportItems': method(v.strictObject({ ids: s.ids }), returns<ExportResult>()),
  /** Asks where to save a copy of one item's file. */
  'library.saveCopy': method(byId, returns<ExportResult>()),
  'library.reveal': method(byId, returns<void>()),
  /** Opens the file with the system's app for its type. */
  'library.open': method(byId, returns<void>()),
  'library.copyImage': method(byId, returns<void>()),
  /** Starts dragging the item's file out of the window (call on dragstart). */
  'library.startDrag': method(byId, returns<void>()),
  /** Re-reads the media folder: rows come back from the settings in the files; rows of missing files go. */
  'library.rescan': method(s.noArgs, returns<RescanResult>()),
  /** Asks for a folder of images and adds them, with the settings other tools embedded in them. */
  'library.importFolder': method(s.noArgs, returns<FolderImportResult>()),
  /** Attaches a library image to the composer ("Send to chat"). */
  'attachments.fromLibrary': method(v.strictObject({ mediaId: s.id }), returns<Attachment>()),
  /** Asks where to save a copy of an attached image (the chat's lightbox). */
  'attachments.saveCopy': method(byId, returns<ExportResult>()),
  /** Puts an attached image on the clipboard. */
  'attachments.copyImage': method(byId, returns<void>()),

  // ------------------------------------------------------------ GlobalAsk and quick ask
  /**
   * Like `chat.send`, but the question goes to GlobalAsk (a web search answer)
   * instead of the conversation's model; the same `chat.delta` and `chat.ended`
   * events follow, and the saved answer carries its `sources`. GlobalAsk takes
   * one question, so earlier messages are not sent.
   */
  'ask.send': method(
    v.strictObject({ requestId: s.id, conversationId: s.id, content: s.nonEmptyText(LIMITS.askPromptChars, 'needs a question') }),
    returns<ChatTurn>()
  ),
  /** The clipboard's text, read only when the person asks ("Use clipboard"). */
  'quick.clipboardText': method(s.noArgs, returns<{ text: string }>()),

  // ---- sound
  /** Speaks a text of any length: one job, parts fetched in order, `speech.part` as each lands, then a library item. */
  'speech.create': method(
    v.strictObject({
      ...speechText,
      /** Default: the settings' `defaultModels.speech`. */
      voice: v.optional(speechVoice),
      title: v.optional(s.title),
      source: createdFrom
    }),
    returns<SpeechStarted>()
  ),
  /** The speakable text and how many requests it takes, for the Speech page's counter. */
  'speech.speakable': method(v.strictObject(speechText), returns<SpeakablePlan>()),
  /** A speech by its job id: the parts on disk so far, and the joined file once saved. */
  'speech.status': method(byId, returns<SpeechStatus>()),
  /** Asks the gateway for a song: one `song.clip` job per clip it makes. */
  'song.create': method(songRequest, returns<SongBatch>()),
  /** A song clip by its job id. */
  'song.status': method(byId, returns<SongStatus>()),
  /** The song clips not yet saved, failed or cancelled, and the latest ones (newest last). */
  'song.list': method(s.noArgs, returns<SongStatus[]>()),

  'app.info': method(s.noArgs, returns<AppInfo>()),
  /** Opens an http(s) link in the OS browser or a mailto: link in the mail app; anything else is refused. */
  'app.openExternal': method(v.strictObject({ url: s.text(LIMITS.urlLength * 4) }), returns<void>()),
  /** Opens the folder that holds main's log file in the OS file manager. */
  'app.openLogsFolder': method(s.noArgs, returns<void>()),
  /** Shows a file this session exported in the system's file manager; other paths are refused. */
  'app.showInFolder': method(v.strictObject({ path: s.text(4096) }), returns<void>()),
  /** Opens the folder with the app's data (database, media, settings). */
  'app.openDataFolder': method(s.noArgs, returns<void>()),

  /** The screen the window shows, so the application menu ticks it. */
  'menu.setRoute': method(v.strictObject({ route: v.picklist(ROUTE_IDS, `must be one of ${ROUTE_IDS.join(', ')}`) }), returns<void>()),

  /** Shows the right-click menu for a message or an image at the pointer; resolves to the chosen command, null when dismissed. */
  'menu.popup': method(
    v.variant(
      'kind',
      [
        v.strictObject({
          kind: v.literal('message'),
          messageId: s.id,
          role: v.picklist(['user', 'assistant'], 'must be user or assistant'),
          hasSelection: v.boolean('must be true or false')
        }),
        v.strictObject({ kind: v.literal('image'), mediaId: s.id })
      ],
      'must be a message or an image'
    ),
    returns<{ command: ContextCommand | null }>()
  ),

  'update.state': method(s.noArgs, returns<UpdateState>()),
  /** Looks for an update now (a found one downloads in the background). */
  'update.check': method(s.noArgs, returns<UpdateState>()),
  /** Once an update is ready: saves running work, closes everything and restarts into the new version. */
  'update.restart': method(s.noArgs, returns<void>()),

  // desktop shell: tray, global shortcut, quick-ask window
  'shell.status': method(s.noArgs, returns<DesktopStatus>()),
  /** Registers the quick-ask shortcut again (after the person freed it in another app). */
  'shell.retryShortcut': method(s.noArgs, returns<DesktopStatus>()),
  /** The renderer's player state, so the tray offers Play or Pause. */
  'shell.playerState': method(v.strictObject({ state: v.picklist(['none', 'playing', 'paused'], 'must be none, playing or paused') }), returns<void>()),
  /** Hides the quick-ask window (Esc). */
  'quick.hide': method(s.noArgs, returns<void>()),
  /** Hides the quick-ask window and opens this conversation in the main window. */
  'quick.openInMain': method(v.strictObject({ conversationId: s.id }), returns<void>()),
  /** Hides the quick-ask window and shows the library in the main window (after `/say` or `/song`). */
  'quick.openLibrary': method(s.noArgs, returns<void>())
} as const

export const events = {
  'settings.changed': event<SettingsState>(),
  'completion.delta': event<CompletionDelta>(),
  'completion.done': event<CompletionDone>(),
  'completion.failed': event<CompletionFailed>(),
  'chat.delta': event<ChatDelta>(),
  'chat.ended': event<ChatEnded>(),
  'transfer.progress': event<TransferProgress>(),
  /** To every window: a job changed state or progress. */
  'jobs.changed': event<JobRecord>(),
  /** To every window: a queue paused, resumed or changed its counts. */
  'jobs.queue': event<QueueState>(),
  /** To every window: library items were added, changed or removed. */
  'library.changed': event<LibraryChanged>(),
  /** To every window: a part of a speech is on disk and can be played now. */
  'speech.part': event<SpeechPart>(),
  /** To every window: a song clip changed phase (or download progress); `listenUrl` appears when it can be heard. */
  'song.status': event<SongStatus>(),
  /** To every window: the person clicked the "song is ready" notification; show and play this item. */
  'song.open': event<{ mediaId: string }>(),
  /** To the focused window: an application menu item it acts on was chosen. */
  'menu.command': event<MenuCommandEvent>(),
  /** To every window: the update's state changed (found, progress, ready, failed). */
  'update.state': event<UpdateState>(),
  /** To every window: the shortcut's registration or launch at login changed. */
  'shell.status': event<DesktopStatus>(),
  /** To the main window: the tray or the quick-ask window asks for a screen. */
  'shell.command': event<ShellCommand>(),
  /** To the quick-ask window: it was just shown and focused. */
  'quick.show': event<QuickShow>()
} as const

export type Methods = typeof methods
export type MethodName = keyof Methods
export type EventName = keyof typeof events
/** What the renderer passes to a method. */
export type ArgsOf<M extends MethodName> = v.InferInput<Methods[M]['args']>
/** What a handler receives: the arguments after their schema checked (and trimmed) them. */
export type CheckedArgsOf<M extends MethodName> = v.InferOutput<Methods[M]['args']>
export type ResultOf<M extends MethodName> = Methods[M] extends MethodSpec<v.GenericSchema, infer R> ? R : never
export type PayloadOf<E extends EventName> = (typeof events)[E] extends EventSpec<infer P> ? P : never

export const methodNames = Object.keys(methods) as MethodName[]
export const eventNames = Object.keys(events) as EventName[]

/** IPC channel names, one per method and per event. */
export const invokeChannel = (name: MethodName): string => `bridge:${name}`
export const eventChannel = (name: EventName): string => `event:${name}`

/** What every method returns across the bridge: errors travel as data. */
export type Envelope<R> = { ok: true; result: R } | { ok: false; error: BridgeErrorData }
