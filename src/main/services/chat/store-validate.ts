/**
 * Checks for everything that reaches the chat store from outside: the
 * renderer's arguments and imported files are untrusted. Each check either
 * returns a clean value or throws `invalid_argument` naming what is wrong.
 */
import type { Attachment, ChatParams, ChatRole, ConversationSettings, MessageStatus, Usage } from '../../../shared/contract'
import { AppError, errorCodes, type BridgeErrorData, type ErrorCode } from '../../../shared/errors'

export const LIMITS = {
  idLength: 128,
  titleLength: 200,
  /** Message content and reasoning, in UTF-16 code units (about 1 MB of text). */
  contentLength: 1_048_576,
  systemPromptLength: 100_000,
  modelLength: 200,
  attachmentsPerMessage: 32,
  presetNameLength: 100,
  errorMessageLength: 4_000,
  finishReasonLength: 100
} as const

export const ROLES: readonly ChatRole[] = ['system', 'user', 'assistant']
export const STATUSES: readonly MessageStatus[] = ['complete', 'streaming', 'incomplete', 'error']

const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/

export function invalid(message: string): AppError {
  return new AppError('invalid_argument', message)
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= LIMITS.idLength && ID_PATTERN.test(value)
}

export function checkId(value: unknown, what = 'id'): string {
  if (!isValidId(value)) throw invalid(`The ${what} is missing or malformed.`)
  return value
}

export function checkTitle(value: unknown, what = 'title'): string {
  if (typeof value !== 'string') throw invalid(`The ${what} must be text.`)
  // One line: titles are shown in lists and headings.
  const title = value.replace(/\s+/g, ' ').trim()
  if (title.length === 0) throw invalid(`The ${what} cannot be empty.`)
  if (title.length > LIMITS.titleLength) throw invalid(`The ${what} is longer than ${LIMITS.titleLength} characters.`)
  return title
}

export function checkText(value: unknown, what: string, max: number = LIMITS.contentLength): string {
  if (typeof value !== 'string') throw invalid(`The ${what} must be text.`)
  if (value.length > max) throw invalid(`The ${what} is longer than ${max.toLocaleString('en-US')} characters.`)
  return value
}

export function checkModel(value: unknown, what = 'model'): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`The ${what} must be a model name.`)
  if (value.length > LIMITS.modelLength) throw invalid(`The ${what} name is longer than ${LIMITS.modelLength} characters.`)
  return value.trim()
}

export function checkOptionalModel(value: unknown, what = 'model'): string | null {
  return value === null || value === undefined ? null : checkModel(value, what)
}

export function checkRole(value: unknown, what = 'role'): ChatRole {
  if (!ROLES.includes(value as ChatRole)) throw invalid(`The ${what} must be one of ${ROLES.join(', ')}.`)
  return value as ChatRole
}

export function checkStatus(value: unknown, what = 'status'): MessageStatus {
  if (!STATUSES.includes(value as MessageStatus)) throw invalid(`The ${what} must be one of ${STATUSES.join(', ')}.`)
  return value as MessageStatus
}

export function checkTimestamp(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 8.64e15) throw invalid(`The ${what} must be a time in milliseconds.`)
  return Math.round(value)
}

/** Only the known sampling parameters, each a finite non-negative number. */
export function checkParams(value: unknown, what = 'params'): ChatParams {
  if (!isRecord(value)) throw invalid(`The ${what} must be an object.`)
  const params: ChatParams = {}
  const numeric = (key: keyof ChatParams, integer: boolean, max: number): void => {
    const raw = value[key]
    if (raw === undefined || raw === null) return
    if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > max || (integer && !Number.isInteger(raw))) {
      throw invalid(`The ${what}.${key} must be ${integer ? 'a whole number' : 'a number'} between 0 and ${max}.`)
    }
    params[key] = raw
  }
  numeric('temperature', false, 10)
  numeric('top_p', false, 1)
  numeric('top_k', true, 100_000)
  numeric('max_tokens', true, 10_000_000)
  for (const key of Object.keys(value)) {
    if (!['temperature', 'top_p', 'top_k', 'max_tokens'].includes(key)) throw invalid(`The ${what} has an unknown field "${key}".`)
  }
  return params
}

