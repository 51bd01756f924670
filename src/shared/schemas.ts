/**
 * Runtime schemas (valibot) for what crosses into main: the pieces every
 * bridge method's arguments are built from, and the one function that turns
 * a schema failure into a readable `invalid_argument` naming the field.
 *
 * Objects are strict: an unknown key, `__proto__` and `constructor`
 * included, is refused instead of reaching a lookup. Messages are written as
 * the end of a sentence that starts with the field's name.
 */
import * as v from 'valibot'
import { AppError } from './errors'
import {
  INTEGER_PARAMS,
  LANGUAGE_CODE_LENGTH,
  LIMITS,
  MESSAGE_FONT_SIZE_RANGE,
  PARAM_NAMES,
  PARAM_RANGES,
  SPELLCHECK_LANGUAGES_MAX,
  TIMEOUT_RANGE_MS,
  ZOOM_LEVEL_RANGE,
  type ParamName
} from './limits'

/** Anything that takes no arguments: IPC sends `undefined`, the HTTP test host `null`. */
export const noArgs = v.nullish(v.undefined())

export const text = (max: number) =>
  v.pipe(v.string('must be text'), v.maxLength(max, `is longer than ${max.toLocaleString('en-US')} characters`))

/** Text that must say something, trimmed. */
export const nonEmptyText = (max: number, empty = 'cannot be empty') =>
  v.pipe(v.string('must be text'), v.trim(), v.minLength(1, empty), v.maxLength(max, `is longer than ${max.toLocaleString('en-US')} characters`))

const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/

export const id = v.pipe(
  v.string('must be an id'),
  v.minLength(1, 'is missing'),
  v.maxLength(LIMITS.idLength, 'is too long to be an id'),
  v.regex(ID_PATTERN, 'is not a valid id')
)

export const modelId = nonEmptyText(LIMITS.modelLength, 'must name a model')

/** A whole number from `min` to `max`. */
export const count = (min: number, max: number) =>
  v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(min, `must be from ${min} to ${max}`), v.maxValue(max, `must be from ${min} to ${max}`))

/** A generation seed: a whole number the gateway takes (non-negative, below 2^31). */
export const seed = count(0, 2 ** 31 - 1)

/** A time in ms since the epoch. */
export const timestamp = count(0, 8.64e15)

/** Library item ids for a bulk action. */
export const ids = v.pipe(v.array(id, 'must be a list of ids'), v.minLength(1, 'needs at least one id'), v.maxLength(LIMITS.bulkItems, `can name at most ${LIMITS.bulkItems.toLocaleString('en-US')} items`))

/** An http(s) address on the web (never file:, data: or a custom scheme). */
export const webUrl = v.pipe(
  text(LIMITS.urlLength),
  v.check((value) => {
    try {
      const url = new URL(value)
      return url.protocol === 'http:' || url.protocol === 'https:'
    } catch {
      return false
    }
  }, 'must be an http:// or https:// address')
)

/** A title on one line: runs of white space become one space. */
export const title = v.pipe(
  v.string('must be text'),
  v.transform((value) => value.replace(/\s+/g, ' ').trim()),
  v.minLength(1, 'cannot be empty'),
  v.maxLength(LIMITS.titleLength, `is longer than ${LIMITS.titleLength} characters`)
)

const param = (name: ParamName) => {
  const [min, max] = PARAM_RANGES[name]
  const integer = INTEGER_PARAMS.has(name)
  return v.pipe(
    v.number('must be a number'),
    v.finite('must be a finite number'),
    v.minValue(min, `must be from ${min} to ${max}`),
    v.maxValue(max, `must be from ${min} to ${max}`),
    v.check((value) => !integer || Number.isInteger(value), 'must be a whole number')
  )
}

type ParamEntries = { [P in ParamName]: v.OptionalSchema<ReturnType<typeof param>, undefined> }
type NullableParamEntries = { [P in ParamName]: v.OptionalSchema<v.NullableSchema<ReturnType<typeof param>, undefined>, undefined> }

