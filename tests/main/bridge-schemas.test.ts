/**
 * Every bridge method's arguments are checked by its schema in `dispatch`,
 * before any handler runs: wrong types, huge values and prototype keys
 * become `invalid_argument` naming the field, and the handler never sees them.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAppServices, type AppServices } from '../../src/main/app-services'
import { dispatch, type HandlerTable } from '../../src/main/bridge'
import { methodNames, methods, type ArgsOf, type MethodName } from '../../src/shared/contract'
import { LIMITS } from '../../src/shared/limits'
import { nodePowers } from '../support/node-powers'

const sink = { id: 1, send: () => {} }

/** A valid call of every method; the mapped type makes a missing method a compile error. */
const samples: { [M in MethodName]: ArgsOf<M> } = {
  'settings.get': undefined,
  'settings.update': {
    baseUrl: 'http://127.0.0.1:1',
    timeouts: { connectMs: 5_000 },
    proxy: { mode: 'url', url: 'http://127.0.0.1:8080' },
    theme: 'dark',
    defaultModels: { chat: 'gpt-4o' },
    quickAskShortcut: 'Alt+Space',
    chat: { enterSends: false },
    sound: { downloadVideo: true },
    desktop: { closeToTray: false, quickAskHidesOnBlur: true }
  },
  'settings.reset': undefined,
  'key.set': { key: 'sk-test-1234' },
  'key.clear': undefined,
  'key.bind': undefined,
  'key.check': undefined,
  'models.list': { refresh: true },
  'connection.test': undefined,
  'completion.start': {
    requestId: 'r1',
    model: 'gpt-4o',
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }
    ],
    params: { temperature: 1, max_tokens: 10 },
    stream: true
  },
  'stream.abort': { requestId: 'r1' },
  'conversations.list': undefined,
  'conversations.get': { id: 'c1', last: 30 },
  'conversations.earlier': { id: 'c1', before: 'm9' },
  'conversations.create': { settings: { model: 'gpt-4o', params: { top_k: 3 } }, presetId: 'p1' },
  'conversations.rename': { id: 'c1', title: 'A title' },
  'conversations.pin': { id: 'c1', pinned: true },
  'conversations.delete': { id: 'c1' },
  'conversations.restore': { id: 'c1' },
  'conversations.updateSettings': { id: 'c1', settings: { systemPrompt: 'Be brief.', stream: false } },
  'conversations.search': { query: 'kettle', limit: 20 },
  'conversations.export': { id: 'c1', format: 'json' },
  'conversations.exportAll': undefined,
  'conversations.import': undefined,
  'chat.send': { requestId: 'r2', conversationId: 'c1', content: 'Hello', attachmentIds: ['a1'] },
  'chat.regenerate': { requestId: 'r3', messageId: 'm1' },
  'chat.edit': { requestId: 'r4', messageId: 'm1', content: 'Hello again' },
  'chat.switchVersion': { messageId: 'm1' },
  'chat.continue': { requestId: 'r5', messageId: 'm1' },
  'chat.deleteMessage': { messageId: 'm1' },
  'chat.fork': { messageId: 'm1' },
  'presets.list': undefined,
  'presets.save': { name: 'Writer', systemPrompt: '', params: {}, model: null },
  'presets.delete': { id: 'p1' },
  'attachments.pick': undefined,
  'attachments.add': { name: 'a.png', mime: 'image/png', data: 'iVBORw0KGgo=' },
  'jobs.list': { active: true, groupId: 'g1', limit: 100 },
  'jobs.queues': undefined,
  'jobs.cancel': { id: 'j1' },
  'jobs.cancelAll': { queue: 'imagine' },
  'jobs.retry': { id: 'j1' },
  'images.generate': { prompt: 'A lighthouse at dusk', models: ['flux', 'flux-anime'], size: '16:9', seed: 42, endpoint: 'imagine2', count: 2, source: 'studio', conversationId: 'c1' },
  'images.models': undefined,
  'vision.describe': { mediaId: 'i1', model: 'gpt-4o' },
  'vision.preview': { url: 'https://example.com/cat.png' },
  'vision.describeUrl': { url: 'https://example.com/cat.png', model: 'gpt-4o-mini' },
  'vision.keepPreview': { previewId: 'p1', description: 'A cat.' },
  'library.query': { kinds: ['image'], model: 'flux', starred: true, collectionId: 'col1', from: 0, to: 1_700_000_000_000, search: 'lighthouse', sort: 'oldest', trashed: false },
  'library.get': { id: 'i1' },
  'library.star': { ids: ['i1', 'i2'], starred: true },
  'library.collections': undefined,
  'library.createCollection': { name: 'Covers' },
  'library.addToCollection': { ids: ['i1'], collectionId: 'col1' },
  'library.removeFromCollection': { ids: ['i1'], collectionId: 'col1' },
  'library.trash': { ids: ['i1'] },
  'library.restore': { ids: ['i1'] },
  'library.deleteForever': { ids: ['i1'] },
  'library.exportItems': { ids: ['i1'] },
  'library.saveCopy': { id: 'i1' },
  'library.reveal': { id: 'i1' },
  'library.open': { id: 'i1' },
  'library.copyImage': { id: 'i1' },
  'library.startDrag': { id: 'i1' },
  'library.rescan': undefined,
  'library.importFolder': undefined,
  'attachments.fromLibrary': { mediaId: 'i1' },
  'speech.create': { text: '# Hello\n\nWorld, [with a link](https://example.com).', markdown: true, voice: 'sophia', title: 'Greeting', source: 'chat' },
  'speech.speakable': { text: 'Hello', markdown: false },
  'speech.status': { id: 'j1' },
  'song.create': { mode: 'custom', lyrics: 'La la la', style: 'synth pop', title: 'Night drive', instrumental: false, model: 'chirp-v3-0', source: 'studio' },
  'song.status': { id: 'j1' },
  'song.list': undefined,
  'ask.send': { requestId: 'r9', conversationId: 'c1', content: 'What is new?' },
  'quick.clipboardText': undefined,
  'attachments.saveCopy': { id: 'a1' },
  'attachments.copyImage': { id: 'a1' },
  'app.info': undefined,
  'app.openExternal': { url: 'https://example.com/' },
  'app.openLogsFolder': undefined,
  'app.showInFolder': { path: '/home/me/chat.md' },
  'app.openDataFolder': undefined,
  'menu.setRoute': { route: 'library' },
  'menu.popup': { kind: 'message', messageId: 'm1', role: 'assistant', hasSelection: false },
  'update.state': undefined,
  'update.check': undefined,
  'update.restart': undefined,
  'shell.status': undefined,
  'shell.retryShortcut': undefined,
  'shell.playerState': { state: 'playing' },
  'quick.hide': undefined,
  'quick.openInMain': { conversationId: 'c1' },
  'quick.openLibrary': undefined
}

