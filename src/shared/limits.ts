/**
 * Every size and range the app enforces, in one place: the bridge schemas,
 * the chat store (which also checks imported files) and the renderer's forms
 * read them from here, so two checks can never disagree.
 */

export const LIMITS = {
  /** Ids of conversations, messages, presets, attachments and requests. */
  idLength: 128,
  titleLength: 200,
  /** What a person may write in one message. */
  userMessageChars: 100_000,
  /** Any stored message text, answers included (about 1 MB of text). */
  storedMessageChars: 1_048_576,
  systemPromptChars: 100_000,
  modelLength: 200,
  /** Images a person may attach to one message. */
  attachmentsPerSend: 10,
  /** Images one stored message may carry (imports can have more than a person attaches). */
  attachmentsPerStoredMessage: 32,
  presetNameLength: 100,
  errorMessageLength: 4_000,
  finishReasonLength: 100,
  searchQueryChars: 500,
  searchResults: 200,
  urlLength: 2_000,
  apiKeyLength: 512,
  shortcutLength: 100,
  fileNameLength: 500,
  /** Messages in one raw completion request. */
  completionMessages: 1_000,
  /** An image handed over by paste or drop, before decoding. */
  attachmentBytes: 25 * 1024 * 1024,
  /** A data: URL of an image inside a raw completion request (base64 of attachmentBytes, and some). */
  dataUrlChars: 36 * 1024 * 1024,
  /** An image prompt (the gateway takes it in the query string). */
  imagePromptChars: 4_000,
  /** Images from one prompt and model. */
  imagesPerPrompt: 8,
  /** Models compared side by side on one prompt and seed. */
  compareModels: 10,
  /** Items one bulk library action may name. */
  bulkItems: 100_000,
  /** Requests one endpoint's queue may run at once. */
  queueConcurrency: 4,
  /** An image downloaded from a link for a preview. */
  previewBytes: 20 * 1024 * 1024,
  /** A question handed over by a `skyport://ask?q=` link (longer ones are refused, not cut). */
  deepLinkQuestionChars: 4_000,
  /** A GlobalAsk question (the gateway takes it in the query string). */
  askPromptChars: 4_000,
  /** Sources one web answer may keep. */
  sourcesPerMessage: 50
} as const

/** The sampling parameters of a chat completion, as [min, max]. */
export const PARAM_RANGES = {
  temperature: [0, 2],
  top_p: [0, 1],
  top_k: [0, 1_000],
  max_tokens: [1, 1_000_000]
} as const satisfies Record<string, readonly [number, number]>

export type ParamName = keyof typeof PARAM_RANGES
export const PARAM_NAMES = Object.keys(PARAM_RANGES) as ParamName[]
/** Parameters that only take whole numbers. */
export const INTEGER_PARAMS: ReadonlySet<ParamName> = new Set(['top_k', 'max_tokens'])

export const TIMEOUT_RANGE_MS = [1_000, 600_000] as const

// ---------------------------------------------------------------- desktop: zoom, text size, spellchecker

/** The window's zoom level (Chromium's: 0 is 100 %, each whole step is ×1.2) and one menu step of it. */
export const ZOOM_LEVEL_RANGE = [-3, 5] as const
export const ZOOM_LEVEL_STEP = 0.5
/** The messages' text size in CSS pixels. */
export const MESSAGE_FONT_SIZE_RANGE = [12, 24] as const
/** Spellchecker languages chosen at once, and one language code's length (e.g. `en-US`). */
export const SPELLCHECK_LANGUAGES_MAX = 5
export const LANGUAGE_CODE_LENGTH = 20
