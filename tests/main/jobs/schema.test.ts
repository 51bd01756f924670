/**
 * The jobs table arrives by a forward migration: a database from before the
 * job runner gains it and keeps everything it had.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { chatTables } from '../../../src/main/services/chat/db/schema'
import { openDatabase } from '../../../src/main/services/db/connection'
import { migrations } from '../../../src/main/services/db/migrations'
import { jobTables } from '../../../src/main/services/jobs/schema'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

it('comes right after the chat tables, and a chat-only database gains it with its conversations kept', () => {
  expect(migrations.indexOf(jobTables)).toBe(migrations.indexOf(chatTables) + 1)
  const dir = mkdtempSync(join(tmpdir(), 'skyport-jobs-schema-'))
  dirs.push(dir)
  const file = join(dir, 'skyport.db')
  const old = new DatabaseSync(file)
  chatTables.up(old)
  old.exec(`PRAGMA user_version = ${migrations.indexOf(chatTables) + 1}`)
  old.prepare("INSERT INTO conversations (id, title, created_at, updated_at, model) VALUES ('c1', 'Kept', 1, 1, 'gpt-4o')").run()
  old.close()

  const db = openDatabase(file)
  try {
    expect(db.prepare('SELECT title FROM conversations').all()).toEqual([{ title: 'Kept' }])
    const columns = (db.prepare('PRAGMA table_info(jobs)').all() as Array<{ name: string }>).map((column) => column.name)
    expect(columns).toEqual(
      expect.arrayContaining(['id', 'kind', 'queue', 'state', 'progress', 'detail', 'attempts', 'input_json', 'result_json', 'error_json', 'group_id', 'created_at', 'updated_at', 'run_at', 'finished_at'])
    )
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs'").all() as Array<{ name: string }>).map((row) => row.name)
    expect(indexes).toEqual(expect.arrayContaining(['jobs_by_state', 'jobs_next_run', 'jobs_group']))
    // A state outside the six is refused by the table itself.
    expect(() =>
      db.prepare("INSERT INTO jobs (id, kind, queue, state, input_json, created_at, updated_at) VALUES ('j', 'k', 'q', 'lost', '{}', 1, 1)").run()
    ).toThrow(/CHECK/)
  } finally {
    db.close()
  }
})
