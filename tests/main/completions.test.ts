/**
 * Raw streamed completions (`completion.start`) against the fake gateway over
 * loopback: a finished answer ends with `completion.done`, a cut one never does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventSink } from '../../src/main/bridge'
import { CompletionService } from '../../src/main/services/completions'
import { GatewayClient } from '../../src/main/services/gateway'
import { HttpClient } from '../../src/main/services/http/client'
import { StreamRegistry } from '../../src/main/services/streams'
import type { CompletionDone, CompletionFailed, EventName } from '../../src/shared/contract'
import { startFakeApi, type FakeApi } from '../fake-api/server'

let fake: FakeApi
beforeAll(async () => {
  fake = await startFakeApi({ chunkDelayMs: 1 })
})
afterAll(async () => {
  await fake.close()
})

/** Runs one completion and resolves with its events once it ended. */
function complete(requestId: string): Promise<{ text: string; end: { event: EventName; payload: CompletionDone | CompletionFailed } }> {
  const http = new HttpClient(() => ({ baseUrl: fake.url, apiKey: 'sk-test', timeouts: { connectMs: 2_000, headersMs: 5_000, idleMs: 2_000 }, proxy: { mode: 'none', url: '' } }))
  const service = new CompletionService({ gateway: new GatewayClient(http), streams: new StreamRegistry(), frameMs: 5 })
  let text = ''
  return new Promise((resolve) => {
    const sink: EventSink = {
      id: 1,
      send(event, payload) {
        if (event === 'completion.delta') text += (payload as { content: string }).content
        if (event === 'completion.done' || event === 'completion.failed') resolve({ text, end: { event, payload: payload as CompletionDone | CompletionFailed } })
      }
    }
    service.start({ requestId, model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me a story' }], stream: true }, sink)
  })
}

describe('completion.start', () => {
  it('ends with completion.done when the server finished the answer', async () => {
    const { text, end } = await complete('done-1')
    expect(text.length).toBeGreaterThan(0)
    expect(end.event).toBe('completion.done')
    expect((end.payload as CompletionDone).finishReason).toBe('stop')
  })

  it('ends with completion.failed, keeping what arrived, when the stream stopped without [DONE] or a finish reason', async () => {
    fake.inject({ kind: 'end-early', afterChunks: 3 })
    const { text, end } = await complete('cut-1')
    expect(text.length).toBeGreaterThan(0)
    expect(end).toEqual({
      event: 'completion.failed',
      payload: { requestId: 'cut-1', error: { code: 'network', message: 'The connection ended before the answer finished.' } }
    })
  })
})
