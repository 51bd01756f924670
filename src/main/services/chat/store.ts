/**
 * The chat database: conversations, their messages as a tree (regenerated
 * answers and edited questions are siblings, called versions), presets,
 * full-text search, and export/import. One SQLite file through node:sqlite.
 *
 * Everything is synchronous: node:sqlite is, and each call is short. The
 * streaming path (`updateMessageFast`) is a single prepared UPDATE; reads
 * that show a conversation run a fixed number of queries whatever its length.
 * Arguments are treated as untrusted (they come from the renderer or files).
 */
import { randomUUID } from 'node:crypto'
import type { DatabaseSync, SQLInputValue } from 'node:sqlite'
import type {
  Attachment,
  ChatParams,
  ChatRole,
  Conversation,
  ConversationSettings,
  ConversationSummary,
  MessageRecord,
  MessageStatus,
  Preset,
  SearchHit,
  Usage,
  WebSource
} from '../../../shared/contract'
import { AppError, type BridgeErrorData } from '../../../shared/errors'
import { openDatabase } from '../db/connection'
import { markdownToPlainText } from './db/plain-text'
import { Statements } from '../db/statements'
import {
  CONVERSATION_COLUMNS,
  CONVERSATION_FROM,
  MESSAGE_COLUMNS,
  jsonOrNull,
  messageRowFromArray,
  toPreset,
  toSettings,
  toMessageRecord,
  toStoredMessage,
  toSummary,
  type ConversationRow,
  type MessageRow,
  type PresetRow,
  type StoredMessage,
  type TreeRow
} from './db/rows'
import { makeSnippet, toSearchQuery } from './db/search-query'
import { MessageTree } from './db/tree'
import { makeBundle, parseBundle, type BundleConversation, type BundleMessage, type ConversationBundle } from './export/bundle'
import { chatGptToBundle } from './export/chatgpt'
import {
  LIMITS,
  checkAttachments,
  checkError,
  checkFinishReason,
  checkId,
  checkOptionalModel,
  checkParams,
  checkRole,
  checkSettings,
  checkSources,
  checkStatus,
  checkText,
  checkTitle,
  checkUsage,
  invalid,
  isRecord
} from './store-validate'

export interface ChatStoreOptions {
  now?: () => number
  newId?: () => string
  /** How long a write waits for another connection's lock (default 5 s). */
  busyTimeoutMs?: number
  /** Page cache size in KiB; the default suits the app's own connection. */
  cacheSizeKiB?: number
}

export interface NewMessage {
  conversationId: string
  /** The message this one follows; null for a first message (or a version of it). */
  parentId: string | null
  role: ChatRole
  content: string
  reasoning?: string
  attachments?: Attachment[]
  model?: string | null
  status?: MessageStatus
  error?: BridgeErrorData | null
  finishReason?: string | null
  usage?: Usage | null
}

export interface MessagePatch {
  content?: string
  reasoning?: string
  /** Images an answer carries (an image made with `/image`). */
  attachments?: Attachment[]
  status?: MessageStatus
  error?: BridgeErrorData | null
  finishReason?: string | null
  usage?: Usage | null
  model?: string | null
  /** The pages a web answer cites. */
  sources?: WebSource[]
}

export interface PresetInput {
  /** Absent: a new preset. Present: that preset is updated. */
  id?: string
  name: string
  systemPrompt: string
  params: ChatParams
  model: string | null
}

export interface ImportCounts {
  conversations: number
  messages: number
  /** Conversations already here unchanged, so not imported again (see `importParsed`). */
  skipped: number
}

/** One batch of a streamed import: the counts, and the ids of the conversations written (to undo them). */
export interface ImportBatch extends ImportCounts {
  writtenIds: string[]
  /** The written conversation active most recently (the one to show the person), or null. */
  newest: { id: string; updatedAt: number } | null
}

/** A conversation of an export whose messages are read only as they are written out. */
export type ExportedConversation = Omit<BundleConversation, 'messages'> & { messages: Iterable<BundleMessage> }

export const DEFAULT_TITLE = 'New chat'

/** "Trip (fork)", cut to fit the title limit. */
function forkTitle(title: string): string {
  const suffix = ' (fork)'
  return title.length + suffix.length > LIMITS.titleLength ? `${title.slice(0, LIMITS.titleLength - suffix.length - 1)}…${suffix}` : `${title}${suffix}`
}

/**
 * Opening with `last`: no more text than this from the thread's end (far
 * more than a screenful, so the person never sees its top edge before the
 * rest has come).
 */
export const OPEN_TAIL_CHARS = 40_000

