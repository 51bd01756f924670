import { describe, expect, it } from 'vitest'
import { BlockGrouper, startsFlush } from './groups'
import { IncrementalMarkdown, type RenderedBlock } from './incremental'

const block = (text: string, continues = false): RenderedBlock => (continues ? { text, html: '', continues } : { text, html: '' })

describe('startsFlush', () => {
  it('lets a group start with a paragraph, list, table, quote, code or math, never with a heading, rule or raw HTML', () => {
    for (const text of ['Plain words.', '- item', '1. first', '| a | b |\n|---|---|', '> quoted', '```ts\nconst a = 1', '~~~\ncode', '$$\nx\n$$', '**bold** start', '[link](https://example.com) first']) {
      expect(startsFlush(block(text)), text).toBe(true)
    }
    for (const text of ['# Title', '  ### Deep', '---', '* * *', '___', 'Setext title\n===', 'Setext two\n---', '<details><summary>x</summary></details>', '    indented code']) {
      expect(startsFlush(block(text)), text).toBe(false)
    }
    // A later segment of a fence has no header and no margin above it.
    expect(startsFlush(block('# not a heading inside a fence', true))).toBe(true)
  })
})

describe('BlockGrouper', () => {
  const paragraphs = (count: number, from = 0): RenderedBlock[] => Array.from({ length: count }, (_, i) => block(`Paragraph ${from + i}.`))

  it('closes a group after its size, before the next block that may start one, once that block is there', () => {
    const grouper = new BlockGrouper(4)
    const blocks = [...paragraphs(4), block('## Heading'), block('# Another'), ...paragraphs(3, 4)]
    const groups = grouper.group(blocks)
    // Four paragraphs, then the headings stay with the block before them: the next group starts at a paragraph.
    expect(groups.map((group) => group.blocks.map((entry) => entry.block.text))).toEqual([
      ['Paragraph 0.', 'Paragraph 1.', 'Paragraph 2.', 'Paragraph 3.', '## Heading', '# Another'],
      ['Paragraph 4.', 'Paragraph 5.', 'Paragraph 6.']
    ])
    expect(groups.map((group) => group.key)).toEqual([0, 1])
    expect(groups.map((group) => group.closed)).toEqual([true, false])
    // No group starts with a heading, however the blocks fall.
    for (let size = 1; size <= 6; size++) {
      for (const group of new BlockGrouper(size).group(blocks)) expect(startsFlush(group.blocks[0]?.block as RenderedBlock)).toBe(true)
    }
  })

  it('keeps every block, in order', () => {
    const blocks = [...paragraphs(50), block('## H'), ...paragraphs(50, 50)]
    const groups = new BlockGrouper(8).group(blocks)
    expect(groups.flatMap((group) => group.blocks.map((entry) => entry.block))).toEqual(blocks)
  })

  it('returns the same closed groups while the blocks grow, and builds only the open one afresh', () => {
    const grouper = new BlockGrouper(4)
    const blocks = paragraphs(9)
    const first = grouper.group(blocks)
    expect(first).toHaveLength(3)
    const grown = grouper.group([...blocks, ...paragraphs(2, 9)])
    expect(grown[0]).toBe(first[0])
    expect(grown[1]).toBe(first[1])
    expect(grown[2]?.blocks.map((entry) => entry.block.text)).toEqual(['Paragraph 8.', 'Paragraph 9.', 'Paragraph 10.'])
  })

  it('builds the groups again from the first block that changed', () => {
    const grouper = new BlockGrouper(4)
    const blocks = paragraphs(12)
    const before = grouper.group(blocks)
    const changed = [...blocks.slice(0, 5), block('Changed.'), ...blocks.slice(6)]
    const after = grouper.group(changed)
    expect(after[0]).toBe(before[0])
    expect(after[1]).not.toBe(before[1])
    expect(after.flatMap((group) => group.blocks.map((entry) => entry.block))).toEqual(changed)
    // A shorter, different text (a new stream in the same view).
    const restarted = grouper.group(paragraphs(2, 100))
    expect(restarted.map((group) => group.blocks.map((entry) => entry.block.text))).toEqual([['Paragraph 100.', 'Paragraph 101.']])
  })

  it('marks a fence segment that the next one continues, across a group boundary too', () => {
    const engine = new IncrementalMarkdown({ render: () => '' })
    const lines = Array.from({ length: 24 * 6 + 3 }, (_, i) => `line ${i}`)
    const blocks = engine.update(`Intro.\n\n\`\`\`ts\n${lines.join('\n')}\n`)
    expect(blocks.filter((entry) => entry.continues)).toHaveLength(6)
    const groups = new BlockGrouper(2).group(blocks)
    expect(groups.length).toBeGreaterThan(2)
    const entries = groups.flatMap((group) => group.blocks)
    expect(entries.map((entry) => entry.joinsNext)).toEqual([false, true, true, true, true, true, true, false])
    // The last block of a closed group is joined to the first of the next.
    expect(groups[0]?.blocks.at(-1)?.joinsNext).toBe(true)
  })
})
