import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JsonPieces, JsonPiecesError } from '../../../src/main/services/chat/export/json-pieces'

const MB = 1024 * 1024

/** Feeds `text` in chunks of the given sizes (cycled) and returns the parsed elements and skeleton. */
function split(text: string | Buffer, sizes: number[] = [7], options = { listKey: 'conversations', maxPieceBytes: 16 * MB }) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  const pieces = new JsonPieces(options)
  const elements: unknown[] = []
  let at = 0
  for (let n = 0; at < bytes.length; n++) {
    const size = Math.max(1, sizes[n % sizes.length] ?? 1)
    for (const element of pieces.push(bytes.subarray(at, at + size))) elements.push(JSON.parse(element))
    at += size
  }
  return { elements, skeleton: pieces.end(), topLevel: pieces.topLevel }
}

function failure(work: () => unknown): JsonPiecesError | SyntaxError {
  try {
    work()
  } catch (error) {
    if (error instanceof JsonPiecesError || error instanceof SyntaxError) return error
    throw error
  }
  throw new Error('expected a failure')
}

describe('JsonPieces', () => {
  it('cuts any top-level array into its elements, whatever the chunk sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }), fc.boolean(), (list, sizes, pretty) => {
        const text = JSON.stringify(list, null, pretty ? 2 : undefined)
        const { elements, skeleton, topLevel } = split(text, sizes)
        // JSON.parse(JSON.stringify(x)) normalises -0 and the like the same way on both sides.
        expect(elements).toEqual(JSON.parse(text))
        expect(skeleton).toEqual(list.map(() => 0))
        expect(topLevel).toBe('array')
      }),
      { numRuns: 300 }
    )
  })

  it('cuts the list under the key of a top-level object and keeps the other fields', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.dictionary(fc.string().filter((key) => key !== 'conversations'), fc.jsonValue(), { maxKeys: 4 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1 }),
        (list, fields, sizes) => {
          const document = { ...fields, conversations: list, after: { conversations: [1, 2] } }
          const text = JSON.stringify(document)
          const { elements, skeleton } = split(text, sizes)
          expect(elements).toEqual(JSON.parse(JSON.stringify(list)))
          expect(skeleton).toEqual({ ...JSON.parse(JSON.stringify(fields)), conversations: list.map(() => 0), after: { conversations: [1, 2] } })
        }
      ),
      { numRuns: 200 }
    )
  })

  it('keeps multi-byte characters whole across chunk edges, and skips a byte-order mark', () => {
    const list = [{ title: 'Ünïcödé — 日本語 🚀', text: '"quoted" \\ back\\slash \u2028' }, 'é']
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ format: 'x', conversations: list }))])
    for (const size of [1, 2, 3, 5]) expect(split(withBom, [size]).elements).toEqual(list)
  })

  it('does not mistake a key inside an element, or a string that looks like the key, for the list', () => {
    const text = JSON.stringify({ title: 'conversations', nested: { conversations: [9] }, conversations: [{ conversations: [1, 2] }] })
    expect(split(text, [1]).elements).toEqual([{ conversations: [1, 2] }])
  })

  it.each([
    ['an empty file', '', /empty/],
    ['a file cut short inside an element', '{"conversations":[{"id":"a"},{"id":', /cut short/],
    ['a file cut short inside a string', '["abc', /cut short/],
    ['a missing comma between elements', '[{"a":1} {"b":2}]', /JSON/],
    ['a trailing comma', '[1,2,]', /JSON/],
    ['garbage after the document', '{"conversations":[]} x', /JSON/],
    ['a bracket closed too often', '[1]]', /never opened/],
    ['the list twice', '{"conversations":[1],"conversations":[2]}', /appears twice/]
  ])('refuses %s', (_, text, message) => {
    expect(failure(() => split(text, [3])).message).toMatch(message)
  })

  it('refuses an element or a skeleton larger than the limit, before holding more of it', () => {
    const big = JSON.stringify([{ text: 'x'.repeat(2000) }])
    expect(failure(() => split(big, [100], { listKey: 'conversations', maxPieceBytes: 1000 }))).toMatchObject({ reason: 'too_large' })
    const wideSkeleton = JSON.stringify({ other: 'y'.repeat(2000), conversations: [] })
    expect(failure(() => split(wideSkeleton, [100], { listKey: 'conversations', maxPieceBytes: 1000 }))).toMatchObject({ reason: 'too_large' })
  })
})
