/**
 * The conversation list in the chat sidebar: summaries from main, grouped by
 * date (Pinned, Today, Yesterday, Previous 7 days, Previous 30 days, then by
 * month), and the list actions (rename, pin, delete/restore, import, export).
 */
import type { ConversationSummary, ExportResult, ImportResult } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { getApi } from '../bridge'
import { asAppError } from '../errors'
import { groupConversations, type ConversationGroup } from './conversation-groups'

export { groupConversations, type ConversationGroup }

export class ConversationsStore {
  items = $state.raw<ConversationSummary[]>([])
  loading = $state(false)
  loaded = $state(false)
  /** Why the list could not be loaded. */
  error = $state.raw<AppError | null>(null)
  /** The instant the date groups are relative to; moved forward on every load. */
  now = $state(Date.now())

  readonly groups: ConversationGroup[] = $derived(groupConversations(this.items, this.now))
  /** The sidebar's order, top to bottom (for previous/next). */
  readonly ordered: ConversationSummary[] = $derived(this.groups.flatMap((group) => group.items))

  #clock: () => number
  #sequence = 0

  constructor(options: { now?: () => number } = {}) {
    this.#clock = options.now ?? Date.now
    this.now = this.#clock()
  }

  async load(): Promise<void> {
    const sequence = ++this.#sequence
    this.loading = true
    try {
      const list = await getApi().conversations.list()
      if (sequence !== this.#sequence) return
      this.items = list
      this.now = this.#clock()
      this.error = null
      this.loaded = true
    } catch (error) {
      if (sequence === this.#sequence) this.error = asAppError(error)
    } finally {
      if (sequence === this.#sequence) this.loading = false
    }
  }

  get(id: string): ConversationSummary | undefined {
    return this.items.find((item) => item.id === id)
  }

  /** Adds or replaces one summary (e.g. a conversation just created). */
  upsert(summary: ConversationSummary): void {
    const plain = toSummary(summary)
    const index = this.items.findIndex((item) => item.id === plain.id)
    this.items = index === -1 ? [plain, ...this.items] : this.items.map((item, i) => (i === index ? plain : item))
    this.now = this.#clock()
  }

  /** Changes some fields of one summary locally. */
  patch(id: string, fields: Partial<Omit<ConversationSummary, 'id'>>): void {
    if (!this.items.some((item) => item.id === id)) return
    this.items = this.items.map((item) => (item.id === id ? { ...item, ...fields } : item))
  }

  async rename(id: string, title: string): Promise<ConversationSummary> {
    try {
      const summary = await getApi().conversations.rename({ id, title })
      this.upsert(summary)
      return summary
    } catch (error) {
      throw asAppError(error)
    }
  }

  async setPinned(id: string, pinned: boolean): Promise<ConversationSummary> {
    try {
      const summary = await getApi().conversations.pin({ id, pinned })
      this.upsert(summary)
      return summary
    } catch (error) {
      throw asAppError(error)
    }
  }

  /** Moves one to the trash; returns what it was, for an undo. */
  async remove(id: string): Promise<ConversationSummary | undefined> {
    const before = this.get(id)
    try {
      await getApi().conversations.delete({ id })
    } catch (error) {
      throw asAppError(error)
    }
    this.items = this.items.filter((item) => item.id !== id)
    return before
  }

  async restore(id: string): Promise<ConversationSummary> {
    try {
      const summary = await getApi().conversations.restore({ id })
      this.upsert(summary)
      return summary
    } catch (error) {
      throw asAppError(error)
    }
  }

  async exportOne(id: string, format: 'markdown' | 'json'): Promise<ExportResult> {
    try {
      return await getApi().conversations.export({ id, format })
    } catch (error) {
      throw asAppError(error)
    }
  }

  async exportAll(): Promise<ExportResult> {
    try {
      return await getApi().conversations.exportAll()
    } catch (error) {
      throw asAppError(error)
    }
  }

  /** Asks for a file and imports it; reloads the list when something came in. */
  async importFile(): Promise<ImportResult> {
    let result: ImportResult
    try {
      result = await getApi().conversations.import()
    } catch (error) {
      throw asAppError(error)
    }
    if (result.path !== null) await this.load()
    return result
  }

  /** The conversation above (`-1`) or below (`1`) `id` in the sidebar's order. */
  neighbour(id: string | null, step: -1 | 1): ConversationSummary | undefined {
    const list = this.ordered
    if (list.length === 0) return undefined
    const index = id === null ? -1 : list.findIndex((item) => item.id === id)
    if (index === -1) return step === 1 ? list[0] : list[list.length - 1]
    return list[index + step]
  }
}

/** A summary without the extra fields a full Conversation carries. */
export function toSummary(value: ConversationSummary): ConversationSummary {
  const { id, title, pinned, createdAt, updatedAt, model, messageCount } = value
  return { id, title, pinned, createdAt, updatedAt, model, messageCount }
}

/** "Imported 3 conversations (41 messages)". */
export function importText(result: ImportResult): string {
  const c = result.conversations
  const m = result.messages
  return `Imported ${c} ${c === 1 ? 'conversation' : 'conversations'} (${m} ${m === 1 ? 'message' : 'messages'})`
}
