/**
 * Checks for everything that reaches the chat store from outside: the
 * renderer's arguments and imported files are untrusted. Each check either
 * returns a clean value or throws `invalid_argument` naming what is wrong.
 */
import type { Attachment, ChatParams, ChatRole, ConversationSettings, MessageStatus, Usage, WebSource } from '../../../shared/contract'
import { AppError, errorCodes, type BridgeErrorData, type ErrorCode } from '../../../shared/errors'
import * as v from 'valibot'
import { LIMITS } from '../../../shared/limits'
import * as schema from '../../../shared/schemas'

export { LIMITS }

export const ROLES: readonly ChatRole[] = ['system', 'user', 'assistant']
export const STATUSES: readonly MessageStatus[] = ['complete', 'streaming', 'incomplete', 'error']

export function invalid(message: string): AppError {
  return new AppError('invalid_argument', message)
}

import { isRecord } from '../../../shared/is-record'

export { isRecord }

export function isValidId(value: unknown): value is string {
  return v.is(schema.id, value)
}

export function checkId(value: unknown, what = 'id'): string {
  if (!isValidId(value)) throw invalid(`The ${what} is missing or malformed.`)
  return value
}

/** One line: titles are shown in lists and headings. */
export function checkTitle(value: unknown, what = 'title'): string {
  return schema.parseOrThrow(schema.title, value, what)
}

export function checkText(value: unknown, what: string, max: number = LIMITS.storedMessageChars): string {
  if (typeof value !== 'string') throw invalid(`The ${what} must be text.`)
  if (value.length > max) throw invalid(`The ${what} is longer than ${max.toLocaleString('en-US')} characters.`)
  return value
}

export function checkModel(value: unknown, what = 'model'): string {
  return schema.parseOrThrow(schema.modelId, value, what)
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

/** Only the known sampling parameters, each in its range; `null` (older files) means unset. */
export function checkParams(value: unknown, what = 'params'): ChatParams {
  const parsed = schema.parseOrThrow(schema.chatParamsOrNull, value, what)
  return Object.fromEntries(Object.entries(parsed).filter(([, param]) => param !== null && param !== undefined)) as ChatParams
}

export function checkSettings(value: unknown, what = 'settings'): ConversationSettings {
  if (!isRecord(value)) throw invalid(`The ${what} must be an object.`)
  if (typeof value.stream !== 'boolean') throw invalid(`The ${what}.stream must be true or false.`)
  return {
    model: checkModel(value.model, `${what}.model`),
    systemPrompt: checkText(value.systemPrompt, `${what}.systemPrompt`, LIMITS.systemPromptChars),
    params: checkParams(value.params, `${what}.params`),
    stream: value.stream
  }
}

export function checkAttachments(value: unknown, what = 'attachments'): Attachment[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw invalid(`The ${what} must be a list.`)
  if (value.length > LIMITS.attachmentsPerStoredMessage) throw invalid(`A message can carry at most ${LIMITS.attachmentsPerStoredMessage} attachments.`)
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

/** The pages a web answer cites: http(s) addresses only, since each may be opened in the OS browser. */
export function checkSources(value: unknown, what = 'sources'): WebSource[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw invalid(`The ${what} must be a list.`)
  if (value.length > LIMITS.sourcesPerMessage) throw invalid(`A message can cite at most ${LIMITS.sourcesPerMessage} sources.`)
  return value.map((item: unknown, index) => {
    const at = `${what}[${index}]`
    if (!isRecord(item)) throw invalid(`The ${at} must be an object.`)
    if (typeof item.n !== 'number' || !Number.isInteger(item.n) || item.n < 1) throw invalid(`The ${at}.n must be a whole number from 1.`)
    const url = checkText(item.url, `${at}.url`, LIMITS.urlLength)
    if (!/^https?:\/\/[^\s]+$/i.test(url)) throw invalid(`The ${at}.url must be an http(s) address.`)
    return { n: item.n, url, title: checkText(item.title, `${at}.title`, LIMITS.titleLength) }
  })
}
