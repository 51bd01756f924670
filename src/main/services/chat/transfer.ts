/**
 * Conversations to and from files: export one as Markdown or JSON, export
 * all as one JSON bundle, and import a bundle or a ChatGPT data export.
 * Main does the file work; the renderer only learns where it went.
 */
import { readFile, stat } from 'node:fs/promises'
import type { ExportResult, ImportResult } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { FileDialogs } from '../../app-services'
import { writeFileAtomic } from '../files/atomic-write'
import { BUNDLE_FORMAT } from './export/bundle'
import { conversationToMarkdown } from './export/markdown'
import type { ChatStore } from './store'

/** Larger than any real export we have seen; protects memory from a wrong file. */
const MAX_IMPORT_BYTES = 512 * 1024 * 1024

export class ConversationTransfer {
  readonly #store: ChatStore
  readonly #dialogs: FileDialogs

  constructor(deps: { store: ChatStore; dialogs: FileDialogs }) {
    this.#store = deps.store
    this.#dialogs = deps.dialogs
  }

  async exportOne(id: string, format: 'markdown' | 'json'): Promise<ExportResult> {
    const conversation = this.#store.getConversation(id)
    const markdown = format === 'markdown'
    const path = await this.#dialogs.saveFile({
      title: 'Export conversation',
      defaultName: `${fileNameFor(conversation.title)}.${markdown ? 'md' : 'json'}`,
      filters: markdown ? [{ name: 'Markdown', extensions: ['md'] }] : [{ name: 'JSON', extensions: ['json'] }]
    })
    if (path === null) return { path: null, count: 0 }
    const text = markdown ? conversationToMarkdown(conversation) : JSON.stringify(this.#store.exportConversation(id), null, 2)
    await writeFileAtomic(path, text)
    return { path, count: 1 }
  }

  async exportAll(): Promise<ExportResult> {
    const path = await this.#dialogs.saveFile({
      title: 'Export all conversations',
      defaultName: `skyport-conversations-${new Date().toISOString().slice(0, 10)}.json`,
      filters: [{ name: 'JSON', extensions: ['json'] }]
    })
    if (path === null) return { path: null, count: 0 }
    const bundle = this.#store.exportAll()
    await writeFileAtomic(path, JSON.stringify(bundle))
    return { path, count: bundle.conversations.length }
  }

  /** Reads this app's bundle or a ChatGPT `conversations.json`; a bad file changes nothing. */
  async importFromFile(): Promise<ImportResult> {
    const [path] = await this.#dialogs.openFiles({
      title: 'Import conversations',
      filters: [{ name: 'Conversations (JSON)', extensions: ['json'] }],
      multiple: false
    })
    if (path === undefined) return { path: null, conversations: 0, messages: 0 }
    const info = await stat(path)
    if (info.size > MAX_IMPORT_BYTES) throw new AppError('too_large', 'That file is too large to import (over 512 MB).')
    let json: unknown
    try {
      json = JSON.parse(await readFile(path, 'utf8'))
    } catch {
      throw new AppError('invalid_argument', 'That file is not JSON: choose a Skyport export or the conversations.json of a ChatGPT export.')
    }
    const counts = isBundle(json) ? this.#store.importBundle(json) : this.#store.importChatGpt(json)
    return { path, ...counts }
  }
}

function isBundle(json: unknown): boolean {
  return typeof json === 'object' && json !== null && !Array.isArray(json) && (json as { format?: unknown }).format === BUNDLE_FORMAT
}

/** A file name from a title: no path separators or characters Windows refuses. */
function fileNameFor(title: string): string {
  const cleaned = title.replace(/[\\/:*?"<>|\x00-\x1f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80)
  return cleaned === '' || /^\.+$/.test(cleaned) ? 'conversation' : cleaned
}
