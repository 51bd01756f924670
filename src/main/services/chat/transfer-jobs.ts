/**
 * Export and import of every conversation as streams, so memory holds one
 * conversation at a time whatever the file's size. They run in a worker
 * thread (transfer-worker.ts) with the worker's own database connection;
 * they are plain async functions so tests can also run them directly.
 *
 * Export: one read transaction (a snapshot: the file is consistent even
 * while the app saves answers meanwhile), each conversation's messages read
 * row by row and written out through the atomic writer.
 *
 * Import, in two passes over the file:
 * 1. Check: every conversation is parsed and validated exactly as
 *    `parseBundle` would; nothing is written. A bad file fails here and
 *    changes nothing.
 * 2. Write: the file is read again and written in batches of a few MB, one
 *    short transaction each, so the app's own writes (a streaming answer)
 *    wait for one batch at most, never for the whole import. If this pass
 *    fails (the file changed since the check, the disk is full, the app is
 *    quitting), the conversations it wrote are deleted again. One
 *    transaction for the whole file would hold the database's write lock
 *    for as long as the import takes.
 */
import { randomUUID } from 'node:crypto'
import { open, stat, type FileHandle } from 'node:fs/promises'
import type { ConversationSettings, TransferProgress } from '../../../shared/contract'
import { AppError, type BridgeErrorData } from '../../../shared/errors'
import { writeFileAtomic } from '../files/atomic-write'
import { BUNDLE_FORMAT, makeBundle, parseBundleHead, parseConversation, type BundleConversation } from './export/bundle'
import { chatGptConversation, isChatGptConversation, notAnExport, type ChatGptImportOptions } from './export/chatgpt'
import { JsonPieces, JsonPiecesError } from './export/json-pieces'
import type { ChatStore, ImportBatch, ImportCounts } from './store'
import { isRecord } from './store-validate'

const MB = 1024 * 1024
/** Largest single conversation (or top level of a file) held in memory at once. */
export const MAX_PIECE_BYTES = 128 * MB
const READ_CHUNK_BYTES = 1 * MB
/** A write transaction ends once it has taken about this much of the file. */
const BATCH_BYTES = 4 * MB
/** Progress is sent at most this often; the last step is always sent. */
const PROGRESS_INTERVAL_MS = 100

export type ProgressStep = Omit<TransferProgress, 'operation'>

export interface JobControl {
  onProgress?: (step: ProgressStep) => void
  /** Stops the job (the app is quitting): an export writes nothing, an import undoes what it wrote. */
  signal?: AbortSignal
}

export interface ImportOptions extends JobControl {
  /** Settings a ChatGPT export does not carry. */
  defaults?: Partial<ConversationSettings>
  newId?: () => string
  now?: () => number
}

/** What the worker is asked to do (its workerData). */
export type TransferJob =
  | { kind: 'export'; databasePath: string; filePath: string }
  | { kind: 'import'; databasePath: string; filePath: string; defaults?: Partial<ConversationSettings> }
  /** A walk over every message (its text included, on disk): too long for main on a large history. */
  | { kind: 'attachment-references'; databasePath: string }

export type TransferOutcome = { kind: 'export'; count: number } | { kind: 'import'; counts: ImportCounts & { newestId: string | null } } | { kind: 'attachment-references'; ids: string[] }

/** Worker → main. Main → worker is only `{ type: 'abort' }`. */
export type TransferMessage = { type: 'progress'; step: ProgressStep } | { type: 'done'; outcome: TransferOutcome } | { type: 'failed'; error: BridgeErrorData }

/** The worker's connection reads each page once: a small page cache keeps its memory small. */
export const WORKER_CACHE_KIB = 4 * 1024

/** Runs a job against a store opened on `job.databasePath`. The worker's whole work; tests may call it directly. */
export async function runTransferJob(store: ChatStore, job: TransferJob, control: JobControl): Promise<TransferOutcome> {
  if (job.kind === 'export') return { kind: 'export', count: await exportAllToFile(store, job.filePath, control) }
  if (job.kind === 'import') return { kind: 'import', counts: await importFromFile(store, job.filePath, { ...control, defaults: job.defaults }) }
  return { kind: 'attachment-references', ids: [...store.attachmentReferences()] }
}

// ---------------------------------------------------------------- export