/** The end of `records` worth OPEN_TAIL_CHARS; the message that crosses the budget is kept, so never empty. */
function keepTail(records: MessageRecord[]): MessageRecord[] {
  let chars = 0
  let from = records.length
  while (from > 0 && chars < OPEN_TAIL_CHARS) {
    const record = records[--from]
    chars += (record?.content.length ?? 0) + (record?.reasoning.length ?? 0)
  }
  return records.slice(from)
}

const SEARCH_MAX_LIMIT = 200
/** Above this many matching messages, search lists the most recent instead of ranking every match. */
const RANK_WINDOW = 5_000

export const UPDATE_MESSAGE_FAST_SQL = 'UPDATE messages SET content = ?, reasoning = ?, updated_at = ? WHERE id = ?'

export class ChatStore {
  readonly #db: DatabaseSync
  /** The database file, for a second connection (a worker's); `':memory:'` has none. */
  readonly filePath: string
  readonly #now: () => number
  readonly #newId: () => string
  /** Prepared once, reused: preparing costs more than running most of these. */
  readonly #sql: Statements
  /** Whether close() closes the connection too (it does when this store opened it). */
  readonly #ownsConnection: boolean
  #closed = false

  private constructor(db: DatabaseSync, filePath: string, options: ChatStoreOptions, ownsConnection: boolean) {
    this.#db = db
    this.#sql = new Statements(db, 'chat database')
    this.filePath = filePath
    this.#now = options.now ?? Date.now
    this.#newId = options.newId ?? randomUUID
    this.#ownsConnection = ownsConnection
  }

  /** Opens (creating or upgrading) the database file; `':memory:'` for a throwaway one. */
  static open(filePath: string, options: ChatStoreOptions = {}): ChatStore {
    return new ChatStore(openDatabase(filePath, { busyTimeoutMs: options.busyTimeoutMs, cacheSizeKiB: options.cacheSizeKiB }), filePath, options, true)
  }

  /** A store on a connection the caller opened and will close (the app's one connection to skyport.db). */
  static on(db: DatabaseSync, filePath: string, options: Pick<ChatStoreOptions, 'now' | 'newId'> = {}): ChatStore {
    return new ChatStore(db, filePath, options, false)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#sql.close()
    if (this.#ownsConnection) this.#db.close()
  }

  // ------------------------------------------------------------ conversations

  /** Conversations not in the trash: pinned first, then the most recently active. */
  listConversations(): ConversationSummary[] {
    const rows = this.#sql.all<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM ${CONVERSATION_FROM} WHERE c.trashed_at IS NULL ORDER BY c.pinned DESC, c.updated_at DESC, c.created_at DESC, c.rowid DESC`
    )
    return rows.map(toSummary)
  }

  /**
   * Settings and the visible thread. `last`: only the thread's end, at most
   * that many messages, and no more than about OPEN_TAIL_CHARS of text (the
   * message that crosses it is kept), so opening costs the same whatever the
   * conversation's length; `earlier` counts the messages left out.
   */
  getConversation(id: string, options: { last?: number } = {}): Conversation {
    const row = this.#liveConversation(id)
    const tree = this.#tree(row.id)
    const path = tree.visiblePath(row.active_leaf_id)
    const messages = options.last === undefined ? this.#records(tree, path) : keepTail(this.#records(tree, path.slice(-options.last)))
    return { ...toSummary(row), messageCount: path.length, settings: toSettings(row), messages, earlier: path.length - messages.length }
  }

  /** The messages above `messageId` in its thread, root first (what `getConversation` with `last` left out). */
  threadAbove(conversationId: string, messageId: string): MessageRecord[] {
    const row = this.#liveConversation(conversationId)
    const tree = this.#tree(row.id)
    if (!tree.has(messageId)) throw new AppError('not_found', 'That message is not in this conversation.')
    return this.#records(tree, tree.pathTo(messageId).slice(0, -1))
  }

