/**
 * The worker thread that imports or exports every conversation (see
 * transfer-jobs.ts), so main's event loop stays free for the window while
 * hundreds of MB are read, checked and written. It opens its own
 * connection to the database file: SQLite in WAL mode lets it read beside
 * main's connection, and its write batches are short.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { toErrorData } from '../../../shared/errors'
import { ChatStore } from './store'
import { runTransferJob, WORKER_CACHE_KIB, type TransferJob, type TransferMessage } from './transfer-jobs'

const port = parentPort
if (port === null) throw new Error('transfer-worker runs as a worker thread.')
const job = workerData as TransferJob
const controller = new AbortController()
port.on('message', (message: unknown) => {
  if ((message as { type?: unknown } | null)?.type === 'abort') controller.abort()
})
// Listening for "abort" must not keep the thread alive once the job is over.
port.unref()

const send = (message: TransferMessage): void => port.postMessage(message)

let store: ChatStore | null = null
try {
  store = ChatStore.open(job.databasePath, { cacheSizeKiB: WORKER_CACHE_KIB })
  const outcome = await runTransferJob(store, job, { signal: controller.signal, onProgress: (step) => send({ type: 'progress', step }) })
  send({ type: 'done', outcome })
} catch (error) {
  send({ type: 'failed', error: toErrorData(error) })
} finally {
  store?.close()
}
