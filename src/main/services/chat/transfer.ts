/**
 * Conversations to and from files: export one as Markdown or JSON, export
 * all as one JSON bundle, and import a bundle or a ChatGPT data export.
 * Main does the file work; the renderer only learns where it went.
 *
 * Exporting or importing everything runs in a worker thread, streaming
 * (transfer-jobs.ts): a file of hundreds of MB never sits in memory and
 * main's event loop never waits for it. Progress goes to the window that
 * asked as `transfer.progress` events.
 */
import type { ResourceLimits } from 'node:worker_threads'
import type { EventSink } from '../../bridge'
import type { ExportResult, ImportResult, TransferProgress } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { FileDialogs } from '../../app-services'
import { writeFileAtomic } from '../files/atomic-write'
import { conversationToMarkdown } from './export/markdown'
import type { ChatStore } from './store'
import type { ProgressStep, TransferJob, TransferMessage, TransferOutcome } from './transfer-jobs'
import startTransferWorker from './transfer-worker?nodeWorker'

/**
 * A ceiling, not a budget: the jobs hold one conversation at a time (at most
 * MAX_PIECE_BYTES of JSON), far below it. A bug or a hostile file stops the
 * worker with an error instead of taking the machine's memory.
 */
const WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 1024 }

/** Where progress goes; a window's event sink in the app. */
type ProgressSink = Pick<EventSink, 'send'>

interface RunningJob {
  worker: { postMessage(message: unknown): void }
  finished: Promise<TransferOutcome>
}

export class ConversationTransfer {
  readonly #store: ChatStore
  readonly #dialogs: FileDialogs
  readonly #workerLimits: ResourceLimits
  #running: RunningJob | null = null

  /** `workerLimits`: tests make them tight to prove how little memory a job needs. */
  constructor(deps: { store: ChatStore; dialogs: FileDialogs; workerLimits?: ResourceLimits }) {
    this.#store = deps.store
    this.#dialogs = deps.dialogs
    this.#workerLimits = deps.workerLimits ?? WORKER_LIMITS
  }

  /** One conversation: small enough to write from main. */
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

  async exportAll(sink?: ProgressSink): Promise<ExportResult> {
    this.#checkIdle()
    const path = await this.#dialogs.saveFile({
      title: 'Export all conversations',
      defaultName: `skyport-conversations-${new Date().toISOString().slice(0, 10)}.json`,
      filters: [{ name: 'JSON', extensions: ['json'] }]
    })
    if (path === null) return { path: null, count: 0 }
    const outcome = await this.#run({ kind: 'export', databasePath: this.#databasePath(), filePath: path }, 'export', sink)
    return { path, count: outcome.kind === 'export' ? outcome.count : 0 }
  }

  /** Reads this app's bundle or a ChatGPT `conversations.json`; a bad file changes nothing. */
  async importFromFile(sink?: ProgressSink): Promise<ImportResult> {
    this.#checkIdle()
    const [path] = await this.#dialogs.openFiles({
      title: 'Import conversations',
      filters: [{ name: 'Conversations (JSON)', extensions: ['json'] }],
      multiple: false
    })
    if (path === undefined) return { path: null, conversations: 0, messages: 0, skipped: 0, newestId: null }
    const outcome = await this.#run({ kind: 'import', databasePath: this.#databasePath(), filePath: path }, 'import', sink)
    const counts = outcome.kind === 'import' ? outcome.counts : { conversations: 0, messages: 0, skipped: 0, newestId: null }
    return { path, ...counts }
  }

  /** Which attachment ids messages refer to, read by a worker so a large history does not hold up main at start. */
  async attachmentReferences(): Promise<Set<string>> {
    const { finished } = startJob({ kind: 'attachment-references', databasePath: this.#databasePath() }, this.#workerLimits, 'clean-up', undefined)
    const outcome = await finished
    return new Set(outcome.kind === 'attachment-references' ? outcome.ids : [])
  }

  /** At quit: stops a running import or export (an import undoes what it wrote) and waits for it. */
  async close(): Promise<void> {
    const running = this.#running
    if (!running) return
    running.worker.postMessage({ type: 'abort' })
    await running.finished.catch(() => undefined)
  }

  #checkIdle(): void {
    // One at a time: two imports of the same file would race on which copy is "already here".
    if (this.#running) throw new AppError('invalid_argument', 'An import or export is already running; wait until it has finished.')
  }

  #databasePath(): string {
    if (this.#store.filePath === ':memory:') throw new AppError('internal', 'Import and export need the chat database to be a file.')
    return this.#store.filePath
  }

  #run(job: TransferJob, operation: TransferProgress['operation'], sink: ProgressSink | undefined): Promise<TransferOutcome> {
    this.#checkIdle()
    const running = startJob(job, this.#workerLimits, operation, sink)
    this.#running = running
    return running.finished.finally(() => {
      if (this.#running === running) this.#running = null
    })
  }
}

/** Starts the worker on one job; `finished` settles once the worker has exited (its database connection closed). */
function startJob(job: TransferJob, limits: ResourceLimits, what: TransferProgress['operation'] | 'clean-up', sink: ProgressSink | undefined): RunningJob {
  const worker = startTransferWorker({ workerData: job, resourceLimits: limits })
  const finished = new Promise<TransferOutcome>((resolve, reject) => {
    let outcome: TransferOutcome | AppError | null = null
    worker.on('message', (message: TransferMessage) => {
      if (message.type === 'progress') {
        if (what !== 'clean-up') sink?.send('transfer.progress', { operation: what, ...(message.step satisfies ProgressStep) })
      } else if (message.type === 'done') outcome = message.outcome
      else outcome = AppError.fromData(message.error)
    })
    worker.on('error', (error) => {
      outcome ??=
        (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new AppError('too_large', `The ${what} needed more memory than it may take and was stopped; nothing was ${what === 'import' ? 'imported' : 'written'}.`, { cause: error })
          : new AppError('internal', `The ${what} stopped: ${error.message}`, { cause: error })
    })
    worker.on('exit', (code) => {
      if (outcome === null) reject(new AppError('internal', `The ${what} stopped unexpectedly (exit code ${code}).`))
      else if (outcome instanceof AppError) reject(outcome)
      else resolve(outcome)
    })
  })
  return { worker, finished }
}

/** A file name from a title: no path separators or characters Windows refuses. */
function fileNameFor(title: string): string {
  const cleaned = title.replace(/[\\/:*?"<>|\x00-\x1f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80)
  return cleaned === '' || /^\.+$/.test(cleaned) ? 'conversation' : cleaned
}