/** Writes every conversation not in the trash to `path` in the bundle format; returns how many. */
export async function exportAllToFile(store: ChatStore, path: string, control: JobControl & { exportedAt?: number } = {}): Promise<number> {
  const report = throttle(control.onProgress)
  return store.readSnapshot(async () => {
    const total = store.countLiveConversations()
    let done = 0
    report({ phase: 'exporting', done, total }, true)
    async function* text(): AsyncGenerator<string> {
      // The same bytes JSON.stringify(bundle) gives, written a conversation at a time.
      const head = JSON.stringify(makeBundle([], control.exportedAt ?? Date.now()))
      yield head.slice(0, -'[]}'.length) + '['
      for (const conversation of store.exportEach()) {
        checkNotAborted(control.signal, 'export')
        const { messages, ...rest } = conversation
        yield `${done === 0 ? '' : ','}${JSON.stringify(rest).slice(0, -1)},"messages":[`
        let first = true
        for (const message of messages) {
          yield `${first ? '' : ','}${JSON.stringify(message)}`
          first = false
        }
        yield ']}'
        done++
        report({ phase: 'exporting', done, total }, false)
      }
      yield ']}'
    }
    await writeFileAtomic(path, text())
    report({ phase: 'exporting', done, total }, true)
    return done
  })
}

// ---------------------------------------------------------------- import

type FileKind = 'bundle' | 'chatgpt-list' | 'chatgpt-single'

/** Imports this app's bundle or a ChatGPT `conversations.json`. A bad file changes nothing. */
export async function importFromFile(store: ChatStore, path: string, options: ImportOptions = {}): Promise<ImportCounts & { newestId: string | null }> {
  const report = throttle(options.onProgress)
  let size: number
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new AppError('invalid_argument', 'Only files can be imported.')
    size = info.size
  } catch (error) {
    if (error instanceof AppError) throw error
    throw new AppError('not_found', 'The file could not be read.', { cause: error })
  }
  const chatGpt: ChatGptImportOptions = { newId: options.newId ?? randomUUID, now: (options.now ?? Date.now)(), defaults: options.defaults ?? {} }

  // Pass 1: check everything, write nothing.
  report({ phase: 'checking', done: 0, total: size }, true)
  let total = 0
  let items = 0
  let readable = 0
  /** A bad conversation of an object file; reported after the top level, whose errors come first (a file that is not a bundle at all). */
  let firstProblem: unknown = null
  const checked = await scan(path, options.signal, (bytes) => report({ phase: 'checking', done: bytes, total: size }, false), (value, index, topLevel) => {
    if (topLevel === 'array') {
      items++
      if (!isChatGptConversation(value)) return
      readable++
      const conversation = chatGptConversation(value, chatGpt)
      if (conversation) {
        parseConversation(conversation, `conversations[${total}]`)
        total++
      }
    } else if (firstProblem === null) {
      try {
        parseConversation(value, `conversations[${index}]`)
        total++
      } catch (error) {
        firstProblem = error
      }
    }
  })
  const kind = fileKind(checked.topLevel, checked.skeleton)
  if (kind === 'bundle') {
    parseBundleHead(checked.skeleton)
    if (firstProblem !== null) throw firstProblem
  } else if (kind === 'chatgpt-list') {
    if (items > 0 && readable === 0) notAnExport()
  } else {
    const conversation = chatGptConversation(checked.skeleton as Parameters<typeof chatGptConversation>[0], chatGpt)
    total = conversation === null ? 0 : 1
    if (conversation) parseConversation(conversation, 'conversations[0]')
  }
  report({ phase: 'checking', done: size, total: size }, true)

  // Pass 2: write in batches; undo on failure.
  const counts: ImportCounts = { conversations: 0, messages: 0, skipped: 0 }
  const written: string[] = []
  // A holder, not a `let`: TypeScript does not see the assignments inside flush().
  const newest: { value: ImportBatch['newest'] } = { value: null }
  let batch: BundleConversation[] = []
  let batchBytes = 0
  let done = 0
  const flush = (): void => {
    if (batch.length === 0) return
    const result = store.importParsed(batch)
    counts.conversations += result.conversations
    counts.messages += result.messages
    counts.skipped += result.skipped
    written.push(...result.writtenIds)
    if (result.newest !== null && (newest.value === null || result.newest.updatedAt > newest.value.updatedAt)) newest.value = result.newest
    done += batch.length
    batch = []
    batchBytes = 0
    report({ phase: 'importing', done, total }, false)
  }
  const add = (conversation: BundleConversation, bytes: number): void => {
    batch.push(conversation)
    batchBytes += bytes
    if (batchBytes >= BATCH_BYTES) flush()
  }
  report({ phase: 'importing', done: 0, total }, true)
  try {
    let listed = 0
    const again = await scan(path, options.signal, () => undefined, (value, index, _topLevel, bytes) => {
      if (kind === 'bundle') add(parseConversation(value, `conversations[${index}]`), bytes)
      else if (kind === 'chatgpt-list' && isChatGptConversation(value)) {
        const conversation = chatGptConversation(value, chatGpt)
        if (conversation) add(parseConversation(conversation, `conversations[${listed++}]`), bytes)
      }
    })
    if (kind === 'chatgpt-single') {
      const conversation = chatGptConversation(again.skeleton as Parameters<typeof chatGptConversation>[0], chatGpt)
      if (conversation) add(parseConversation(conversation, 'conversations[0]'), 0)
    }
    flush()
  } catch (error) {
    if (written.length > 0) store.deleteConversations(written)
    if (error instanceof AppError && error.code === 'invalid_argument') {
      throw new AppError('invalid_argument', `The file changed while it was being imported; nothing was imported. ${error.message}`, { cause: error })
    }
    throw error
  }
  report({ phase: 'importing', done: total, total }, true)
  return { ...counts, newestId: newest.value?.id ?? null }
}