/** A table whose handlers only record that they ran. */
function recordingTable(): { table: HandlerTable; ran: string[] } {
  const ran: string[] = []
  const table = Object.fromEntries(methodNames.map((name) => [name, () => void ran.push(name)])) as unknown as HandlerTable
  return { table, ran }
}

type Path = Array<string | number>

/** Every leaf of a value with its path, so each field can be broken on its own. */
function leaves(value: unknown, path: Path = []): Array<{ path: Path; value: unknown }> {
  if (Array.isArray(value)) return value.flatMap((item, index) => leaves(item, [...path, index]))
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]))
  return [{ path, value }]
}

function withLeaf(root: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  parent[path.at(-1)!] = replacement
  return copy
}

/** Objects anywhere in a sample, by path (the root included). */
function objectPaths(value: unknown, path: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return []
  const own = Array.isArray(value) ? [] : [path]
  const children = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value)
  return [...own, ...children.flatMap(([key, item]) => objectPaths(item, [...path, key]))]
}

const HUGE = 'x'.repeat(LIMITS.dataUrlChars + 10)

/** Values no field of the contract accepts in place of a leaf of this kind. */
function wrongValuesFor(value: unknown): unknown[] {
  if (typeof value === 'string') return [42, null, ['text'], { text: value }, HUGE]
  if (typeof value === 'number') return ['7', Number.NaN, Number.POSITIVE_INFINITY, -1e12, 1e20]
  if (typeof value === 'boolean') return ['true', 1]
  return [{}]
}