/** Sampling parameters: only the known ones, each in its range. */
export const chatParams = v.strictObject(
  Object.fromEntries(PARAM_NAMES.map((name) => [name, v.optional(param(name))])) as ParamEntries
)

/** The same, where `null` means "remove this parameter" (files written by older versions say so). */
export const chatParamsOrNull = v.strictObject(
  Object.fromEntries(PARAM_NAMES.map((name) => [name, v.optional(v.nullable(param(name)))])) as NullableParamEntries
)

export const systemPrompt = text(LIMITS.systemPromptChars)

/** A change to a conversation's settings; `params` replaces the whole set. */
export const conversationSettingsPatch = v.strictObject({
  model: v.optional(modelId),
  systemPrompt: v.optional(systemPrompt),
  params: v.optional(chatParams),
  stream: v.optional(v.boolean('must be true or false'))
})

const timeoutMs = v.pipe(
  v.number('must be a number of milliseconds'),
  v.integer('must be a whole number of milliseconds'),
  v.minValue(TIMEOUT_RANGE_MS[0], `must be between ${TIMEOUT_RANGE_MS[0] / 1000} and ${TIMEOUT_RANGE_MS[1] / 1000} seconds`),
  v.maxValue(TIMEOUT_RANGE_MS[1], `must be between ${TIMEOUT_RANGE_MS[0] / 1000} and ${TIMEOUT_RANGE_MS[1] / 1000} seconds`)
)

/** A spellchecker language such as `en-US` or `pt-BR`. */
export const languageCode = v.pipe(
  text(LANGUAGE_CODE_LENGTH),
  v.regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language code such as en-US')
)

export const settingsPatch = v.strictObject({
  baseUrl: v.optional(text(LIMITS.urlLength)),
  timeouts: v.optional(v.strictObject({ connectMs: v.optional(timeoutMs), headersMs: v.optional(timeoutMs), idleMs: v.optional(timeoutMs) })),
  proxy: v.optional(v.strictObject({ mode: v.optional(v.picklist(['none', 'system', 'url'], 'must be none, system or url')), url: v.optional(text(LIMITS.urlLength)) })),
  theme: v.optional(v.picklist(['system', 'light', 'dark'], 'must be system, light or dark')),
  defaultModels: v.optional(
    v.strictObject({
      chat: v.optional(modelId),
      image: v.optional(modelId),
      vision: v.optional(modelId),
      song: v.optional(modelId),
      speech: v.optional(modelId)
    })
  ),
  quickAskShortcut: v.optional(v.pipe(nonEmptyText(LIMITS.shortcutLength), v.regex(/^[\w+ ]+$/, 'must look like CommandOrControl+Shift+Space'))),
  chat: v.optional(v.strictObject({ enterSends: v.optional(v.boolean('must be true or false')), showAdFooters: v.optional(v.boolean('must be true or false')) })),
  jobs: v.optional(v.strictObject({ concurrency: v.optional(count(1, LIMITS.queueConcurrency)) })),
  sound: v.optional(v.strictObject({ downloadVideo: v.optional(v.boolean('must be true or false')) })),
  appearance: v.optional(
    v.strictObject({
      zoomLevel: v.optional(v.pipe(v.number('must be a number'), v.minValue(ZOOM_LEVEL_RANGE[0], `must be at least ${ZOOM_LEVEL_RANGE[0]}`), v.maxValue(ZOOM_LEVEL_RANGE[1], `must be at most ${ZOOM_LEVEL_RANGE[1]}`))),
      messageFontSize: v.optional(count(MESSAGE_FONT_SIZE_RANGE[0], MESSAGE_FONT_SIZE_RANGE[1]))
    })
  ),
  spellcheck: v.optional(
    v.strictObject({
      enabled: v.optional(v.boolean('must be true or false')),
      languages: v.optional(v.pipe(v.array(languageCode, 'must be a list of language codes'), v.maxLength(SPELLCHECK_LANGUAGES_MAX, `can hold at most ${SPELLCHECK_LANGUAGES_MAX} languages`)))
    })
  ),
  updates: v.optional(v.strictObject({ autoCheck: v.optional(v.boolean('must be true or false')) })),
  desktop: v.optional(
    v.strictObject({
      closeToTray: v.optional(v.boolean('must be true or false')),
      launchAtLogin: v.optional(v.boolean('must be true or false')),
      quickAskHidesOnBlur: v.optional(v.boolean('must be true or false')),
      trayNoticeShown: v.optional(v.boolean('must be true or false'))
    })
  )
})

