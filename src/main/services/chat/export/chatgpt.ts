/**
 * Reads the `conversations.json` of a ChatGPT data export into the app's
 * bundle format, so it goes through the same checks and the same
 * all-or-nothing import as the app's own exports.
 *
 * The export stores each conversation as a tree (`mapping`): every node has
 * a parent and children; edited questions and regenerated answers are
 * sibling branches, and `current_node` is the leaf that was showing. Nodes
 * a person never saw as a message (the empty root, hidden system context,
 * tool calls and their output, "thoughts") are dropped and their children
 * attached to the nearest kept ancestor; thoughts become the reasoning of
 * the answer below them.
 */
import type { ChatRole, ConversationSettings } from '../../../../shared/contract'
import { LIMITS, invalid, isRecord, isValidId } from '../store-validate'
import { makeBundle, type BundleConversation, type BundleMessage, type ConversationBundle } from './bundle'

export interface ChatGptImportOptions {
  newId: () => string
  /** Used when the export has no times. */
  now: number
  /** Settings the export does not carry; `model` wins over ChatGPT's model names, which other servers rarely know. */
  defaults: Partial<ConversationSettings>
}

const FALLBACK_MODEL = 'gpt-4o-mini'
const FALLBACK_TITLE = 'Imported chat'

interface Node {
  key: string
  parent: string | null
  childOrder: string[]
  message: Record<string, unknown> | null
}

export function chatGptToBundle(json: unknown, options: ChatGptImportOptions): ConversationBundle {
  const items: unknown[] = Array.isArray(json) ? json : isChatGptConversation(json) ? [json] : notAnExport()
  const conversations: BundleConversation[] = []
  let readable = 0
  for (const item of items) {
    if (!isChatGptConversation(item)) continue
    readable++
    const conversation = chatGptConversation(item, options)
    if (conversation) conversations.push(conversation)
  }
  if (items.length > 0 && readable === 0) notAnExport()
  return makeBundle(conversations, options.now)
}

/** One item of the export's list that this reader understands. */
export function isChatGptConversation(item: unknown): item is Record<string, unknown> & { mapping: Record<string, unknown> } {
  return isRecord(item) && isRecord(item.mapping)
}

/** One conversation of the export in the bundle's form (not yet checked), or null when it has no message a person saw. */
export function chatGptConversation(item: Record<string, unknown> & { mapping: Record<string, unknown> }, options: ChatGptImportOptions): BundleConversation | null {
  return convert(item, item.mapping, options)
}

export function notAnExport(): never {
  throw invalid('This is not the conversations.json of a ChatGPT data export: expected a list of conversations, each with a "mapping".')
}

function convert(item: Record<string, unknown>, mapping: Record<string, unknown>, options: ChatGptImportOptions): BundleConversation | null {
  const nodes = new Map<string, Node>()
  for (const [key, raw] of Object.entries(mapping)) {
    if (!isRecord(raw)) continue
    nodes.set(key, {
      key,
      parent: typeof raw.parent === 'string' ? raw.parent : null,
      childOrder: Array.isArray(raw.children) ? raw.children.filter((child): child is string => typeof child === 'string') : [],
      message: isRecord(raw.message) ? raw.message : null
    })
  }
  const children = new Map<string | null, Node[]>()
  for (const node of nodes.values()) {
    const parent = node.parent !== null && nodes.has(node.parent) ? node.parent : null
    const list = children.get(parent)
    if (list) list.push(node)
    else children.set(parent, [node])
  }
  // Siblings in the order the parent lists them (ChatGPT's version order), then by time.
  for (const [parent, list] of children) {
    const order = parent === null ? [] : (nodes.get(parent)?.childOrder ?? [])
    list.sort((a, b) => rank(order, a.key) - rank(order, b.key) || seconds(a.message?.create_time) - seconds(b.message?.create_time))
  }

  const conversationCreated = toMs(item.create_time) ?? options.now
  const messages: BundleMessage[] = []
  /** Every node (kept or not) → the kept message that stands for it. */
  const keptFor = new Map<string, string | null>()
  const usedIds = new Set<string>()
  // Depth-first from the roots; each entry carries the nearest kept ancestor
  // and thoughts waiting for the answer they belong to.
  const stack: Array<{ node: Node; parentId: string | null; reasoning: string; time: number }> = (children.get(null) ?? [])
    .map((node) => ({ node, parentId: null, reasoning: '', time: conversationCreated }))
    .reverse()
  const visited = new Set<string>()
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { node } = entry
    if (visited.has(node.key)) continue
    visited.add(node.key)
    let parentId = entry.parentId
    let reasoning = entry.reasoning
    let time = entry.time
    const kept = node.message ? readMessage(node.message) : null
    if (node.message && kept === null) reasoning = joinText(reasoning, readThoughts(node.message))
    if (kept) {
      const id = isValidId(node.key) && !usedIds.has(node.key) ? node.key : options.newId()
      usedIds.add(id)
      const created = toMs(node.message?.create_time) ?? time
      messages.push({
        id,
        parentId,
        role: kept.role,
        content: kept.content,
        reasoning: kept.role === 'assistant' ? reasoning.slice(0, LIMITS.storedMessageChars) : '',
        attachments: [],
        model: kept.model,
        status: kept.interrupted ? 'incomplete' : 'complete',
        error: null,
        finishReason: kept.finishReason,
        usage: null,
        createdAt: created,
        updatedAt: toMs(node.message?.update_time) ?? created
      })
      parentId = id
      time = created
      if (kept.role === 'assistant' || kept.role === 'user') reasoning = ''
    }
    keptFor.set(node.key, parentId)
    const below = children.get(node.key) ?? []
    for (let index = below.length - 1; index >= 0; index--) {
      const child = below[index]
      if (child) stack.push({ node: child, parentId, reasoning, time })
    }
  }
  if (messages.length === 0) return null

  const current = typeof item.current_node === 'string' ? (keptFor.get(item.current_node) ?? null) : null
  const activePath = pathTo(messages, current)
  const lastModel = [...activePath].reverse().find((message) => message.model !== null)?.model ?? null
  const settings: ConversationSettings = {
    model: options.defaults.model ?? stringOr(item.default_model_slug, null) ?? lastModel ?? FALLBACK_MODEL,
    systemPrompt: options.defaults.systemPrompt ?? '',
    params: options.defaults.params ?? {},
    stream: options.defaults.stream ?? true
  }
  const title = typeof item.title === 'string' ? item.title.replace(/\s+/g, ' ').trim().slice(0, LIMITS.titleLength) : ''
  const conversationId = [item.conversation_id, item.id].find(isValidId) ?? options.newId()
  return {
    id: conversationId,
    title: title === '' ? FALLBACK_TITLE : title,
    pinned: item.is_starred === true,
    createdAt: conversationCreated,
    updatedAt: toMs(item.update_time) ?? messages.reduce((latest, message) => Math.max(latest, message.createdAt), conversationCreated),
    activeLeafId: current,
    settings,
    messages
  }
}