  /** `quick`: asked from the quick-ask window. */
  createConversation(settings: ConversationSettings, title: string = DEFAULT_TITLE, options: { quick?: boolean } = {}): Conversation {
    const clean = checkSettings(settings)
    const cleanTitle = checkTitle(title)
    const id = this.#newId()
    const now = this.#now()
    this.#sql.run(
      'INSERT INTO conversations (id, title, created_at, updated_at, pinned, model, system_prompt, params_json, stream, quick) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)',
      id,
      cleanTitle,
      now,
      now,
      clean.model,
      clean.systemPrompt,
      JSON.stringify(clean.params),
      clean.stream ? 1 : 0,
      options.quick === true ? 1 : 0
    )
    return this.getConversation(id)
  }

  renameConversation(id: string, title: string): ConversationSummary {
    const cleanTitle = checkTitle(title)
    this.#liveConversation(id)
    this.#sql.run('UPDATE conversations SET title = ? WHERE id = ?', cleanTitle, id)
    return toSummary(this.#liveConversation(id))
  }

  pinConversation(id: string, pinned: boolean): ConversationSummary {
    if (typeof pinned !== 'boolean') throw invalid('Pinned must be true or false.')
    this.#liveConversation(id)
    this.#sql.run('UPDATE conversations SET pinned = ? WHERE id = ?', pinned ? 1 : 0, id)
    return toSummary(this.#liveConversation(id))
  }

  /**
   * Fields present in `patch` replace the current ones; `params` are merged
   * key by key, and a param set to null is removed (back to the server's default).
   */
  updateConversationSettings(id: string, patch: Partial<ConversationSettings>): Conversation {
    const row = this.#liveConversation(id)
    if (!isRecord(patch)) throw invalid('The settings must be an object.')
    const current = toSettings(row)
    const next = checkSettings({
      model: patch.model ?? current.model,
      systemPrompt: patch.systemPrompt ?? current.systemPrompt,
      // The given set replaces the old one, so a parameter the person cleared is gone.
      params: patch.params ?? current.params,
      stream: patch.stream ?? current.stream
    })
    this.#sql.run(
      'UPDATE conversations SET model = ?, system_prompt = ?, params_json = ?, stream = ? WHERE id = ?',
      next.model,
      next.systemPrompt,
      JSON.stringify(next.params),
      next.stream ? 1 : 0,
      id
    )
    return this.getConversation(id)
  }

  /** Moves to the trash: hidden from the list and search until restored or purged. */
  trashConversation(id: string): void {
    this.#liveConversation(id)
    this.#sql.run('UPDATE conversations SET trashed_at = ? WHERE id = ?', this.#now(), id)
  }

  restoreConversation(id: string): ConversationSummary {
    checkId(id, 'conversation id')
    const changed = this.#sql.run('UPDATE conversations SET trashed_at = NULL WHERE id = ? AND trashed_at IS NOT NULL', id)
    if (changed === 0) throw new AppError('not_found', 'This conversation is not in the trash.')
    return toSummary(this.#liveConversation(id))
  }

  /** Deletes every trashed conversation with its messages; returns how many. Run at start. */
  purgeTrash(): number {
    return this.#sql.transaction(() => this.#sql.run('DELETE FROM conversations WHERE trashed_at IS NOT NULL'))
  }

  /**
   * Removes conversations that never got a message and were not pinned: the
   * empty "New chat" entries earlier versions saved on every New chat, and a
   * conversation whose first send failed. Returns how many went.
   */
  purgeEmptyConversations(): number {
    return this.#sql.transaction(() =>
      this.#sql.run('DELETE FROM conversations WHERE pinned = 0 AND NOT EXISTS (SELECT 1 FROM messages WHERE messages.conversation_id = conversations.id)')
    )
  }

  // ------------------------------------------------------------ messages

  /** Adds a message below `parentId` and makes it the conversation's visible leaf. */
  addMessage(input: NewMessage): MessageRecord {
    if (!isRecord(input)) throw invalid('The message must be an object.')
    const conversation = this.#liveConversation(input.conversationId)
    const parentId = input.parentId === null || input.parentId === undefined ? null : checkId(input.parentId, 'parent message id')
    const role = checkRole(input.role)
    const content = checkText(input.content, 'message')
    const reasoning = input.reasoning === undefined ? '' : checkText(input.reasoning, 'reasoning')
    const attachments = checkAttachments(input.attachments)
    const model = checkOptionalModel(input.model)
    const status = input.status === undefined ? 'complete' : checkStatus(input.status)
    const error = checkError(input.error)
    const finishReason = checkFinishReason(input.finishReason)
    const usage = checkUsage(input.usage)

    let depth = 1
    if (parentId !== null) {
      const parent = this.#sql.get<{ conversation_id: string; depth: number }>('SELECT conversation_id, depth FROM messages WHERE id = ?', parentId)
      if (!parent || parent.conversation_id !== conversation.id) throw new AppError('not_found', 'The message this one follows is not in this conversation.')
      depth = parent.depth + 1
    }
    const id = this.#newId()
    const now = this.#now()
    this.#sql.transaction(() => {
      this.#sql.run(
        `INSERT INTO messages (id, conversation_id, parent_id, depth, role, content, reasoning, attachments_json, model, status, error_json, finish_reason, usage_json, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        conversation.id,
        parentId,
        depth,
        role,
        content,
        reasoning,
        JSON.stringify(attachments),
        model,
        status,
        jsonOrNull(error),
        finishReason,
        jsonOrNull(usage),
        now,
        now
      )
      this.#sql.run('UPDATE conversations SET active_leaf_id = ?, updated_at = ? WHERE id = ?', id, now, conversation.id)
    })
    return this.getMessage(id)
  }

  /** Changes the given fields (absent ones stay); returns the saved message. */
  updateMessage(id: string, patch: MessagePatch): MessageRecord {
    checkId(id, 'message id')
    if (!isRecord(patch)) throw invalid('The message changes must be an object.')
    const sets: string[] = []
    const values: SQLInputValue[] = []
    const set = (column: string, value: SQLInputValue): void => {
      sets.push(`${column} = ?`)
      values.push(value)
    }
    if (patch.content !== undefined) set('content', checkText(patch.content, 'message'))
    if (patch.reasoning !== undefined) set('reasoning', checkText(patch.reasoning, 'reasoning'))
    if (patch.attachments !== undefined) set('attachments_json', JSON.stringify(checkAttachments(patch.attachments)))
    if (patch.status !== undefined) set('status', checkStatus(patch.status))
    if (patch.error !== undefined) set('error_json', jsonOrNull(checkError(patch.error)))
    if (patch.finishReason !== undefined) set('finish_reason', checkFinishReason(patch.finishReason))
    if (patch.usage !== undefined) set('usage_json', jsonOrNull(checkUsage(patch.usage)))
    if (patch.model !== undefined) set('model', checkOptionalModel(patch.model))
    if (patch.sources !== undefined) set('sources_json', JSON.stringify(checkSources(patch.sources)))
    set('updated_at', this.#now())
    // The column list varies with the patch; each variant is prepared once.
    const changed = this.#sql.run(`UPDATE messages SET ${sets.join(', ')} WHERE id = ?`, ...values, id)
    if (changed === 0) throw new AppError('not_found', 'This message no longer exists.')
    return this.getMessage(id)
  }

  /**
   * The streaming path: saves the answer so far, nothing else. Cheap because
   * a streaming message is not in the search index yet (it enters when its
   * status changes) and nothing is read back.
   */
  updateMessageFast(id: string, content: string, reasoning: string): void {
    if (typeof content !== 'string' || typeof reasoning !== 'string') throw invalid('The message and reasoning must be text.')
    if (content.length > LIMITS.storedMessageChars || reasoning.length > LIMITS.storedMessageChars) {
      throw invalid(`The message is longer than ${LIMITS.storedMessageChars.toLocaleString('en-US')} characters.`)
    }
    const changed = this.#sql.run(UPDATE_MESSAGE_FAST_SQL, content, reasoning, this.#now(), id)
    if (changed === 0) throw new AppError('not_found', 'This message no longer exists.')
  }

  getMessage(id: string): MessageRecord {
    checkId(id, 'message id')
    const row = this.#sql.get<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`, id)
    if (!row) throw new AppError('not_found', 'This message no longer exists.')
    const versions = this.#sql.all<{ id: string }>(
      'SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? ORDER BY seq',
      row.conversation_id,
      row.parent_id
    )
    return toMessageRecord(row, versions.map((version) => version.id))
  }

  /** The visible thread, root to active leaf, each message with its versions. */
  thread(conversationId: string): MessageRecord[] {
    return this.#thread(this.#liveConversation(conversationId))
  }

  /** The messages from the root down to `messageId` (included), whether or not that branch is showing. */
  pathTo(messageId: string): MessageRecord[] {
    checkId(messageId, 'message id')
    const message = this.#sql.get<{ conversation_id: string }>('SELECT conversation_id FROM messages WHERE id = ?', messageId)
    if (!message) throw new AppError('not_found', 'This message no longer exists.')
    this.#liveConversation(message.conversation_id)
    const tree = this.#tree(message.conversation_id)
    return this.#records(tree, tree.pathTo(messageId))
  }

  /**
   * Runs `work` in one write transaction: if it throws, nothing it wrote is
   * kept. `work` must be synchronous (as every method of this store is).
   */
  transaction<T>(work: () => T): T {
    return this.#sql.transaction(work)
  }

  /** Shows `messageId` and, below it, the most recently created leaf of its subtree. */
  switchVersion(messageId: string): Conversation {
    checkId(messageId, 'message id')
    const message = this.#sql.get<{ conversation_id: string }>('SELECT conversation_id FROM messages WHERE id = ?', messageId)
    if (!message) throw new AppError('not_found', 'This message no longer exists.')
    this.#liveConversation(message.conversation_id)
    const leaf = this.#tree(message.conversation_id).newestLeafUnder(messageId) ?? messageId
    this.#sql.run('UPDATE conversations SET active_leaf_id = ? WHERE id = ?', leaf, message.conversation_id)
    return this.getConversation(message.conversation_id)
  }

  /**
   * Deletes one message (one version) and everything below it. The thread
   * then shows a remaining version of it (the one before, else the one
   * after), or stops at its parent. Returns the conversation as it is now.
   */
  deleteMessage(messageId: string): Conversation {
    checkId(messageId, 'message id')
    const message = this.#sql.get<{ conversation_id: string; status: string }>('SELECT conversation_id, status FROM messages WHERE id = ?', messageId)
    if (!message) throw new AppError('not_found', 'This message no longer exists.')
    const conversation = this.#liveConversation(message.conversation_id)
    const tree = this.#tree(conversation.id)
    const gone = tree.subtree(messageId)
    const doomed = new Set(gone)
    if (this.#sql.get('SELECT 1 AS one FROM messages WHERE id IN (SELECT value FROM json_each(?)) AND status = ?', JSON.stringify(gone), 'streaming')) {
      throw invalid('An answer is still being written there. Stop it first.')
    }
    const versions = tree.versionsOf(messageId)
    const index = versions.indexOf(messageId)
    const sibling = versions[index - 1] ?? versions[index + 1] ?? null
    const active = conversation.active_leaf_id
    const showing = active === null || doomed.has(active) || !tree.has(active)
    const nextLeaf = showing ? (sibling !== null ? tree.newestLeafUnder(sibling) : tree.parentOf(messageId)) : active
    this.#sql.transaction(() => {
      // One statement: the parent key is checked at its end, when the whole subtree is gone.
      this.#sql.run('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(gone))
      this.#sql.run('UPDATE conversations SET active_leaf_id = ?, updated_at = ? WHERE id = ?', nextLeaf, this.#now(), conversation.id)
    })
    return this.getConversation(conversation.id)
  }

  /**
   * A new conversation with the same settings and the thread from the root
   * down to `messageId` (that branch only; other versions stay behind).
   */
  forkConversation(messageId: string): Conversation {
    const path = this.pathTo(messageId)
    const first = path[0]
    if (!first) throw new AppError('not_found', 'This message no longer exists.')
    const source = this.getConversation(first.conversationId)
    return this.#sql.transaction(() => {
      const fork = this.createConversation(source.settings, forkTitle(source.title))
      let parentId: string | null = null
      for (const message of path) {
        const copy = this.addMessage({
          conversationId: fork.id,
          parentId,
          role: message.role,
          content: message.content,
          reasoning: message.reasoning,
          attachments: message.attachments,
          model: message.model,
          // A copy is never being written.
          status: message.status === 'streaming' ? 'incomplete' : message.status,
          error: message.error,
          finishReason: message.finishReason,
          usage: message.usage
        })
        parentId = copy.id
      }
      return this.getConversation(fork.id)
    })
  }

  /** At start: answers that were streaming when the app stopped keep what arrived, as `incomplete`. */
  markInterruptedStreams(): number {
    return this.#sql.run("UPDATE messages SET status = 'incomplete' WHERE status = 'streaming'")
  }

  // ------------------------------------------------------------ search

  /**
   * Messages of conversations not in the trash that contain every word
   * typed (the last one as a prefix), best first. Never throws on odd input.
   */
  search(query: string, limit = 50): SearchHit[] {
    if (typeof query !== 'string') throw invalid('The search must be text.')
    const parsed = toSearchQuery(query)
    if (parsed === null) return []
    const count = Number.isInteger(limit) ? Math.min(Math.max(limit, 1), SEARCH_MAX_LIMIT) : 50
    let hits: number[]
    try {
      hits = this.#searchHits(parsed.match, count)
    } catch {
      // The query is built to be valid; if SQLite still refuses it, say "nothing found".
      return []
    }
    if (hits.length === 0) return []
    const rows = this.#sql.all<{ id: string; conversation_id: string; role: ChatRole; created_at: number; title: string; content: string }>(
      `SELECT m.id, m.conversation_id, m.role, m.created_at, c.title, m.content
       FROM json_each(?) AS hit
       JOIN messages m ON m.seq = hit.value
       JOIN conversations c ON c.id = m.conversation_id AND c.trashed_at IS NULL
       ORDER BY hit.key`,
      JSON.stringify(hits)
    )
    return rows.map((row) => ({
      conversationId: row.conversation_id,
      conversationTitle: row.title,
      messageId: row.id,
      role: row.role,
      snippet: makeSnippet(markdownToPlainText(row.content), parsed.phrases),
      createdAt: row.created_at
    }))
  }

  /**
   * The best `count` matches, as rowids. Trashed conversations are not in
   * the index, so this needs no join. bm25 scores every match of the query
   * (it counts them all first), so it is used only when the words are in at
   * most RANK_WINDOW messages; words found nearly everywhere list the most
   * recent matches first instead, which costs the same at any history size.
   */
  #searchHits(match: string, count: number): number[] {
    const recent = this.#sql.all<{ seq: number }>('SELECT rowid AS seq FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?', match, RANK_WINDOW + 1)
    if (recent.length > RANK_WINDOW) return recent.slice(0, count).map((hit) => hit.seq)
    if (recent.length <= 1) return recent.map((hit) => hit.seq)
    return this.#sql.all<{ seq: number }>(
      'SELECT rowid AS seq, bm25(messages_fts) AS score FROM messages_fts WHERE messages_fts MATCH ? ORDER BY score, rowid DESC LIMIT ?',
      match,
      count
    ).map((hit) => hit.seq)
  }

  // ------------------------------------------------------------ presets

  listPresets(): Preset[] {
    return this.#sql.all<PresetRow>('SELECT id, name, system_prompt, params_json, model, created_at FROM presets ORDER BY name COLLATE NOCASE, created_at').map(toPreset)
  }

  savePreset(input: PresetInput): Preset {
    if (!isRecord(input)) throw invalid('The preset must be an object.')
    const name = checkTitle(input.name, 'preset name')
    if (name.length > LIMITS.presetNameLength) throw invalid(`The preset name is longer than ${LIMITS.presetNameLength} characters.`)
    const systemPrompt = checkText(input.systemPrompt, 'system prompt', LIMITS.systemPromptChars)
    const params = JSON.stringify(checkParams(input.params))
    const model = checkOptionalModel(input.model)
    const now = this.#now()
    if (input.id === undefined) {
      const id = this.#newId()
      this.#sql.run(
        'INSERT INTO presets (id, name, system_prompt, params_json, model, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        id,
        name,
        systemPrompt,
        params,
        model,
        now,
        now
      )
      return this.#preset(id)
    }
    const id = checkId(input.id, 'preset id')
    const changed = this.#sql.run('UPDATE presets SET name = ?, system_prompt = ?, params_json = ?, model = ?, updated_at = ? WHERE id = ?', name, systemPrompt, params, model, now, id)
    if (changed === 0) throw new AppError('not_found', 'This preset no longer exists.')
    return this.#preset(id)
  }

  deletePreset(id: string): void {
    checkId(id, 'preset id')
    if (this.#sql.run('DELETE FROM presets WHERE id = ?', id) === 0) throw new AppError('not_found', 'This preset no longer exists.')
  }

  // ------------------------------------------------------------ export / import

  /** One conversation with its whole tree, in the app's export format. */
  exportConversation(id: string): ConversationBundle {
    const conversation = this.#exported(this.#liveConversation(id))
    return makeBundle([{ ...conversation, messages: [...conversation.messages] }], this.#now())
  }

  /** Every conversation not in the trash, oldest first, in memory: for tests and small stores; files go through `exportEach`. */
  exportAll(): ConversationBundle {
    const conversations = [...this.exportEach()].map((conversation) => ({ ...conversation, messages: [...conversation.messages] }))
    return makeBundle(conversations, this.#now())
  }

  /** How many conversations `exportEach` gives. */
  countLiveConversations(): number {
    return this.#sql.get<{ count: number }>('SELECT count(*) AS count FROM conversations WHERE trashed_at IS NULL')?.count ?? 0
  }

  /**
   * Every conversation not in the trash, oldest first, one at a time; each
   * one's messages are read from the database only as they are iterated, so
   * memory holds one message, not the history. Iterate each conversation's
   * messages once, before asking for the next conversation. Wrap the whole
   * walk in `readSnapshot` to see one consistent state while others write.
   */
  *exportEach(): Generator<ExportedConversation> {
    const rows = this.#sql.prepare(`SELECT ${CONVERSATION_COLUMNS} FROM ${CONVERSATION_FROM} WHERE c.trashed_at IS NULL ORDER BY c.created_at, c.rowid`).iterate()
    for (const row of rows) yield this.#exported(row as unknown as ConversationRow)
  }

  /**
   * Runs `work`, which may wait, against one snapshot of the database: in
   * WAL mode a read transaction keeps seeing the state it started with while
   * other connections commit. For a second connection (a worker's) only:
   * writes through this store would join the open transaction.
   */
  async readSnapshot<T>(work: () => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) throw new AppError('internal', 'A snapshot cannot start inside a transaction.')
    this.#db.exec('BEGIN')
    try {
      // A deferred BEGIN takes its snapshot at the first read: take it now.
      this.#sql.get('SELECT count(*) AS count FROM conversations')
      return await work()
    } finally {
      if (this.#db.isTransaction) this.#db.exec('COMMIT')
    }
  }

  /**
   * Reads an export back. Ids are kept unless already taken (then new ones
   * are given and parents follow); conversations already here unchanged are
   * skipped. All or nothing: a bad bundle changes nothing and the error says
   * what is wrong.
   */
  importBundle(bundle: unknown): ImportCounts {
    const parsed = parseBundle(bundle)
    const { conversations, messages, skipped } = this.importParsed(parsed.conversations)
    return { conversations, messages, skipped }
  }

  /** The `conversations.json` of a ChatGPT data export; `defaults` fill settings the export does not have. */
  importChatGpt(json: unknown, defaults: Partial<ConversationSettings> = {}): ImportCounts {
    const bundle = chatGptToBundle(json, { newId: this.#newId, now: this.#now(), defaults })
    return this.importBundle(bundle)
  }

  /**
   * Writes conversations checked by `parseConversation`, in one transaction.
   *
   * A conversation is skipped, not copied, when one with the same id is here
   * (not in the trash) with exactly the same messages: the same message ids,
   * each with the same `updatedAt`. Any edit, regenerated answer or new
   * message changes that, so the import copies it under new ids instead.
   * Title, pin and settings are not compared: renaming a conversation after
   * exporting it does not make the old copy in the file new content.
   */
  importParsed(conversations: readonly BundleConversation[]): ImportBatch {
    return this.#sql.transaction(() => {
      const batch: ImportBatch = { conversations: 0, messages: 0, skipped: 0, writtenIds: [], newest: null }
      for (const conversation of conversations) {
        const writtenId = this.#writeConversation(conversation)
        if (writtenId === null) {
          batch.skipped++
          continue
        }
        batch.writtenIds.push(writtenId)
        if (batch.newest === null || conversation.updatedAt > batch.newest.updatedAt) batch.newest = { id: writtenId, updatedAt: conversation.updatedAt }
        batch.conversations++
        batch.messages += conversation.messages.length
      }
      return batch
    })
  }

  /** Deletes conversations outright (not to the trash): undoes an import that failed halfway. */
  deleteConversations(ids: readonly string[]): number {
    return this.#sql.transaction(() => this.#sql.run('DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(ids)))
  }

  /**
   * The attachment ids messages still refer to: each attachment's id and the
   * file named in its url, in case an imported message names a file under
   * another id. Trashed conversations count until they are purged.
   */
  attachmentReferences(): Set<string> {
    const rows = this.#sql.all<{ id: unknown; url: unknown }>(
      "SELECT json_extract(a.value, '$.id') AS id, json_extract(a.value, '$.url') AS url FROM messages m, json_each(m.attachments_json) a WHERE m.attachments_json <> '[]'"
    )
    const references = new Set<string>()
    for (const row of rows) {
      if (typeof row.id === 'string') references.add(row.id)
      if (typeof row.url === 'string') {
        const file = row.url.slice(row.url.lastIndexOf('/') + 1)
        references.add(file.includes('.') ? file.slice(0, file.indexOf('.')) : file)
      }
    }
    return references
  }

  // ------------------------------------------------------------ internals

  #liveConversation(id: unknown): ConversationRow {
    checkId(id, 'conversation id')
    const row = this.#sql.get<ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM ${CONVERSATION_FROM} WHERE c.id = ? AND c.trashed_at IS NULL`, id as string)
    if (!row) throw new AppError('not_found', 'This conversation no longer exists.')
    return row
  }

  #tree(conversationId: string): MessageTree {
    return new MessageTree(this.#sql.all<TreeRow>('SELECT id, parent_id FROM messages WHERE conversation_id = ? ORDER BY seq', conversationId))
  }

  /** Two queries whatever the length: the tree (ids only), then the visible messages' rows. */
  #thread(conversation: ConversationRow): MessageRecord[] {
    const tree = this.#tree(conversation.id)
    return this.#records(tree, tree.visiblePath(conversation.active_leaf_id))
  }

  /** The messages of `path`, in its order, each with its versions: one query. */
  #records(tree: MessageTree, path: string[]): MessageRecord[] {
    if (path.length === 0) return []
    const rows = this.#sql.arrays(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id IN (SELECT value FROM json_each(?))`, JSON.stringify(path)).map(messageRowFromArray)
    const byId = new Map(rows.map((row) => [row.id, row]))
    return path.flatMap((id) => {
      const row = byId.get(id)
      return row ? [toMessageRecord(row, tree.versionsOf(id))] : []
    })
  }

  #exported(row: ConversationRow): ExportedConversation {
    const leafHere = row.active_leaf_id !== null && this.#sql.get('SELECT 1 AS x FROM messages WHERE id = ? AND conversation_id = ?', row.active_leaf_id, row.id) !== undefined
    const messages = this.#sql.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY seq`)
    return {
      id: row.id,
      title: row.title,
      pinned: row.pinned !== 0,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      activeLeafId: leafHere ? row.active_leaf_id : null,
      ...(row.quick === 1 ? { quick: true } : {}),
      settings: toSettings(row),
      messages: {
        *[Symbol.iterator]() {
          for (const message of messages.iterate(row.id)) yield toBundleMessage(toStoredMessage(message as unknown as MessageRow))
        }
      }
    }
  }

  /** Writes one conversation; returns the id it got, or null when it was already here unchanged. */
  #writeConversation(conversation: BundleConversation): string | null {
    const conversationTaken = (id: string): boolean => this.#sql.get('SELECT 1 AS x FROM conversations WHERE id = ?', id) !== undefined
    const messageTaken = (id: string): boolean => this.#sql.get('SELECT 1 AS x FROM messages WHERE id = ?', id) !== undefined
    const existing = this.#sql.get<{ trashed_at: number | null }>('SELECT trashed_at FROM conversations WHERE id = ?', conversation.id)
    if (existing !== undefined && existing.trashed_at === null && this.#sameMessages(conversation)) return null
    const id = existing !== undefined ? this.#freshId(conversationTaken) : conversation.id
    const { settings } = conversation
    this.#sql.run(
      `INSERT INTO conversations (id, title, created_at, updated_at, pinned, model, system_prompt, params_json, stream, quick) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      conversation.title,
      conversation.createdAt,
      conversation.updatedAt,
      conversation.pinned ? 1 : 0,
      settings.model,
      settings.systemPrompt,
      JSON.stringify(settings.params),
      settings.stream ? 1 : 0,
      conversation.quick === true ? 1 : 0
    )
    const newIds = new Map<string, string>()
    const depths = new Map<string, number>()
    const treeRows: TreeRow[] = []
    // Messages come parents first (parseBundle), so every parent is already mapped.
    for (const message of conversation.messages) {
      const messageId = messageTaken(message.id) ? this.#freshId(messageTaken) : message.id
      const parentId = message.parentId === null ? null : (newIds.get(message.parentId) ?? null)
      const depth = parentId === null ? 1 : (depths.get(parentId) ?? 0) + 1
      newIds.set(message.id, messageId)
      depths.set(messageId, depth)
      treeRows.push({ id: messageId, parent_id: parentId })
      this.#sql.run(
        `INSERT INTO messages (id, conversation_id, parent_id, depth, role, content, reasoning, attachments_json, model, status, error_json, finish_reason, usage_json, created_at, updated_at, sources_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        messageId,
        id,
        parentId,
        depth,
        message.role,
        message.content,
        message.reasoning,
        JSON.stringify(message.attachments),
        message.model,
        // Nothing is streaming into an imported message.
        message.status === 'streaming' ? 'incomplete' : message.status,
        jsonOrNull(message.error),
        message.finishReason,
        jsonOrNull(message.usage),
        message.createdAt,
        message.updatedAt,
        JSON.stringify(message.sources ?? [])
      )
    }
    const leaf = conversation.activeLeafId === null ? new MessageTree(treeRows).newestLeafUnder(null) : (newIds.get(conversation.activeLeafId) ?? null)
    this.#sql.run('UPDATE conversations SET active_leaf_id = ? WHERE id = ?', leaf, id)
    return id
  }

  /** The stored conversation with this id has exactly these messages: same ids, each last changed at the same time. */
  #sameMessages(conversation: BundleConversation): boolean {
    const stored = this.#sql.all<{ id: string; updated_at: number }>('SELECT id, updated_at FROM messages WHERE conversation_id = ?', conversation.id)
    if (stored.length !== conversation.messages.length) return false
    const updatedAt = new Map(stored.map((row) => [row.id, row.updated_at]))
    return conversation.messages.every((message) => updatedAt.get(message.id) === message.updatedAt)
  }

  #freshId(taken: (id: string) => boolean): string {
    for (let attempt = 0; attempt < 10; attempt++) {
      const id = this.#newId()
      if (!taken(id)) return id
    }
    throw new AppError('internal', 'Could not find a free id for an imported item.')
  }

  #preset(id: string): Preset {
    const row = this.#sql.get<PresetRow>('SELECT id, name, system_prompt, params_json, model, created_at FROM presets WHERE id = ?', id)
    if (!row) throw new AppError('not_found', 'This preset no longer exists.')
    return toPreset(row)
  }
}

function toBundleMessage(message: StoredMessage): BundleMessage {
  return {
    id: message.id,
    parentId: message.parentId,
    role: message.role,
    content: message.content,
    reasoning: message.reasoning,
    attachments: message.attachments,
    model: message.model,
    status: message.status,
    error: message.error,
    finishReason: message.finishReason,
    usage: message.usage,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
    ...(message.sources && message.sources.length > 0 ? { sources: message.sources } : {})
  }
}