function fileKind(topLevel: JsonPieces['topLevel'], skeleton: unknown): FileKind {
  if (topLevel === 'array') return 'chatgpt-list'
  if (isRecord(skeleton) && skeleton.format === BUNDLE_FORMAT) return 'bundle'
  if (isChatGptConversation(skeleton)) return 'chatgpt-single'
  // Says what is wrong with a file that looks like another app's export or an older one of ours.
  if (isRecord(skeleton) && 'format' in skeleton) parseBundleHead(skeleton)
  return notAnExport()
}

/**
 * Reads the file once, handing each element of its long list to `onElement`
 * as a parsed value; returns the rest of the document, parsed.
 */
async function scan(
  path: string,
  signal: AbortSignal | undefined,
  onBytes: (bytesRead: number) => void,
  onElement: (value: unknown, index: number, topLevel: JsonPieces['topLevel'], bytes: number) => void
): Promise<{ topLevel: JsonPieces['topLevel']; skeleton: unknown }> {
  const pieces = new JsonPieces({ listKey: 'conversations', maxPieceBytes: MAX_PIECE_BYTES })
  let index = 0
  // One buffer, reused for every read: no dead chunks pile up outside V8's heap between collections.
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES)
  let handle: FileHandle | null = null
  try {
    handle = await open(path, 'r')
    for (;;) {
      checkNotAborted(signal, 'import')
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      for (const element of pieces.push(buffer.subarray(0, bytesRead))) {
        let value: unknown
        try {
          value = JSON.parse(element)
        } catch (error) {
          throw notJson(`conversation ${index + 1}: ${(error as Error).message}`)
        }
        onElement(value, index++, pieces.topLevel, element.length)
      }
      onBytes(pieces.bytesRead)
    }
    return { topLevel: pieces.topLevel, skeleton: pieces.end() }
  } catch (error) {
    if (error instanceof JsonPiecesError) {
      if (error.reason === 'too_large') throw new AppError('too_large', `${error.message} That is more than this app can import.`)
      throw notJson(error.message)
    }
    if (error instanceof AppError) throw error
    const code = (error as NodeJS.ErrnoException | null)?.code
    if (typeof code === 'string') throw new AppError('not_found', 'The file could not be read.', { cause: error })
    throw error
  } finally {
    await handle?.close()
  }
}

function notJson(detail: string): AppError {
  return new AppError('invalid_argument', `That file is not valid JSON (${detail}). Choose a Skyport export or the conversations.json of a ChatGPT export.`)
}

function checkNotAborted(signal: AbortSignal | undefined, what: 'import' | 'export'): void {
  if (signal?.aborted) throw new AppError('aborted', `The ${what} was stopped before it finished; nothing was ${what === 'import' ? 'imported' : 'written'}.`)
}

/** Sends a step at most every PROGRESS_INTERVAL_MS, and always when `force` is set. */
function throttle(listener: ((step: ProgressStep) => void) | undefined): (step: ProgressStep, force: boolean) => void {
  let last = 0
  return (step, force) => {
    if (!listener) return
    const now = performance.now()
    if (!force && now - last < PROGRESS_INTERVAL_MS) return
    last = now
    listener(step)
  }
}
