/**
 * The conversation list in the chat sidebar: summaries from main, grouped by
 * date (Pinned, Today, Yesterday, Previous 7 days, Previous 30 days, then by
 * month), and the list actions (rename, pin, delete/restore, import, export).
 */
import type { ConversationSummary, ExportResult, ImportResult, TransferProgress } from '@shared/contract'
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
  /** How far the running import or export of everything has got; null when none runs. */
  transfer = $state.raw<TransferProgress | null>(null)

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
    return this.#withProgress('export', () => getApi().conversations.exportAll())
  }

  /** Asks for a file and imports it; reloads the list when something came in. */
  async importFile(): Promise<ImportResult> {
    const result = await this.#withProgress('import', () => getApi().conversations.import())
    if (result.path !== null && result.conversations > 0) await this.load()
    return result
  }

  /** Runs an import or export of everything, following its progress events meanwhile. */
  async #withProgress<R>(operation: TransferProgress['operation'], call: () => Promise<R>): Promise<R> {
    const api = getApi()
    const stop = api.on('transfer.progress', (progress) => {
      if (progress.operation === operation) this.transfer = progress
    })
    try {
      return await call()
    } catch (error) {
      throw asAppError(error)
    } finally {
      stop()
      this.transfer = null
    }
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

/** "Imported 3 conversations (41 messages); 2 were already here and were skipped". */
export function importText(result: ImportResult): string {
  const c = result.conversations
  const m = result.messages
  const s = result.skipped
  const skipped = s === 1 ? '1 was already here and was skipped' : `${s} were already here and were skipped`
  if (c === 0 && s > 0) return s === 1 ? 'Nothing new: the conversation in this file is already here' : `Nothing new: all ${s} conversations in this file are already here`
  const imported = `Imported ${c} ${c === 1 ? 'conversation' : 'conversations'} (${m} ${m === 1 ? 'message' : 'messages'})`
  return s > 0 ? `${imported}; ${skipped}` : imported
}

/** "Checking the file… 40%", "Importing 12 of 120 conversations", for the progress bar. */
export function transferText(progress: TransferProgress): string {
  if (progress.phase === 'checking') return 'Checking the file…'
  const verb = progress.phase === 'importing' ? 'Importing' : 'Exporting'
  const total = progress.total === null ? '' : ` of ${progress.total.toLocaleString('en-US')}`
  return `${verb} ${progress.done.toLocaleString('en-US')}${total} ${progress.total === 1 ? 'conversation' : 'conversations'}`
}

/** 0 to 1, or null when the total is not known. */
export function transferFraction(progress: TransferProgress): number | null {
  if (progress.total === null || progress.total <= 0) return progress.total === 0 ? 1 : null
  return Math.min(1, Math.max(0, progress.done / progress.total))
}