/** The key as typed: no spaces or control characters, which would corrupt the Authorization header. */
export const apiKey = v.pipe(
  nonEmptyText(LIMITS.apiKeyLength, 'is empty'),
  v.regex(/^[^\s\x00-\x1f\x7f]+$/, 'contains spaces or control characters')
)

const textPart = v.strictObject({ type: v.literal('text'), text: text(LIMITS.storedMessageChars) })
const imagePart = v.strictObject({
  type: v.literal('image_url'),
  image_url: v.strictObject({
    url: v.pipe(text(LIMITS.dataUrlChars), v.regex(/^(data:image\/|https?:\/\/)/i, 'must be a data:image or http(s) URL'))
  })
})

export const chatMessage = v.strictObject({
  role: v.picklist(['system', 'user', 'assistant'], 'must be system, user or assistant'),
  content: v.union(
    [text(LIMITS.storedMessageChars), v.array(v.variant('type', [textPart, imagePart], 'must be a text or image_url part'), 'must be a list of parts')],
    'must be text or a list of parts'
  )
})

/** Base64 text of at most `bytes` decoded bytes: checked before anything is decoded. */
export const base64Data = (bytes: number) =>
  v.pipe(
    v.string('must be base64 text'),
    v.maxLength(Math.ceil(bytes / 3) * 4, `is larger than ${Math.round(bytes / (1024 * 1024))} MB`),
    v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'is not base64')
  )

/**
 * One issue as a sentence naming the field: "The settings.params.temperature
 * must be from 0 to 2." `root` names the whole input, when it has a name.
 */
export function describeIssue(reported: v.BaseIssue<unknown>, root?: string): string {
  const { issue, path } = deepest(reported, reported.path ?? [])
  const keys = path.map((item) => String(item.key))
  const field = [root, ...keys].filter(Boolean).join('.')
  const subject = field === '' ? 'The arguments' : `The ${field}`
  if (issue.type === 'strict_object' && keys.length > 0) {
    return issue.received === 'undefined' ? `${subject} is missing.` : `${subject} is not a known field.`
  }
  // valibot's own wording ("Invalid type: …") for schemas given no message of ours.
  if (issue.kind === 'schema' && !/^(must|is|can|needs)\b/.test(issue.message)) {
    return issue.received === 'undefined' ? `${subject} is missing.` : `${subject} must be ${issue.expected ?? 'something else'}, not ${issue.received}.`
  }
  return `${subject} ${issue.message}.`
}

type IssuePath = readonly v.IssuePathItem[]

/**
 * For a union ("text or a list of parts"), the issue inside the branch that
 * got furthest, with its full path (a branch's paths are relative to the union).
 */
function deepest(issue: v.BaseIssue<unknown>, path: IssuePath): { issue: v.BaseIssue<unknown>; path: IssuePath } {
  let best = { issue, path }
  for (const inner of issue.issues ?? []) {
    const candidate = deepest(inner, [...path, ...(inner.path ?? [])])
    if (candidate.path.length > best.path.length) best = candidate
  }
  return best
}

/** Parses untrusted input, or throws `invalid_argument` naming the first field that is wrong. */
export function parseOrThrow<S extends v.GenericSchema>(schema: S, input: unknown, root?: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortEarly: true })
  if (result.success) return result.output
  throw new AppError('invalid_argument', describeIssue(result.issues[0], root))
}
