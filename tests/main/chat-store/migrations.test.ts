import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src/shared/errors'
import { ChatStore } from '../../../src/main/services/chat/store'
import { SCHEMA_VERSION } from '../../../src/main/services/db/migrations'
import { closeStore, openStore, settings, tempDbFile } from './helpers'

function pragma(file: string, name: string): unknown {
  const db = new DatabaseSync(file, { readOnly: true })
  try {
    return Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0]
  } finally {
    db.close()
  }
}

function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

describe('ChatStore schema', () => {
  it('creates every table in an empty file, in WAL mode, at the current version', () => {
    const file = tempDbFile()
    const store = openStore(file)
    closeStore(store)
    expect(pragma(file, 'user_version')).toBe(SCHEMA_VERSION)
    expect(pragma(file, 'journal_mode')).toBe('wal')
    const db = new DatabaseSync(file, { readOnly: true })
    const names = (db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'trigger')").all() as Array<{ name: string }>).map((row) => row.name)
    db.close()
    expect(names).toEqual(expect.arrayContaining(['conversations', 'messages', 'presets', 'messages_fts', 'messages_fts_insert', 'messages_fts_update', 'messages_fts_delete']))
  })

  it('keeps data across a re-open without migrating again', () => {
    const file = tempDbFile()
    const first = openStore(file)
    const conversation = first.createConversation(settings, 'Kept')
    closeStore(first)
    const again = openStore(file)
    expect(again.getConversation(conversation.id).title).toBe('Kept')
    expect(pragma(file, 'user_version')).toBe(SCHEMA_VERSION)
  })

  it('works in memory', () => {
    const store = ChatStore.open(':memory:')
    const conversation = store.createConversation(settings)
    expect(store.listConversations().map((item) => item.id)).toEqual([conversation.id])
    store.close()
  })

  it('refuses a file from a newer version with a clear message and leaves it untouched', () => {
    const file = tempDbFile()
    const db = new DatabaseSync(file)
    db.exec('CREATE TABLE future (x); PRAGMA user_version = 99')
    db.close()
    const before = sha(file)
    let error: unknown
    try {
      ChatStore.open(file)
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).message).toContain(`newer version of Skyport (schema 99; this version knows up to ${SCHEMA_VERSION})`)
    expect(sha(file)).toBe(before)
    expect(existsSync(`${file}-wal`)).toBe(false)
  })

  it('says so when the file is not a database, without changing it', () => {
    const file = tempDbFile()
    writeFileSync(file, 'this is not sqlite, just some text that is long enough to look like a header.'.repeat(20))
    const before = sha(file)
    expect(() => ChatStore.open(file)).toThrow(/could not be opened/)
    expect(sha(file)).toBe(before)
  })

  it('turns on foreign keys for its connection', () => {
    const store = openStore()
    const conversation = store.createConversation(settings)
    const message = store.addMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'hi' })
    store.trashConversation(conversation.id)
    // The conversation's messages go with it (ON DELETE CASCADE needs foreign_keys=ON).
    expect(store.purgeTrash()).toBe(1)
    expect(() => store.getMessage(message.id)).toThrow(/no longer exists/)
  })
})
