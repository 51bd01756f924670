/**
 * Benchmark 1: decoding and dispatching a streamed chat completion in main.
 *
 * A large, realistic OpenAI chat completion stream (role chunk, 20,000
 * content deltas, finish chunk, usage chunk, [DONE]) is recorded as bytes
 * and cut into network-sized reads (1–16 KB, so events, lines and UTF-8
 * sequences are split across reads). Both contenders read the same reads
 * from the same kind of source (a web ReadableStream, what fetch gives):
 *
 * - ours: `decodeChatStream` (src/main/services/http/sse.ts), every event
 *   consumed, content appended;
 * - peer: the `openai` package's own decoder, `Stream.fromSSEResponse` over
 *   a `Response` of the same reads, `choices[0].delta.content` appended.
 *
 * Both must produce exactly the streamed text. Figures: chunks per second,
 * median over alternating rounds. Target: ours ≥ 2× openai.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { ReadableStream } from 'node:stream/web'
import { Stream } from 'openai/core/streaming'
import type { ChatCompletionChunk } from 'openai/resources/chat/completions'
import { describe, expect, it } from 'vitest'
import { decodeChatStream } from '../../src/main/services/http/sse'
import { markdownAnswer, rng } from './corpus'
import { alternate, compareHigher, fmt, median, projectRoot, round, roundStats, stats, table, writePart } from './support'

const DELTAS = 20_000
const WARMUP_ROUNDS = 3
const ROUNDS = 15

interface Recording {
  text: string
  /** JSON chunks (role, content deltas, finish, usage); [DONE] not counted. */
  chunks: number
  bytes: number
  reads: Uint8Array[]
}

/** What api.openai.com sends for `stream: true, stream_options: { include_usage: true }`. */
function recordStream(): Recording {
  const answer = markdownAnswer(DELTAS, 11)
  const random = rng(5)
  const base = { id: 'chatcmpl-BENCHxV9n2c4WQ0Y3kLr8pTz1aH7u', object: 'chat.completion.chunk', created: 1_760_000_000, model: 'gpt-4o-mini-2024-07-18', service_tier: 'default', system_fingerprint: 'fp_560af6e559' }
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  // OpenAI pads chunks with a random `obfuscation` string.
  const obfuscation = (): string => Array.from({ length: 1 + Math.floor(random() * 12) }, () => letters[Math.floor(random() * letters.length)]).join('')
  const events: string[] = []
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
    events.push(`data: ${JSON.stringify({ ...base, choices, usage: null, ...extra, obfuscation: obfuscation() })}\n\n`)
  }
  chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }])
  for (const token of answer.tokens) chunk([{ index: 0, delta: { content: token }, logprobs: null, finish_reason: null }])
  chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }])
  chunk([], {
    usage: {
      prompt_tokens: 1_234,
      completion_tokens: DELTAS,
      total_tokens: 1_234 + DELTAS,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 }
    }
  })
  events.push('data: [DONE]\n\n')
  const bytes = Buffer.from(events.join(''), 'utf8')
  // Network reads of 1–16 KB, cut anywhere (inside events and UTF-8 sequences).
  const reads: Uint8Array[] = []
  for (let at = 0; at < bytes.length; ) {
    const size = 1024 + Math.floor(random() * 15 * 1024)
    reads.push(new Uint8Array(bytes.subarray(at, at + size)))
    at += size
  }
  return { text: answer.text, chunks: DELTAS + 3, bytes: bytes.length, reads }
}

/** A web ReadableStream yielding the reads, one per pull (as fetch's body does). */
function readableOf(reads: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let index = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const read = reads[index++]
      if (read) controller.enqueue(read)
      else controller.close()
    }
  })
}

async function ours(reads: readonly Uint8Array[]): Promise<string> {
  let text = ''
  for await (const event of decodeChatStream(readableOf(reads))) {
    if (event.type === 'delta') text += event.content
  }
  return text
}

/** Ours fed the way the app feeds it: undici's body, a Node Readable. */
async function oursFromNodeStream(reads: readonly Uint8Array[]): Promise<string> {
  let text = ''
  for await (const event of decodeChatStream(Readable.from(reads, { objectMode: false }))) {
    if (event.type === 'delta') text += event.content
  }
  return text
}

async function openai(reads: readonly Uint8Array[]): Promise<string> {
  let text = ''
  // Node's web ReadableStream is what fetch bodies are; the DOM typings name it differently.
  const body = readableOf(reads) as unknown as ConstructorParameters<typeof Response>[0]
  const stream = Stream.fromSSEResponse<ChatCompletionChunk>(new Response(body), new AbortController())
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
  return text
}

