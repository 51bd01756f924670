/**
 * The app's own export format: every conversation with its whole message
 * tree (every version), so an import gives back exactly what was exported.
 * `parseBundle` checks a file completely before anything is written.
 */
import type { Attachment, ChatRole, ConversationSettings, MessageStatus, Usage, WebSource } from '../../../../shared/contract'
import type { BridgeErrorData } from '../../../../shared/errors'
import {
  checkAttachments,
  checkError,
  checkFinishReason,
  checkId,
  checkOptionalModel,
  checkRole,
  checkSettings,
  checkSources,
  checkStatus,
  checkText,
  checkTimestamp,
  checkTitle,
  checkUsage,
  invalid,
  isRecord
} from '../store-validate'

export const BUNDLE_FORMAT = 'skyport.conversations'
export const BUNDLE_VERSION = 1

/**
 * Written out rather than derived from MessageRecord on purpose: this is a file
 * format (version 1), and must not change when the bridge types do.
 */
export interface BundleMessage {
  id: string
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
  /** The pages a web answer cites (absent in files of earlier versions, and when none). */
  sources?: WebSource[]
}

export interface BundleConversation {
  id: string
  title: string
  pinned: boolean
  createdAt: number
  updatedAt: number
  /** The message whose thread was showing; null lets the newest leaf show. */
  activeLeafId: string | null
  /** Asked from the quick-ask window (absent when not). */
  quick?: boolean
  settings: ConversationSettings
  /** Every message of the tree, parents before their children, versions in creation order. */
  messages: BundleMessage[]
}

export interface ConversationBundle {
  format: typeof BUNDLE_FORMAT
  version: typeof BUNDLE_VERSION
  /** ISO 8601. */
  exportedAt: string
  conversations: BundleConversation[]
}

export function makeBundle(conversations: BundleConversation[], exportedAt: number): ConversationBundle {
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, exportedAt: new Date(exportedAt).toISOString(), conversations }
}

/** Validates an untrusted bundle and returns a clean copy, or throws `invalid_argument` saying what is wrong. */
export function parseBundle(value: unknown): ConversationBundle {
  const { exportedAt, conversations } = parseBundleHead(value)
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, exportedAt, conversations: conversations.map((item: unknown, index) => parseConversation(item, `conversations[${index}]`)) }
}

/**
 * Everything of a bundle but its conversations: a streamed import checks the
 * file's top level with this and each conversation with `parseConversation`.
 */
export function parseBundleHead(value: unknown): { exportedAt: string; conversations: unknown[] } {
  if (!isRecord(value)) throw invalid('This file is not a Skyport export: it is not a JSON object.')
  if (value.format !== BUNDLE_FORMAT) throw invalid(`This file is not a Skyport export: "format" is not "${BUNDLE_FORMAT}".`)
  if (typeof value.version !== 'number') throw invalid('This Skyport export has no version number.')
  if (value.version > BUNDLE_VERSION) throw invalid(`This export was made by a newer Skyport (format version ${value.version}); update the app to import it.`)
  if (value.version !== BUNDLE_VERSION) throw invalid(`Unknown export format version ${value.version}.`)
  if (!Array.isArray(value.conversations)) throw invalid('This Skyport export has no "conversations" list.')
  const exportedAt = typeof value.exportedAt === 'string' ? value.exportedAt : new Date(0).toISOString()
  return { exportedAt, conversations: value.conversations }
}

