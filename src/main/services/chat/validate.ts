/**
 * Checks for what the renderer sends about models and sampling. The
 * renderer is not trusted: every field is checked for type and range.
 */
import type { ChatParams, ConversationSettings } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'

const PARAM_RANGES: Record<keyof ChatParams, [number, number]> = {
  temperature: [0, 2],
  top_p: [0, 1],
  top_k: [0, 1_000],
  max_tokens: [1, 1_000_000]
}

/** Returns the params with only known, in-range numbers; `null` clears a param. */
export function checkParams(raw: unknown): ChatParams {
  if (raw === undefined || raw === null) return {}
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('invalid_argument', 'Parameters must be an object.')
  const params: ChatParams = {}
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const range = PARAM_RANGES[name as keyof ChatParams]
    if (!range) throw new AppError('invalid_argument', `Unknown parameter: ${name}.`)
    if (value === undefined || value === null) continue
    const [min, max] = range
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new AppError('invalid_argument', `${name} must be a number from ${min} to ${max}.`)
    }
    if ((name === 'top_k' || name === 'max_tokens') && !Number.isInteger(value)) {
      throw new AppError('invalid_argument', `${name} must be a whole number.`)
    }
    params[name as keyof ChatParams] = value
  }
  return params
}

export function checkModel(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '' || raw.length > 200) throw new AppError('invalid_argument', 'Choose a model.')
  return raw.trim()
}

/** A partial settings change; params are checked whole (the store merges them). */
export function checkConversationSettings(raw: unknown): Partial<ConversationSettings> {
  if (raw === undefined || raw === null) return {}
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('invalid_argument', 'Settings must be an object.')
  const input = raw as Record<string, unknown>
  const patch: Partial<ConversationSettings> = {}
  if (input.model !== undefined) patch.model = checkModel(input.model)
  if (input.systemPrompt !== undefined) {
    if (typeof input.systemPrompt !== 'string' || input.systemPrompt.length > 100_000) {
      throw new AppError('invalid_argument', 'The system prompt must be text of at most 100,000 characters.')
    }
    patch.systemPrompt = input.systemPrompt
  }
  if (input.params !== undefined) patch.params = checkParams(input.params)
  if (input.stream !== undefined) {
    if (typeof input.stream !== 'boolean') throw new AppError('invalid_argument', 'Streaming must be on or off.')
    patch.stream = input.stream
  }
  return patch
}