describe('bridge schemas', () => {
  it('let every valid sample through to its handler', async () => {
    const { table, ran } = recordingTable()
    for (const name of methodNames) {
      const envelope = await dispatch(table, name, samples[name], { sink })
      expect(envelope, name).toEqual({ ok: true, result: undefined })
    }
    expect(ran).toEqual(methodNames)
  })

  it('accept null as well as nothing for methods without arguments (the HTTP host sends null)', async () => {
    const { table } = recordingTable()
    for (const name of methodNames.filter((method) => samples[method] === undefined)) {
      expect(await dispatch(table, name, null, { sink }), name).toMatchObject({ ok: true })
      expect(await dispatch(table, name, { surprise: 1 }, { sink }), name).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
    }
  })

  it('refuse a wrong type, a huge value or a missing field in every field of every method, naming it', async () => {
    const { table, ran } = recordingTable()
    let tried = 0
    for (const name of methodNames) {
      const sample = samples[name]
      if (sample === undefined) continue
      for (const leaf of leaves(sample)) {
        for (const wrong of wrongValuesFor(leaf.value)) {
          // null clears some optional fields (presets.save's model): not a wrong value there.
          if (wrong === null && name === 'presets.save' && leaf.path[0] === 'model') continue
          const envelope = await dispatch(table, name, withLeaf(sample, leaf.path, wrong), { sink })
          const where = `${name} ${leaf.path.join('.')} = ${String(wrong).slice(0, 20)}`
          expect(envelope, where).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
          if (!envelope.ok) {
            const field = leaf.path.filter((key) => typeof key === 'string').at(-1) as string
            expect(envelope.error.message, where).toContain(field)
            expect(envelope.error.message.length, where).toBeLessThan(300)
          }
          tried++
        }
      }
      expect(await dispatch(table, name, 'not an object', { sink }), name).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
    }
    expect(tried).toBeGreaterThan(200)
    expect(ran).toEqual([])
  })

  it('refuse prototype keys and unknown keys at every level of every method', async () => {
    const { table, ran } = recordingTable()
    for (const name of methodNames) {
      const sample = samples[name]
      for (const path of objectPaths(sample)) {
        for (const key of ['__proto__', 'constructor', 'toString', 'unknownField']) {
          // The way hostile JSON arrives: `__proto__` as an own property, as JSON.parse makes it.
          const target = path.length === 0 ? sample : path.reduce<unknown>((node, step) => (node as Record<string | number, unknown>)[step], sample)
          const polluted = JSON.parse(JSON.stringify(target).replace(/^\{/, `{"${key}":{"polluted":true},`).replace(/,\}$/, '}')) as unknown
          const args = path.length === 0 ? polluted : withLeaf(sample, path, polluted)
          const envelope = await dispatch(table, name, args, { sink })
          expect(envelope, `${name} ${path.join('.')} ${key}`).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
          if (!envelope.ok) expect(envelope.error.message).toContain(key)
        }
      }
    }
    expect(ran).toEqual([])
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('refuse image data that would decode past the size limit, before decoding it', async () => {
    const { table, ran } = recordingTable()
    const data = 'A'.repeat(Math.ceil(LIMITS.attachmentBytes / 3) * 4 + 4)
    const envelope = await dispatch(table, 'attachments.add', { name: 'big.png', mime: 'image/png', data }, { sink })
    expect(envelope).toEqual({ ok: false, error: { code: 'invalid_argument', message: 'The data is larger than 25 MB.' } })
    expect(ran).toEqual([])
  })

  it('say which field is wrong in words a person can act on', async () => {
    const { table } = recordingTable()
    const message = async (name: MethodName, args: unknown): Promise<string> => {
      const envelope = await dispatch(table, name, args, { sink })
      return envelope.ok ? 'accepted' : envelope.error.message
    }
    expect(await message('conversations.updateSettings', { id: 'c1', settings: { params: { temperature: 3 } } })).toBe(
      'The settings.params.temperature must be from 0 to 2.'
    )
    expect(await message('conversations.updateSettings', { id: 'c1', settings: { params: { top_k: 2.5 } } })).toBe(
      'The settings.params.top_k must be a whole number.'
    )
    expect(await message('chat.send', { requestId: 'r', conversationId: 'c1', content: 'x'.repeat(LIMITS.userMessageChars + 1) })).toBe(
      'The content is longer than 100,000 characters.'
    )
    expect(await message('conversations.rename', { id: 'c1' })).toBe('The title is missing.')
    expect(await message('conversations.rename', { id: 'c1', title: '   ' })).toBe('The title cannot be empty.')
    expect(await message('key.set', { key: 'has space' })).toBe('The key contains spaces or control characters.')
    expect(await message('conversations.get', { id: '../etc' })).toBe('The id is not a valid id.')
    expect(await message('conversations.get', { id: 'c1', last: 0 })).toMatch(/last must be from 1 to/)
    expect(await message('settings.update', { timeouts: { idleMs: 10 } })).toBe('The timeouts.idleMs must be between 1 and 600 seconds.')
  })

  it('give handlers the checked value: titles on one line, keys and models trimmed, empty preset model as null', async () => {
    const seen: unknown[] = []
    const table = Object.fromEntries(methodNames.map((name) => [name, (args: unknown) => void seen.push(args)])) as unknown as HandlerTable
    await dispatch(table, 'conversations.rename', { id: 'c1', title: '  two\n lines ' }, { sink })
    await dispatch(table, 'key.set', { key: '  sk-abc  ' }, { sink })
    await dispatch(table, 'presets.save', { name: ' P ', systemPrompt: '', params: {}, model: '' }, { sink })
    expect(seen).toEqual([
      { id: 'c1', title: 'two lines' },
      { key: 'sk-abc' },
      { name: 'P', systemPrompt: '', params: {}, model: null }
    ])
  })

  it('has one schema per contract method', () => {
    expect(Object.keys(methods).sort()).toEqual([...methodNames].sort())
    for (const name of methodNames) expect(methods[name].args, name).toHaveProperty('kind', 'schema')
  })
})

describe('bridge schemas with the real services', () => {
  let services: AppServices | null = null
  afterEach(async () => {
    await services?.close()
    services = null
  })

  it('turn what used to be internal errors into invalid_argument, and change nothing saved', async () => {
    const powers = nodePowers({ userDataDir: mkdtempSync(join(tmpdir(), 'skyport-schemas-')) })
    services = await createAppServices(powers)
    const call = (name: MethodName, args: unknown) => dispatch(services!.handlers, name, args, { sink })

    const created = await call('conversations.create', { settings: { params: { temperature: 0.5 } } })
    expect(created.ok).toBe(true)
    const id = created.ok ? (created.result as { id: string }).id : ''

    // These reached services as the wrong type and failed deep inside ("raw.trim is not a function").
    for (const [name, args] of [
      ['key.set', { key: 5 }],
      ['conversations.rename', { id, title: { toString: 'x' } }],
      ['conversations.updateSettings', { id, settings: { params: { __proto__: { temperature: 9 } } } }],
      ['conversations.updateSettings', { id, settings: JSON.parse('{"params":{"__proto__":{"temperature":9}}}') }],
      ['presets.save', { name: 'x', systemPrompt: 3, params: {}, model: null }],
      ['conversations.search', { query: ['kettle'] }]
    ] as const) {
      const envelope = await call(name, args)
      expect(envelope, name).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
    }
    const after = await call('conversations.get', { id })
    expect(after.ok && (after.result as { settings: { params: unknown } }).settings.params).toEqual({ temperature: 0.5 })
    expect(services.keyVault.status(services.settings.get().baseUrl).set).toBe(false)
  })

  it('replace a conversation\'s parameters whole, so a cleared parameter stays cleared', async () => {
    const powers = nodePowers({ userDataDir: mkdtempSync(join(tmpdir(), 'skyport-schemas-')) })
    services = await createAppServices(powers)
    const call = (name: MethodName, args: unknown) => dispatch(services!.handlers, name, args, { sink })
    const created = await call('conversations.create', { settings: { params: { temperature: 0.5, top_p: 0.9 } } })
    const id = created.ok ? (created.result as { id: string }).id : ''
    const updated = await call('conversations.updateSettings', { id, settings: { params: { top_p: 0.9 } } })
    expect(updated.ok && (updated.result as { settings: { params: unknown } }).settings.params).toEqual({ top_p: 0.9 })
  })
})
