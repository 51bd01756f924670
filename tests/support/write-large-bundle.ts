/**
 * Writes a large export file, a conversation at a time, for the memory
 * tests. Run as its own process (`node write-large-bundle.ts <file>
 * <conversations> <messages each> <characters each>`) so that making the
 * file does not swell the memory of the process being measured.
 */
import { createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'
import type { BundleConversation, BundleMessage } from '../../src/main/services/chat/export/bundle'

export async function writeLargeBundle(path: string, count: number, messagesEach: number, messageChars: number): Promise<void> {
  const out = createWriteStream(path)
  const write = (text: string): Promise<void> => (out.write(text) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve())))
  await write(`{"format":"skyport.conversations","version":1,"exportedAt":"${new Date(0).toISOString()}","conversations":[`)
  const time = Date.UTC(2026, 0, 1)
  for (let c = 0; c < count; c++) {
    const messages: BundleMessage[] = []
    for (let m = 0; m < messagesEach; m++) {
      messages.push({
        id: `m-${c}-${m}`,
        parentId: m === 0 ? null : `m-${c}-${m - 1}`,
        role: m % 2 === 0 ? 'user' : 'assistant',
        content: `${c}/${m} `.padEnd(messageChars, 'lorem ipsum dolor sit amet '),
        reasoning: '',
        attachments: [],
        model: null,
        status: 'complete',
        error: null,
        finishReason: null,
        usage: null,
        createdAt: time + m,
        updatedAt: time + m
      })
    }
    const conversation: BundleConversation = {
      id: `c-${c}`,
      title: `Large ${c}`,
      pinned: false,
      createdAt: time + c,
      updatedAt: time + c,
      activeLeafId: `m-${c}-${messagesEach - 1}`,
      settings: { model: 'gpt-4o-mini', systemPrompt: '', params: {}, stream: true },
      messages
    }
    await write(`${c === 0 ? '' : ','}${JSON.stringify(conversation)}`)
  }
  await write(']}')
  out.end()
  await finished(out)
}

if (import.meta.filename === process.argv[1]) {
  const [path, count, messagesEach, messageChars] = process.argv.slice(2)
  if (path === undefined) throw new Error('usage: write-large-bundle.ts <file> <conversations> <messages each> <characters each>')
  await writeLargeBundle(path, Number(count), Number(messagesEach), Number(messageChars))
}
