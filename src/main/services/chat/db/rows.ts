/**
 * Rows as SQLite returns them, and their conversion to the contract's types.
 * JSON columns are parsed leniently: a damaged cell shows as empty rather
 * than making a whole conversation unreadable.
 */
import type { Attachment, ChatParams, ChatRole, ConversationSettings, ConversationSummary, MessageRecord, MessageStatus, Preset, Usage, WebSource } from '../../../../shared/contract'
import type { BridgeErrorData } from '../../../../shared/errors'

export interface ConversationRow {
  id: string
  title: string
  created_at: number
  updated_at: number
  pinned: number
  model: string
  system_prompt: string
  params_json: string
  stream: number
  active_leaf_id: string | null
  trashed_at: number | null
  /** 1: asked from the quick-ask window. */
  quick: number
  /** Depth of the active leaf (joined), i.e. the visible thread's length. */
  leaf_depth: number | null
}

export interface MessageRow {
  seq: number
  id: string
  conversation_id: string
  parent_id: string | null
  depth: number
  role: ChatRole
  content: string
  reasoning: string
  attachments_json: string
  model: string | null
  status: MessageStatus
  error_json: string | null
  finish_reason: string | null
  usage_json: string | null
  created_at: number
  updated_at: number
  sources_json: string
}

/** Enough of a message to walk the tree without reading any text. */
export interface TreeRow {
  id: string
  parent_id: string | null
}

export interface PresetRow {
  id: string
  name: string
  system_prompt: string
  params_json: string
  model: string | null
  created_at: number
}

export const CONVERSATION_COLUMNS =
  'c.id, c.title, c.created_at, c.updated_at, c.pinned, c.model, c.system_prompt, c.params_json, c.stream, c.active_leaf_id, c.trashed_at, c.quick, leaf.depth AS leaf_depth'
/** Joins the active leaf for its depth; use with `FROM conversations c`. */
export const CONVERSATION_FROM = 'conversations c LEFT JOIN messages leaf ON leaf.id = c.active_leaf_id'

export const MESSAGE_COLUMNS =
  'seq, id, conversation_id, parent_id, depth, role, content, reasoning, attachments_json, model, status, error_json, finish_reason, usage_json, created_at, updated_at, sources_json'

/**
 * A message row read as an array (in MESSAGE_COLUMNS order). node:sqlite
 * builds arrays faster than objects with sixteen keys, which shows when a
 * long thread is read.
 */
export function messageRowFromArray(values: readonly unknown[]): MessageRow {
  return {
    seq: values[0] as number,
    id: values[1] as string,
    conversation_id: values[2] as string,
    parent_id: values[3] as string | null,
    depth: values[4] as number,
    role: values[5] as ChatRole,
    content: values[6] as string,
    reasoning: values[7] as string,
    attachments_json: values[8] as string,
    model: values[9] as string | null,
    status: values[10] as MessageStatus,
    error_json: values[11] as string | null,
    finish_reason: values[12] as string | null,
    usage_json: values[13] as string | null,
    created_at: values[14] as number,
    updated_at: values[15] as number,
    sources_json: values[16] as string
  }
}

export function toSummary(row: ConversationRow): ConversationSummary {
  return {
    id: row.id,
    title: row.title,
    pinned: row.pinned !== 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    model: row.model,
    messageCount: row.leaf_depth ?? 0,
    // Only when set, so the summaries of ordinary conversations keep their shape.
    ...(row.quick === 1 ? { quick: true } : {})
  }
}

export function toSettings(row: ConversationRow): ConversationSettings {
  return { model: row.model, systemPrompt: row.system_prompt, params: parseObject<ChatParams>(row.params_json) ?? {}, stream: row.stream !== 0 }
}

export function toPreset(row: PresetRow): Preset {
  return {
    id: row.id,
    name: row.name,
    systemPrompt: row.system_prompt,
    params: parseObject<ChatParams>(row.params_json) ?? {},
    model: row.model,
    createdAt: row.created_at
  }
}

/** A message's own fields, without its versions (the export format's message). */
export type StoredMessage = Omit<MessageRecord, 'versionIds' | 'versionIndex'>

/** The contract's message, with the ids of its versions (siblings in creation order). */
export function toMessageRecord(row: MessageRow, versionIds: string[]): MessageRecord {
  const index = versionIds.indexOf(row.id)
  // Completes the fresh object rather than copying it: a long thread makes thousands.
  const message = toStoredMessage(row) as MessageRecord
  message.versionIds = index === -1 ? [row.id] : versionIds
  message.versionIndex = Math.max(index, 0)
  return message
}

export function toStoredMessage(row: MessageRow): StoredMessage {
  // Most messages have none: skip the parse.
  const attachments = row.attachments_json === '[]' ? [] : parseJson(row.attachments_json)
  return {
    id: row.id,
    conversationId: row.conversation_id,
    parentId: row.parent_id,
    role: row.role,
    content: row.content,
    reasoning: row.reasoning,
    attachments: Array.isArray(attachments) ? (attachments as Attachment[]) : [],
    model: row.model,
    status: row.status,
    error: row.error_json === null ? null : parseObject<BridgeErrorData>(row.error_json),
    finishReason: row.finish_reason,
    usage: row.usage_json === null ? null : parseObject<Usage>(row.usage_json),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...sourcesOf(row.sources_json)
  }
}

/** `{sources}` when the message cites any, else nothing (most messages). */
function sourcesOf(json: string | undefined): { sources?: WebSource[] } {
  if (json === undefined || json === '[]') return {}
  const sources = parseJson(json)
  return Array.isArray(sources) && sources.length > 0 ? { sources: sources as WebSource[] } : {}
}

export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

function parseObject<T>(text: string): T | null {
  const value = parseJson(text)
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as T) : null
}