export function checkSettings(value: unknown, what = 'settings'): ConversationSettings {
  if (!isRecord(value)) throw invalid(`The ${what} must be an object.`)
  if (typeof value.stream !== 'boolean') throw invalid(`The ${what}.stream must be true or false.`)
  return {
    model: checkModel(value.model, `${what}.model`),
    systemPrompt: checkText(value.systemPrompt, `${what}.systemPrompt`, LIMITS.systemPromptLength),
    params: checkParams(value.params, `${what}.params`),
    stream: value.stream
  }
}

export function checkAttachments(value: unknown, what = 'attachments'): Attachment[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw invalid(`The ${what} must be a list.`)
  if (value.length > LIMITS.attachmentsPerMessage) throw invalid(`A message can carry at most ${LIMITS.attachmentsPerMessage} attachments.`)
  return value.map((item: unknown, index) => {
    const at = `${what}[${index}]`
    if (!isRecord(item)) throw invalid(`The ${at} must be an object.`)
    if (item.kind !== 'image') throw invalid(`The ${at}.kind must be "image".`)
    // Only files the app itself serves: never remote content.
    if (typeof item.url !== 'string' || !/^\/media\/[^\s]+$/.test(item.url) || item.url.includes('..') || item.url.length > 1_000) {
      throw invalid(`The ${at}.url must be a /media/ path of this app.`)
    }
    if (typeof item.mime !== 'string' || !/^image\/[\w.+-]+$/.test(item.mime)) throw invalid(`The ${at}.mime must be an image type.`)
    const dimension = (key: 'width' | 'height' | 'bytes'): number => {
      const raw = item[key]
      if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 2 ** 40) throw invalid(`The ${at}.${key} must be a whole number.`)
      return raw
    }
    return {
      id: checkId(item.id, `${at}.id`),
      kind: 'image',
      url: item.url,
      mime: item.mime,
      width: dimension('width'),
      height: dimension('height'),
      name: checkText(item.name, `${at}.name`, 500),
      bytes: dimension('bytes')
    } satisfies Attachment
  })
}

export function checkError(value: unknown, what = 'error'): BridgeErrorData | null {
  if (value === undefined || value === null) return null
  if (!isRecord(value)) throw invalid(`The ${what} must be an object.`)
  if (!errorCodes.includes(value.code as ErrorCode)) throw invalid(`The ${what}.code is not a known error code.`)
  if (typeof value.message !== 'string') throw invalid(`The ${what}.message must be text.`)
  const error: BridgeErrorData = { code: value.code as ErrorCode, message: value.message.slice(0, LIMITS.errorMessageLength) }
  if (value.status !== undefined) {
    if (typeof value.status !== 'number' || !Number.isInteger(value.status)) throw invalid(`The ${what}.status must be a whole number.`)
    error.status = value.status
  }
  if (value.retryAfterMs !== undefined) {
    if (typeof value.retryAfterMs !== 'number' || !Number.isFinite(value.retryAfterMs) || value.retryAfterMs < 0) {
      throw invalid(`The ${what}.retryAfterMs must be a number of milliseconds.`)
    }
    error.retryAfterMs = value.retryAfterMs
  }
  return error
}

export function checkUsage(value: unknown, what = 'usage'): Usage | null {
  if (value === undefined || value === null) return null
  if (!isRecord(value)) throw invalid(`The ${what} must be an object.`)
  const count = (key: keyof Usage): number => {
    const raw = value[key]
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) throw invalid(`The ${what}.${key} must be a whole number.`)
    return raw
  }
  return { promptTokens: count('promptTokens'), completionTokens: count('completionTokens'), totalTokens: count('totalTokens') }
}

export function checkFinishReason(value: unknown, what = 'finishReason'): string | null {
  if (value === undefined || value === null) return null
  return checkText(value, what, LIMITS.finishReasonLength)
}