interface KeptMessage {
  role: ChatRole
  content: string
  model: string | null
  finishReason: string | null
  interrupted: boolean
}

/** A message a person saw, or null for anything to drop. */
function readMessage(message: Record<string, unknown>): KeptMessage | null {
  const author = isRecord(message.author) ? message.author : {}
  const role = author.role
  if (role !== 'user' && role !== 'assistant' && role !== 'system') return null
  const metadata = isRecord(message.metadata) ? message.metadata : {}
  if (metadata.is_visually_hidden_from_conversation === true) return null
  // An assistant message addressed to a tool (python, browser, dalle) is a call, not an answer.
  if (role === 'assistant' && typeof message.recipient === 'string' && message.recipient !== 'all') return null
  const content = readText(message.content)
  if (content.trim() === '') return null
  const finish = isRecord(metadata.finish_details) ? stringOr(metadata.finish_details.type, null) : null
  const slug = stringOr(metadata.model_slug, null)
  return {
    role,
    content: content.slice(0, LIMITS.storedMessageChars),
    model: role === 'assistant' && slug !== null && slug.length <= LIMITS.modelLength ? slug : null,
    finishReason: finish === null ? null : finish.slice(0, LIMITS.finishReasonLength),
    interrupted: finish === 'interrupted'
  }
}

function readText(content: unknown): string {
  if (!isRecord(content)) return ''
  const type = content.content_type
  if (type === 'text' || type === 'multimodal_text') {
    if (!Array.isArray(content.parts)) return ''
    return content.parts
      .map((part: unknown) => {
        if (typeof part === 'string') return part
        // Uploaded or generated images are not in conversations.json; leave a mark where they were.
        if (isRecord(part) && part.content_type === 'image_asset_pointer') return '[image]'
        return ''
      })
      .filter((part) => part !== '')
      .join('\n\n')
  }
  return ''
}

/** The reasoning shown by o-series models, stored as separate "thoughts" nodes. */
function readThoughts(message: Record<string, unknown>): string {
  const content = isRecord(message.content) ? message.content : {}
  if (content.content_type !== 'thoughts' || !Array.isArray(content.thoughts)) return ''
  return content.thoughts
    .map((thought: unknown) => {
      if (!isRecord(thought)) return ''
      const summary = stringOr(thought.summary, '')
      const text = stringOr(thought.content, '')
      return summary !== '' && text !== '' ? `**${summary}**\n\n${text}` : summary || text
    })
    .filter((text) => text !== '')
    .join('\n\n')
}

function pathTo(messages: BundleMessage[], leaf: string | null): BundleMessage[] {
  const byId = new Map(messages.map((message) => [message.id, message]))
  const path: BundleMessage[] = []
  for (let current = leaf === null ? undefined : byId.get(leaf); current; current = current.parentId === null ? undefined : byId.get(current.parentId)) {
    path.push(current)
  }
  return path.reverse()
}

function joinText(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a}\n\n${b}`
}

function rank(order: string[], key: string): number {
  const index = order.indexOf(key)
  return index === -1 ? Number.MAX_SAFE_INTEGER : index
}

function seconds(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

/** ChatGPT times are seconds (with a fraction) since 1970. */
function toMs(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : null
}

function stringOr<T extends string | null>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value !== '' ? value : fallback
}
