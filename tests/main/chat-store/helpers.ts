/** Shared set-up for the chat store tests: real SQLite files in a temp folder, a fake clock. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { ConversationSettings } from '../../../src/shared/contract'
import { ChatStore } from '../../../src/main/services/chat/store'

const folders: string[] = []
const stores: ChatStore[] = []

afterEach(() => {
  for (const store of stores.splice(0)) store.close()
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

export function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'skyport-chat-'))
  folders.push(folder)
  return folder
}

export function tempDbFile(): string {
  return join(tempFolder(), 'chat.sqlite')
}

/** A clock that moves one second per reading, so every write has its own time. */
export class FakeClock {
  time = Date.UTC(2026, 0, 2, 3, 4, 5)
  readonly now = (): number => (this.time += 1000)
}

export function openStore(file: string = tempDbFile(), clock: FakeClock = new FakeClock()): ChatStore {
  const store = ChatStore.open(file, { now: clock.now })
  stores.push(store)
  return store
}

/** Closes a store opened by openStore before the test ends (to re-open its file). */
export function closeStore(store: ChatStore): void {
  store.close()
  stores.splice(stores.indexOf(store), 1)
}

export const settings: ConversationSettings = { model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true }

/** Runs `work` and returns what it threw (fails the test if nothing was thrown). */
export function caught(work: () => unknown): { code: string; message: string } {
  try {
    work()
  } catch (error) {
    return error as { code: string; message: string }
  }
  throw new Error('expected an error')
}
