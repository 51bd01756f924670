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

  // Sound (speech and songs).
  /** Text given to speak at once (a long document); main splits it into requests. */
  speechTextChars: 200_000,
  /**
   * The longest text one `/get-audio` request takes. The seed puts the text in
   * the query string and states no limit; the gateway's known per-message
   * limit is 1,000 characters ("One message exceeds the 1000chars per message
   * limit"), which also keeps a percent-encoded URL under common 8 KB limits.
   */
  speechRequestChars: 1_000,
  /** Song prompt in simple mode (seed: 1 to 200 characters). */
  songPromptChars: 200,
  /** Lyrics in custom mode for most models (seed: 1,250); see songLyricsLimit. */
  songLyricsChars: 1_250,
  /** Lyrics in custom mode for chirp-v3-5 (seed: 3,000). */
  songLyricsCharsV35: 3_000,
  /** Style in custom mode (seed: 1 to 120 characters). */
  songStyleChars: 120,
  /** A song's title: kept by the app (the gateway's request has none). */
  songTitleChars: 100,
  /** A downloaded song, cover or video, at most. */
  songDownloadBytes: 200 * 1024 * 1024,
  /** A question handed over by a `skyport://ask?q=` link (longer ones are refused, not cut). */
  deepLinkQuestionChars: 4_000,
  /** A GlobalAsk question (the gateway takes it in the query string). */
  askPromptChars: 4_000,
  /** Sources one web answer may keep. */
  sourcesPerMessage: 50
} as const

/** Suno models the seed documents; the first is the gateway's default. */
export const SONG_MODELS = ['chirp-v3-5', 'chirp-v3-0', 'chirp-v2-xxl-alpha'] as const
export type SongModel = (typeof SONG_MODELS)[number]

/** Text-to-speech voices the seed documents. */
export const SPEECH_VOICES = ['alex', 'sophia'] as const
export type SpeechVoice = (typeof SPEECH_VOICES)[number]

/** The longest lyrics a custom song may have with this model (seed: 3,000 for chirp-v3-5, else 1,250). */
export function songLyricsLimit(model: SongModel): number {
  return model === 'chirp-v3-5' ? LIMITS.songLyricsCharsV35 : LIMITS.songLyricsChars
}

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
