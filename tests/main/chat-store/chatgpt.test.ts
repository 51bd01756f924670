import { describe, expect, it } from 'vitest'
import type { MessageRecord } from '../../../src/shared/contract'
import { chatGptExport } from './chatgpt-fixture'
import { caught, openStore } from './helpers'

const brief = (messages: MessageRecord[]): Array<[string, string]> => messages.map((message) => [message.role, message.content])

describe('ChatGPT import', () => {
  it('imports both conversations with their branches, skipping what was never shown', () => {
    const store = openStore()
    expect(store.importChatGpt(JSON.parse(JSON.stringify(chatGptExport)))).toEqual({ conversations: 2, messages: 9, skipped: 0 })
    const list = store.listConversations()
    expect(list.map((item) => [item.title, item.messageCount])).toEqual([
      ['Explain quicksort', 2],
      ['Sourdough starter help', 4]
    ])

    const sourdough = store.getConversation('6627a1b0-0c1d-4f2e-9a0b-1c2d3e4f5a6b')
    expect(sourdough).toMatchObject({ createdAt: 1714000000123, updatedAt: 1714000900500, settings: { model: 'gpt-4o', systemPrompt: '', params: {}, stream: true } })
    // current_node picks the regenerated branch; the tool call and its output are gone.
    expect(brief(sourdough.messages)).toEqual([
      ['user', 'My sourdough starter smells like acetone. Is it dead?'],
      ['assistant', 'It is fine! Acetone means the yeast is starving. Discard half and feed it equal weights of flour and water.'],
      ['user', 'Find me a recipe for a rye starter.'],
      ['assistant', 'Mix 50 g rye flour with 50 g water.\n\nFeed daily for five days.']
    ])
    const [question, answer, , last] = sourdough.messages
    expect(question).toMatchObject({ id: 'u1', parentId: null, createdAt: 1714000001500 })
    expect(answer).toMatchObject({ id: 'a1b', parentId: 'u1', model: 'gpt-4o-mini', finishReason: 'stop', status: 'complete', versionIds: ['a1', 'a1b'], versionIndex: 1 })
    expect(last).toMatchObject({ parentId: 'u3', createdAt: 1714000410000, updatedAt: 1714000411000 })

    // The other branch is kept whole, as a version.
    expect(brief(store.switchVersion('a1').messages)).toEqual([
      ['user', 'My sourdough starter smells like acetone. Is it dead?'],
      ['assistant', "Not dead, just hungry. The acetone smell means it ran out of food; feed it and it'll bounce back."],
      ['user', 'How often should I feed it?'],
      ['assistant', 'Twice a day at room temperature, once a week if it lives in the fridge.']
    ])

    const quicksort = store.getConversation('b7c8d9e0-1111-2222-3333-444455556666')
    expect(quicksort.settings.model).toBe('o1')
    expect(quicksort.messages).toEqual([
      expect.objectContaining({ role: 'user', content: '[image]\n\nWhat does this code do?', parentId: null, reasoning: '' }),
      expect.objectContaining({
        role: 'assistant',
        content: 'It is quicksort: pick a pivot, split the list around it, sort both halves.',
        reasoning: '**Reading the code**\n\nIt partitions around a pivot, then recurses.',
        model: 'o1',
        status: 'incomplete',
        finishReason: 'interrupted',
        createdAt: 1715000010999
      })
    ])
    expect(store.search('acetone').map((hit) => hit.conversationTitle)).toEqual(['Sourdough starter help', 'Sourdough starter help', 'Sourdough starter help'])
  })

  it('uses the app default model when given, and skips the same export imported again', () => {
    const store = openStore()
    store.importChatGpt(chatGptExport, { model: 'gpt-4o-mini' })
    expect(store.importChatGpt(chatGptExport, { model: 'gpt-4o-mini' })).toEqual({ conversations: 0, messages: 0, skipped: 2 })
    const list = store.listConversations()
    expect(list).toHaveLength(2)
    for (const item of list) expect(store.getConversation(item.id).settings.model).toBe('gpt-4o-mini')
  })

  it('says what is wrong with a file that is not a ChatGPT export, and writes nothing', () => {
    const store = openStore()
    expect(caught(() => store.importChatGpt({ hello: 'world' }))).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/ChatGPT data export/) })
    expect(caught(() => store.importChatGpt([{ title: 'x' }, 3]))).toMatchObject({ code: 'invalid_argument' })
    expect(caught(() => store.importChatGpt('[]'))).toMatchObject({ code: 'invalid_argument' })
    expect(store.importChatGpt([])).toEqual({ conversations: 0, messages: 0, skipped: 0 })
    expect(store.listConversations()).toEqual([])
  })

  it('survives loops and dangling parents in the mapping', () => {
    const store = openStore()
    const broken = {
      title: '  ',
      create_time: 1716000000,
      mapping: {
        x: { id: 'x', parent: 'y', children: ['y'], message: { author: { role: 'user' }, content: { content_type: 'text', parts: ['loop'] } } },
        y: { id: 'y', parent: 'x', children: ['x'], message: null },
        z: { id: 'z', parent: 'missing', children: [], message: { author: { role: 'user' }, create_time: 1716000001, content: { content_type: 'text', parts: ['orphan'] } } }
      }
    }
    expect(store.importChatGpt([broken])).toEqual({ conversations: 1, messages: 1, skipped: 0 })
    const [conversation] = store.listConversations()
    expect(conversation?.title).toBe('Imported chat')
    expect(brief(store.getConversation(conversation?.id ?? '').messages)).toEqual([['user', 'orphan']])
  })
})
