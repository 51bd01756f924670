/**
 * Import and export of everything, end to end: the progress bar in the
 * built renderer in Chromium, and the worker thread as electron-vite builds
 * it into out/main, run by plain Node.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatStore } from '../../src/main/services/chat/store'
import type { TransferJob, TransferMessage } from '../../src/main/services/chat/transfer-jobs'
import { screenshot, startStack, type Stack } from './support'

const root = resolve(import.meta.dirname, '../..')

describe('importing a large file in the app', () => {
  let stack: Stack
  let userDataDir: string

  beforeAll(async () => {
    userDataDir = mkdtempSync(join(tmpdir(), 'skyport-e2e-transfer-'))
    stack = await startStack({ host: { userDataDir } })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('shows the progress under the list, then what came in; a second import skips it all', async () => {
    const { page, host } = stack
    const file = join(userDataDir, 'large.json')
    // 40 conversations of 20 long messages: about 32 MB, long enough to watch.
    execFileSync(process.execPath, [join(root, 'tests/support/write-large-bundle.ts'), file, '40', '20', '40000'])
    await page.getByTestId('nav-chat').click()
    host.powers.dialogScript.open.push([file])
    await page.getByTestId('import-conversations').click()
    const progress = page.getByTestId('transfer-progress')
    await progress.filter({ hasText: 'Importing' }).waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('import-conversations').isDisabled()).toBe(true)
    await screenshot(page, 'import-progress')
    await page.getByTestId('toast').filter({ hasText: 'Imported 40 conversations (800 messages)' }).waitFor({ timeout: 60_000 })
    await progress.waitFor({ state: 'detached' })
    expect(await page.getByTestId('conversation-item').count()).toBe(40)

    host.powers.dialogScript.open.push([file])
    await page.getByTestId('import-conversations').click()
    await page.getByTestId('toast').filter({ hasText: 'Nothing new: all 40 conversations in this file are already here' }).waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('conversation-item').count()).toBe(40)
    expect(stack.pageErrors).toEqual([])
  })
})

describe('the worker thread as built for the app', () => {
  function builtWorker(): string {
    const chunks = join(root, 'out/main/chunks')
    const name = readdirSync(chunks).find((file) => /^transfer-worker-.*\.js$/.test(file))
    if (name === undefined) throw new Error('out/main has no transfer worker: the build did not emit it.')
    return join(chunks, name)
  }

  function run(job: TransferJob): Promise<TransferMessage[]> {
    return new Promise((done, fail) => {
      const messages: TransferMessage[] = []
      const worker = new Worker(builtWorker(), { workerData: job })
      worker.on('message', (message: TransferMessage) => messages.push(message))
      worker.on('error', fail)
      worker.on('exit', () => done(messages))
    })
  }

  it('exports and imports with its own connection to the database file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'skyport-built-worker-'))
    const source = ChatStore.open(join(folder, 'source.sqlite'))
    const conversation = source.createConversation({ model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true }, 'Built')
    source.addMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'Hello from the built worker' })
    const file = join(folder, 'all.json')

    const exported = await run({ kind: 'export', databasePath: source.filePath, filePath: file })
    expect(exported.at(-1)).toEqual({ type: 'done', outcome: { kind: 'export', count: 1 } })
    expect(exported.some((message) => message.type === 'progress')).toBe(true)
    expect(readFileSync(file, 'utf8')).toContain('Hello from the built worker')
    source.close()

    const target = ChatStore.open(join(folder, 'target.sqlite'))
    const imported = await run({ kind: 'import', databasePath: target.filePath, filePath: file })
    expect(imported.at(-1)).toEqual({ type: 'done', outcome: { kind: 'import', counts: { conversations: 1, messages: 1, skipped: 0, newestId: conversation.id } } })
    expect(target.getConversation(conversation.id).messages[0]?.content).toBe('Hello from the built worker')
    target.close()
  })
})
