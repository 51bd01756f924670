import { describe, expect, it } from 'vitest'
import { dispatch, type HandlerTable } from '../../src/main/bridge'
import { buildBridgeApi } from '../../src/shared/bridge'
import { eventNames, methodNames, type Envelope } from '../../src/shared/contract'
import { AppError } from '../../src/shared/errors'

const sink = { id: 1, send: () => {} }

function tableWith(overrides: Partial<Record<string, (args: unknown) => unknown>>): HandlerTable {
  const table: Record<string, (args: unknown) => unknown> = {}
  for (const name of methodNames) table[name] = overrides[name] ?? (() => `${name} ok`)
  return table as unknown as HandlerTable
}

describe('dispatch', () => {
  it('wraps results in an ok envelope', async () => {
    const table = tableWith({ 'conversations.get': (args) => ({ echoed: args }) })
    expect(await dispatch(table, 'conversations.get', { id: 'a1' }, { sink })).toEqual({ ok: true, result: { echoed: { id: 'a1' } } })
  })

  it('turns AppErrors into data with code, status and wait time', async () => {
    const table = tableWith({
      'models.list': () => {
        throw new AppError('rate_limited', 'Slow down', { status: 429, retryAfterMs: 56_000 })
      }
    })
    expect(await dispatch(table, 'models.list', {}, { sink })).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'Slow down', status: 429, retryAfterMs: 56_000 }
    })
  })

  it('reports unexpected errors as internal and tells the log', async () => {
    const logged: string[] = []
    const table = tableWith({
      'settings.get': () => {
        throw new TypeError('boom')
      }
    })
    const envelope = await dispatch(table, 'settings.get', undefined, { sink }, { onInternalError: (method) => logged.push(method) })
    expect(envelope).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } })
    expect(logged).toEqual(['settings.get'])
  })

  it('refuses methods that are not in the contract', async () => {
    const envelope = await dispatch(tableWith({}), 'fs.readFile', '/etc/passwd', { sink })
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })
  })

  it('scrubs secrets from error messages', async () => {
    const table = tableWith({
      'key.check': () => {
        throw new AppError('unauthorized', 'Key sk-secret-1234 is invalid', { status: 401 })
      }
    })
    const envelope = await dispatch(table, 'key.check', undefined, { sink }, { redact: (text) => text.replace('sk-secret-1234', '••••1234') })
    expect(envelope).toMatchObject({ ok: false, error: { message: 'Key ••••1234 is invalid' } })
  })
})

describe('buildBridgeApi', () => {
  it('exposes exactly one function per contract method, grouped by namespace, and nothing else', async () => {
    const calls: Array<[string, unknown]> = []
    const api = buildBridgeApi({
      invoke: async (method, args) => {
        calls.push([method, args])
        return { ok: true, result: null } as Envelope<unknown>
      },
      subscribe: () => () => {}
    }) as unknown as Record<string, Record<string, (args?: unknown) => Promise<unknown>> | ((...a: unknown[]) => unknown)>

    const exposed: string[] = []
    for (const [namespace, value] of Object.entries(api)) {
      if (namespace === 'on') continue
      for (const verb of Object.keys(value)) exposed.push(`${namespace}.${verb}`)
    }
    expect(exposed.sort()).toEqual([...methodNames].sort())
    for (const name of methodNames) {
      const [namespace, verb] = name.split('.') as [string, string]
      await (api[namespace] as Record<string, (args?: unknown) => Promise<unknown>>)[verb]!({ probe: name })
    }
    expect(calls.map(([method]) => method)).toEqual(methodNames)
  })

  it('subscribes only to contract events', () => {
    const subscribed: string[] = []
    const api = buildBridgeApi({
      invoke: async () => ({ ok: true, result: null }),
      subscribe: (event) => {
        subscribed.push(event)
        return () => {}
      }
    })
    for (const event of eventNames) api.on(event, () => {})
    expect(subscribed).toEqual(eventNames)
    expect(() => api.on('not.an.event' as never, () => {})).toThrow(/Unknown event/)
  })
})
