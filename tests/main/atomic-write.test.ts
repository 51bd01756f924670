import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { writeFileAtomic } from '../../src/main/services/files/atomic-write'
import { KeyVault } from '../../src/main/services/key-vault'
import { ChatStore } from '../../src/main/services/chat/store'
import { ConversationTransfer } from '../../src/main/services/chat/transfer'
import { TestCipher } from '../support/node-powers'

const folders: string[] = []

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'skyport-atomic-'))
  folders.push(folder)
  return folder
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the promise to reject')
}

describe('writeFileAtomic', () => {
  it('writes text, bytes and streamed pieces, replacing what was there', async () => {
    const folder = tempFolder()
    const file = join(folder, 'out.json')
    await writeFileAtomic(file, 'first — ünïcode')
    expect(readFileSync(file, 'utf8')).toBe('first — ünïcode')
    await writeFileAtomic(file, Buffer.from([1, 2, 3]))
    expect([...readFileSync(file)]).toEqual([1, 2, 3])
    async function* pieces(): AsyncGenerator<string | Uint8Array> {
      yield '['
      for (let i = 0; i < 5000; i++) yield `${i === 0 ? '' : ','}"piece ${i} ${'x'.repeat(300)}"`
      yield Buffer.from(']')
    }
    await writeFileAtomic(file, pieces())
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as string[]
    expect(parsed).toHaveLength(5000)
    expect(parsed[4999]).toMatch(/^piece 4999 x+$/)
    expect(readdirSync(folder)).toEqual(['out.json'])
  })

  it('gives the new file the mode asked for', async () => {
    if (process.platform === 'win32') return
    const file = join(tempFolder(), 'secret.bin')
    await writeFileAtomic(file, 'secret', { mode: 0o600 })
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('removes its temporary file when the rename fails', async () => {
    const folder = tempFolder()
    // A folder that is not empty cannot be replaced by a file.
    const target = join(folder, 'taken')
    mkdirSync(target)
    writeFileSync(join(target, 'inside.txt'), 'keep me')
    const error = await rejection(writeFileAtomic(target, 'new content'))
    expect((error as NodeJS.ErrnoException).code).toMatch(/EISDIR|ENOTEMPTY|EEXIST|EPERM/)
    expect(readdirSync(folder)).toEqual(['taken'])
    expect(readFileSync(join(target, 'inside.txt'), 'utf8')).toBe('keep me')
  })

  it('leaves the old content whole and no temporary file when the source fails midway', async () => {
    const folder = tempFolder()
    const file = join(folder, 'export.json')
    writeFileSync(file, 'the previous export')
    let seenDuringWrite: string | null = null
    async function* failing(): AsyncGenerator<string> {
      // More than one write batch, so part of the new content is on disk before the failure.
      for (let i = 0; i < 3000; i++) yield 'y'.repeat(1000)
      seenDuringWrite = readFileSync(file, 'utf8')
      throw new Error('the database went away')
    }
    const error = await rejection(writeFileAtomic(file, failing()))
    expect(error.message).toBe('the database went away')
    expect(seenDuringWrite).toBe('the previous export')
    expect(readFileSync(file, 'utf8')).toBe('the previous export')
    expect(readdirSync(folder)).toEqual(['export.json'])
  })
})

describe('the services that write files atomically', () => {
  it('the key vault leaves no temporary file when the key cannot be written', async () => {
    const folder = tempFolder()
    const keyPath = join(folder, 'api-key.bin')
    mkdirSync(keyPath)
    writeFileSync(join(keyPath, 'blocker'), '')
    const vault = new KeyVault({ cipher: new TestCipher(), filePath: keyPath })
    await vault.load('https://api.airforce')
    await rejection(vault.set('sk-test-1234', 'https://api.airforce'))
    expect(readdirSync(folder)).toEqual(['api-key.bin'])
  })

  it('exporting one conversation over a folder fails without leaving a temporary file', async () => {
    const folder = tempFolder()
    const store = ChatStore.open(join(folder, 'chat.sqlite'))
    try {
      const conversation = store.createConversation({ model: 'm', systemPrompt: '', params: {}, stream: true }, 'Notes')
      const target = join(folder, 'Notes.md')
      mkdirSync(target)
      writeFileSync(join(target, 'blocker'), '')
      const transfer = new ConversationTransfer({
        store,
        dialogs: { saveFile: async () => target, openFiles: async () => [], confirm: async () => false, openFolder: async () => null }
      })
      await rejection(transfer.exportOne(conversation.id, 'markdown'))
      expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([])
    } finally {
      store.close()
    }
  })
})