/** Validates one conversation of a bundle; `at` names it in error messages, e.g. `conversations[3]`. */
export function parseConversation(value: unknown, at: string): BundleConversation {
  if (!isRecord(value)) throw invalid(`${at} must be an object.`)
  if (typeof value.pinned !== 'boolean') throw invalid(`${at}.pinned must be true or false.`)
  if (!Array.isArray(value.messages)) throw invalid(`${at}.messages must be a list.`)
  const messages = value.messages.map((item: unknown, index) => parseMessage(item, `${at}.messages[${index}]`))
  const activeLeafId = value.activeLeafId === null || value.activeLeafId === undefined ? null : checkId(value.activeLeafId, `${at}.activeLeafId`)
  const ordered = parentsFirst(messages, at)
  if (activeLeafId !== null && !messages.some((message) => message.id === activeLeafId)) {
    throw invalid(`${at}.activeLeafId names a message that is not in this conversation.`)
  }
  return {
    id: checkId(value.id, `${at}.id`),
    title: checkTitle(value.title, `${at}.title`),
    pinned: value.pinned,
    createdAt: checkTimestamp(value.createdAt, `${at}.createdAt`),
    updatedAt: checkTimestamp(value.updatedAt, `${at}.updatedAt`),
    activeLeafId,
    ...(value.quick === true ? { quick: true } : {}),
    settings: checkSettings(value.settings, `${at}.settings`),
    messages: ordered
  }
}

function parseMessage(value: unknown, at: string): BundleMessage {
  if (!isRecord(value)) throw invalid(`${at} must be an object.`)
  return {
    id: checkId(value.id, `${at}.id`),
    parentId: value.parentId === null || value.parentId === undefined ? null : checkId(value.parentId, `${at}.parentId`),
    role: checkRole(value.role, `${at}.role`),
    content: checkText(value.content, `${at}.content`),
    reasoning: value.reasoning === undefined ? '' : checkText(value.reasoning, `${at}.reasoning`),
    attachments: checkAttachments(value.attachments, `${at}.attachments`),
    model: checkOptionalModel(value.model, `${at}.model`),
    status: value.status === undefined ? 'complete' : checkStatus(value.status, `${at}.status`),
    error: checkError(value.error, `${at}.error`),
    finishReason: checkFinishReason(value.finishReason, `${at}.finishReason`),
    usage: checkUsage(value.usage, `${at}.usage`),
    createdAt: checkTimestamp(value.createdAt, `${at}.createdAt`),
    updatedAt: value.updatedAt === undefined ? checkTimestamp(value.createdAt, `${at}.createdAt`) : checkTimestamp(value.updatedAt, `${at}.updatedAt`),
    ...sourcesField(value.sources, `${at}.sources`)
  }
}

function sourcesField(value: unknown, at: string): { sources?: WebSource[] } {
  const sources = checkSources(value, at)
  return sources.length > 0 ? { sources } : {}
}

/**
 * Orders messages so every parent comes before its children. A list that is
 * already in that order (every export) keeps its order exactly, so creation
 * order and therefore version order survive a round trip. Rejects duplicate
 * ids, parents outside the conversation, and loops.
 */
function parentsFirst(messages: BundleMessage[], at: string): BundleMessage[] {
  const ids = new Set<string>()
  for (const [index, message] of messages.entries()) {
    if (ids.has(message.id)) throw invalid(`${at}.messages[${index}].id "${message.id}" appears twice.`)
    ids.add(message.id)
  }
  const ordered: BundleMessage[] = []
  const placed = new Set<string>()
  const waiting = new Map<string, BundleMessage[]>()
  const place = (first: BundleMessage): void => {
    // Depth-first without recursion: a long thread could overflow the stack.
    const stack = [first]
    for (let message = stack.pop(); message !== undefined; message = stack.pop()) {
      ordered.push(message)
      placed.add(message.id)
      const children = waiting.get(message.id)
      if (children) {
        waiting.delete(message.id)
        stack.push(...children.reverse())
      }
    }
  }
  for (const [index, message] of messages.entries()) {
    if (message.parentId === null || placed.has(message.parentId)) place(message)
    else if (!ids.has(message.parentId)) throw invalid(`${at}.messages[${index}].parentId names a message that is not in this conversation.`)
    else {
      const list = waiting.get(message.parentId)
      if (list) list.push(message)
      else waiting.set(message.parentId, [message])
    }
  }
  if (ordered.length !== messages.length) throw invalid(`${at}.messages contain a loop of parents.`)
  return ordered
}