async function timed(run: (reads: readonly Uint8Array[]) => Promise<string>, recording: Recording, samples: number[] | null): Promise<void> {
  const start = performance.now()
  const text = await run(recording.reads)
  const ms = performance.now() - start
  // A mismatch means the benchmark is broken, not slow.
  if (text !== recording.text) {
    expect.soft(text.length, 'decoded text length').toBe(recording.text.length)
    throw new Error(`${run.name}: the decoded text differs from the streamed text`)
  }
  samples?.push(ms)
}

describe('benchmark 1: SSE decode and dispatch in main', () => {
  it('decodeChatStream vs openai Stream.fromSSEResponse over the same bytes', async () => {
    const started = Date.now()
    const recording = recordStream()
    const oursMs: number[] = []
    const peerMs: number[] = []
    const nodeMs: number[] = []

    for (let i = 0; i < WARMUP_ROUNDS; i++) {
      await timed(ours, recording, null)
      await timed(openai, recording, null)
      await timed(oursFromNodeStream, recording, null)
    }
    await alternate(
      ROUNDS,
      () => timed(ours, recording, oursMs),
      () => timed(openai, recording, peerMs)
    )
    for (let i = 0; i < 5; i++) await timed(oursFromNodeStream, recording, nodeMs)

    const perSecond = (ms: number): number => recording.chunks / (ms / 1000)
    const oursRate = perSecond(median(oursMs))
    const peerRate = perSecond(median(peerMs))
    const nodeRate = perSecond(median(nodeMs))
    const ratio = oursRate / peerRate
    const mb = recording.bytes / 1024 / 1024

    console.log(
      [
        '',
        `Benchmark 1 — SSE decode + dispatch: ${recording.chunks} chunks, ${fmt(mb, 2)} MiB in ${recording.reads.length} reads of 1–16 KB; median of ${ROUNDS} alternating rounds`,
        table(
          ['contender', 'ms per stream (p50)', 'min–max ms', 'chunks/s', 'MiB/s'],
          [
            ['ours: decodeChatStream (web stream)', fmt(median(oursMs), 1), `${fmt(Math.min(...oursMs), 1)}–${fmt(Math.max(...oursMs), 1)}`, fmt(oursRate, 0), fmt(mb / (median(oursMs) / 1000), 1)],
            ['peer: openai Stream.fromSSEResponse', fmt(median(peerMs), 1), `${fmt(Math.min(...peerMs), 1)}–${fmt(Math.max(...peerMs), 1)}`, fmt(peerRate, 0), fmt(mb / (median(peerMs) / 1000), 1)],
            ['(info) ours from a Node Readable', fmt(median(nodeMs), 1), `${fmt(Math.min(...nodeMs), 1)}–${fmt(Math.max(...nodeMs), 1)}`, fmt(nodeRate, 0), fmt(mb / (median(nodeMs) / 1000), 1)]
          ]
        ),
        `ours / openai throughput: ${fmt(ratio, 2)}× (target ≥ 2×)`
      ].join('\n')
    )

    writePart({
      id: '1-sse',
      title: 'SSE decode and dispatch in main',
      rows: [
        {
          benchmark: '1. SSE decode + dispatch (main)',
          metric: 'throughput',
          unit: 'chunks/s',
          ours: round(oursRate, 0),
          peer: round(peerRate, 0),
          comparison: compareHigher(oursRate, peerRate),
          target: 'ours ≥ 2× openai',
          met: ratio >= 2
        }
      ],
      figures: {
        chunksPerSecond: round(oursRate, 0),
        msPerStream: roundStats(stats(oursMs)),
        fromNodeReadable: { chunksPerSecond: round(nodeRate, 0), msPerStream: roundStats(stats(nodeMs)) },
        ratioToPeer: round(ratio, 3)
      },
      peerFigures: { package: 'openai', version: openaiVersion(), chunksPerSecond: round(peerRate, 0), msPerStream: roundStats(stats(peerMs)) },
      setup: {
        chunks: recording.chunks,
        contentDeltas: DELTAS,
        bytes: recording.bytes,
        reads: recording.reads.length,
        readSizes: '1–16 KiB, seeded',
        textChars: recording.text.length,
        rounds: ROUNDS,
        warmupRounds: WARMUP_ROUNDS,
        source: 'web ReadableStream of the reads for both (openai gets it as a Response body)'
      },
      notes: ['Both outputs are checked to equal the streamed text on every round.'],
      durationMs: Date.now() - started
    })
  })
})

function openaiVersion(): string {
  const file = join(projectRoot, 'node_modules/openai/package.json')
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}
