/**
 * A process killed mid-answer (SIGKILL: no cleanup runs) leaves an intact
 * database that keeps the part of the answer that had arrived; the next
 * start marks it incomplete.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppServices, DATABASE_FILE } from '../../src/main/app-services'
import { startFakeApi, type FakeApi } from '../fake-api/server'
import { nodePowers } from '../support/node-powers'
import { bundleChildScript } from '../support/child-script'

let fake: FakeApi
let childScript: string

beforeAll(async () => {
  fake = await startFakeApi({ chunkDelayMs: 3 })
  childScript = await bundleChildScript('tests/crash/child.ts', 'crash-child')
}, 60_000)

afterAll(async () => {
  await fake.close()
})

describe('a crash mid-answer', () => {
  it('keeps the database intact with the partial answer, marked incomplete on the next start', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-crash-'))
    const child = spawn(process.execPath, [childScript, userDataDir, fake.url], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const conversationId = await new Promise<string>((resolveLine, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /STREAMING (\S+)/.exec(chunk.toString())
        if (match) resolveLine(match[1]!)
      })
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)))
    })
    child.kill('SIGKILL')
    await new Promise((resolveExit) => child.once('exit', resolveExit))

    const file = join(userDataDir, DATABASE_FILE)
    const raw = new DatabaseSync(file)
    expect(raw.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
    raw.close()

    const services = await createAppServices(nodePowers({ userDataDir }))
    try {
      const [question, answer] = services.chatStore.getConversation(conversationId).messages
      expect(question?.content).toBe('Tell me a long story, words:5000')
      expect(answer?.status).toBe('incomplete')
      expect(answer!.content.length).toBeGreaterThan(20)
      expect(answer!.content.split(/\s+/).length).toBeLessThan(5000)
    } finally {
      await services.close()
    }
  }, 60_000)

  it('keeps what the window showed when killed while the server pauses mid-answer', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'skyport-crash-'))
    // A few words, then a long silence: nothing arrives after them to trigger a save.
    fake.inject({ kind: 'stall', afterChunks: 4, ms: 20_000 })
    const child = spawn(process.execPath, [childScript, userDataDir, fake.url, 'pause'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    let shown = ''
    let conversationId = ''
    let lastShownAt = 0
    child.stdout.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString().matchAll(/SHOWN (\S+) (.*)\n/g)) {
        conversationId = match[1]!
        shown += JSON.parse(match[2]!) as string
        lastShownAt = Date.now()
      }
    })
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit))
    // Well inside the pause: the text has been shown and nothing more comes.
    const deadline = Date.now() + 20_000
    while (shown === '' || Date.now() - lastShownAt < 600) {
      if (Date.now() > deadline) throw new Error(`no pause seen: ${stderr}`)
      await new Promise((resolveWait) => setTimeout(resolveWait, 25))
    }
    child.kill('SIGKILL')
    await exited

    const services = await createAppServices(nodePowers({ userDataDir }))
    try {
      const [, answer] = services.chatStore.getConversation(conversationId).messages
      expect(shown.length).toBeGreaterThan(0)
      expect(answer?.content).toBe(shown)
      expect(answer?.status).toBe('incomplete')
    } finally {
      await services.close()
    }
  }, 60_000)
})
