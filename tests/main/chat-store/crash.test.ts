import { spawn } from 'node:child_process'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { CONNECTION_PRAGMAS } from '../../../src/main/services/db/connection'
import { UPDATE_MESSAGE_FAST_SQL } from '../../../src/main/services/chat/store'
import { closeStore, openStore, settings, tempDbFile } from './helpers'

/**
 * The app's streaming write, run in a child process that is killed mid-loop
 * (SIGKILL: no exit handlers, no close, no checkpoint). Same connection
 * settings and the same UPDATE as ChatStore.updateMessageFast.
 */
const child = `
import { DatabaseSync } from 'node:sqlite'
const { file, id, sql, pragmas, start } = JSON.parse(process.env.SKYPORT_CRASH)
const db = new DatabaseSync(file, { timeout: 5000 })
for (const pragma of pragmas) db.exec(pragma)
const save = db.prepare(sql)
let content = start
for (let i = 0; ; i++) {
  content += 'token' + i + ' '
  save.run(content, 'thinking ' + i, Date.now(), id)
  if (i % 25 === 0) process.stdout.write(i + '\\n')
}
`

function runUntilKilled(config: object, afterCommits: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', child], {
      env: { ...process.env, SKYPORT_CRASH: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let confirmed = -1
    let stderr = ''
    process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    process_.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line !== '') confirmed = Math.max(confirmed, Number(line))
      if (confirmed >= afterCommits && !process_.killed) process_.kill('SIGKILL')
    })
    process_.on('error', reject)
    process_.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(confirmed) : reject(new Error(`child ended without being killed: ${stderr}`))))
  })
}

describe('crash safety', () => {
  it('keeps every committed save of a streaming answer when the process is killed mid-write', async () => {
    const file = tempDbFile()
    const store = openStore(file)
    const { id: conversationId } = store.createConversation(settings)
    const question = store.addMessage({ conversationId, parentId: null, role: 'user', content: 'Write forever' })
    const answer = store.addMessage({ conversationId, parentId: question.id, role: 'assistant', content: '', status: 'streaming' })
    store.updateMessageFast(answer.id, 'Partial answer: ', '')
    closeStore(store)

    const confirmed = await runUntilKilled({ file, id: answer.id, sql: UPDATE_MESSAGE_FAST_SQL, pragmas: CONNECTION_PRAGMAS, start: 'Partial answer: ' }, 1_000)
    expect(confirmed).toBeGreaterThanOrEqual(1_000)

    // Opening recovers from the write-ahead log left behind.
    const again = openStore(file)
    const db = new DatabaseSync(file)
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
    const saved = again.getMessage(answer.id)
    // Everything confirmed is there, in order, and the text ends on a whole save.
    expect(saved.content.startsWith('Partial answer: token0 token1 ')).toBe(true)
    expect(saved.content).toContain(`token${confirmed} `)
    const tokens = saved.content.slice('Partial answer: '.length).trim().split(' ')
    expect(tokens).toEqual(tokens.map((_, i) => `token${i}`))
    expect(saved.reasoning).toBe(`thinking ${tokens.length - 1}`)
    expect(saved.status).toBe('streaming')

    expect(again.markInterruptedStreams()).toBe(1)
    expect(again.getConversation(conversationId).messages[1]).toMatchObject({ status: 'incomplete', content: saved.content })
    expect(again.search(`token${confirmed} `).map((hit) => hit.messageId)).toEqual([answer.id])
    // The search index agrees with the table after the recovery.
    expect(() => db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")).not.toThrow()
    db.close()
  })
})
