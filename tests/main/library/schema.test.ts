/** The media tables arrive by a forward migration: a database from before the library is upgraded in place, its conversations kept. */
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src/main/services/db/connection'
import { migrations, SCHEMA_VERSION } from '../../../src/main/services/db/migrations'
import { mediaTables } from '../../../src/main/services/library/schema'
import { tempFolder } from './helpers'

describe('the media tables migration', () => {
  it('is a step of the database migrations, after the chat tables', () => {
    expect(migrations[0]!.name).toMatch(/conversations/)
    expect(migrations.indexOf(mediaTables)).toBeGreaterThan(0)
  })

  it('upgrades a chat-only database in place, keeping its conversations', () => {
    const file = join(tempFolder(), 'skyport.db')
    const old = new DatabaseSync(file)
    migrations[0]!.up(old)
    old.exec("PRAGMA user_version = 1; INSERT INTO conversations (id, title, created_at, updated_at, model) VALUES ('c1', 'Kept', 1, 1, 'gpt-4o')")
    old.close()

    const db = openDatabase(file)
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION })
    expect(db.prepare("SELECT title FROM conversations WHERE id = 'c1'").get()).toEqual({ title: 'Kept' })
    const names = (db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'trigger', 'index')").all() as Array<{ name: string }>).map((row) => row.name)
    expect(names).toEqual(
      expect.arrayContaining(['media', 'collections', 'media_collections', 'media_fts', 'media_fts_insert', 'media_fts_update', 'media_fts_delete', 'media_collections_added', 'media_by_time'])
    )
    db.close()
  })
})
