/**
 * The settings file's JSON schema and defaults. electron-store (in the app)
 * and conf (in tests and the browser test host) both validate against it.
 */
import type { Settings } from '../../shared/contract'
import { LANGUAGE_CODE_LENGTH, LIMITS, MESSAGE_FONT_SIZE_RANGE, SPELLCHECK_LANGUAGES_MAX, ZOOM_LEVEL_RANGE } from '../../shared/limits'

export const DEFAULT_BASE_URL = 'https://api.airforce'

/**
 * The defaults for one OS. Closing the window leaves the app in the tray on
 * Windows and Linux; on macOS the dock keeps the app running anyway.
 */
export function defaultSettingsFor(platform: NodeJS.Platform): Settings {
  return { ...structuredClone(baseDefaults), desktop: { ...baseDefaults.desktop, closeToTray: platform !== 'darwin' } }
}

const baseDefaults: Settings = {
  baseUrl: DEFAULT_BASE_URL,
  timeouts: { connectMs: 10_000, headersMs: 60_000, idleMs: 60_000 },
  proxy: { mode: 'none', url: '' },
  theme: 'system',
  defaultModels: {
    chat: 'gpt-4o-mini',
    image: 'flux',
    vision: 'gemini-pro-vision',
    song: 'chirp-v3-5',
    speech: 'alex'
  },
  quickAskShortcut: 'CommandOrControl+Shift+Space',
  chat: { enterSends: true, showAdFooters: false },
  jobs: { concurrency: 1 },
  sound: { downloadVideo: false },
  appearance: { zoomLevel: 0, messageFontSize: 14 },
  spellcheck: { enabled: true, languages: [] },
  updates: { autoCheck: true },
  // People asked for a quick-ask window that does not close itself, so hiding on blur is opt-in.
  desktop: { closeToTray: true, launchAtLogin: false, quickAskHidesOnBlur: false, trayNoticeShown: false }
}

export const defaultSettings: Settings = defaultSettingsFor(process.platform)

const timeout = { type: 'integer', minimum: 1_000, maximum: 600_000 } as const
const modelId = { type: 'string', minLength: 1, maxLength: 200 } as const

/** One property schema per top-level key, as conf/electron-store expect. */
export const settingsSchema = {
  baseUrl: { type: 'string', minLength: 1, maxLength: 2_000, pattern: '^https?://' },
  timeouts: {
    type: 'object',
    properties: { connectMs: timeout, headersMs: timeout, idleMs: timeout },
    required: ['connectMs', 'headersMs', 'idleMs'],
    additionalProperties: false
  },
  proxy: {
    type: 'object',
    properties: {
      mode: { enum: ['none', 'system', 'url'] },
      url: { type: 'string', maxLength: 2_000 }
    },
    required: ['mode', 'url'],
    additionalProperties: false
  },
  theme: { enum: ['system', 'light', 'dark'] },
  defaultModels: {
    type: 'object',
    properties: { chat: modelId, image: modelId, vision: modelId, song: modelId, speech: modelId },
    required: ['chat', 'image', 'vision', 'song', 'speech'],
    additionalProperties: false
  },
  quickAskShortcut: { type: 'string', minLength: 1, maxLength: 100 },
  chat: {
    type: 'object',
    properties: { enterSends: { type: 'boolean' }, showAdFooters: { type: 'boolean' } },
    required: ['enterSends', 'showAdFooters'],
    additionalProperties: false
  },
  jobs: {
    type: 'object',
    properties: { concurrency: { type: 'integer', minimum: 1, maximum: LIMITS.queueConcurrency } },
    required: ['concurrency'],
    additionalProperties: false
  },
  sound: {
    type: 'object',
    properties: { downloadVideo: { type: 'boolean' } },
    required: ['downloadVideo'],
    additionalProperties: false
  },
  // Files written before these keys existed get them from the defaults (top-level keys are filled in on read).
  appearance: {
    type: 'object',
    properties: {
      zoomLevel: { type: 'number', minimum: ZOOM_LEVEL_RANGE[0], maximum: ZOOM_LEVEL_RANGE[1] },
      messageFontSize: { type: 'integer', minimum: MESSAGE_FONT_SIZE_RANGE[0], maximum: MESSAGE_FONT_SIZE_RANGE[1] }
    },
    required: ['zoomLevel', 'messageFontSize'],
    additionalProperties: false
  },
  spellcheck: {
    type: 'object',
    properties: {
      enabled: { type: 'boolean' },
      languages: {
        type: 'array',
        maxItems: SPELLCHECK_LANGUAGES_MAX,
        items: { type: 'string', maxLength: LANGUAGE_CODE_LENGTH, pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' }
      }
    },
    required: ['enabled', 'languages'],
    additionalProperties: false
  },
  updates: {
    type: 'object',
    properties: { autoCheck: { type: 'boolean' } },
    required: ['autoCheck'],
    additionalProperties: false
  },
  // Nothing required: a file from before a key existed is valid, and SettingsService fills the gaps.
  desktop: {
    type: 'object',
    properties: {
      closeToTray: { type: 'boolean' },
      launchAtLogin: { type: 'boolean' },
      quickAskHidesOnBlur: { type: 'boolean' },
      trayNoticeShown: { type: 'boolean' }
    },
    additionalProperties: false
  }
} as const
