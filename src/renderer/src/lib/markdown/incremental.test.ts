import { describe, expect, it } from 'vitest'
import { FENCE_SEGMENT_LINES, IncrementalMarkdown } from './incremental'
import { renderMarkdown } from './render'

/** A block renderer that records what it was asked to render. */
function counting(): { render: (markdown: string) => string; calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    render(markdown) {
      calls.push(markdown)
      return `<p>${markdown.length}</p>`
    }
  }
}

function chunks(text: string, size: number): string[] {
  const out: string[] = []
  for (let at = 0; at < text.length; at += size) out.push(text.slice(at, at + size))
  return out
}

const ANSWER = [
  '# Plan',
  '',
  'First paragraph with $x^2$ math.',
  '',
  '```js',
  'const a = 1',
  '',
  'const b = 2',
  '```',
  '',
  '$$',
  'a + b',
  '',
  '= c',
  '$$',
  '',
  '1. one',
  '',
  '    indented continuation',
  '',
  '2. two',
  '',
  'Last words.'
].join('\n')

describe('IncrementalMarkdown', () => {
  it('splits at blank lines outside fences and display math, and before unindented lines only', () => {
    const engine = new IncrementalMarkdown(counting())
    const texts = engine.update(ANSWER).map((block) => block.text)
    expect(texts).toEqual([
      '# Plan',
      'First paragraph with $x^2$ math.',
      '```js\nconst a = 1\n\nconst b = 2\n```',
      '$$\na + b\n\n= c\n$$',
      '1. one\n\n    indented continuation',
      '2. two',
      'Last words.'
    ])
  })

  it('renders each completed block once: appending never re-renders earlier blocks', () => {
    const renderer = counting()
    const engine = new IncrementalMarkdown(renderer)
    let previous: readonly { text: string; html: string }[] = []
    for (const chunk of chunks(ANSWER, 3)) {
      const blocks = engine.append(chunk)
      // Every block but the last is the very same object as in the previous update.
      for (let i = 0; i < blocks.length - 1 && i < previous.length - 1; i++) expect(blocks[i]).toBe(previous[i])
      previous = blocks
    }
    const finalTexts = engine.blocks.map((block) => block.text)
    // Each completed block was rendered exactly once under its final text...
    for (const text of finalTexts.slice(0, -1)) expect(renderer.calls.filter((call) => call === text)).toHaveLength(1)
    // ...and every render call was for the block growing at that moment: none for text that had already completed.
    const completedBefore = new Set<string>()
    const renderer2 = counting()
    const engine2 = new IncrementalMarkdown(renderer2)
    for (const chunk of chunks(ANSWER, 3)) {
      const seen = renderer2.calls.length
      const blocks = engine2.append(chunk)
      for (const call of renderer2.calls.slice(seen)) expect(completedBefore.has(call)).toBe(false)
      for (const block of blocks.slice(0, -1)) completedBefore.add(block.text)
    }
  })

  it('renders at most the last block per update, whatever the length of the answer', () => {
    const renderer = counting()
    const engine = new IncrementalMarkdown(renderer)
    const paragraph = 'Some words in a paragraph that goes on for a while.\n\n'
    for (let i = 0; i < 300; i++) engine.append(paragraph)
    const before = renderer.calls.length
    engine.append('More')
    engine.append(' text')
    // Two updates: the last block twice (plus nothing else).
    expect(renderer.calls.length - before).toBe(2)
    expect(renderer.calls.at(-1)).toBe('More text')
    expect(engine.blocks).toHaveLength(301)
  })

  it('accepts the whole text on each update (update) as well as deltas (append)', () => {
    const a = new IncrementalMarkdown(counting())
    const b = new IncrementalMarkdown(counting())
    let source = ''
    for (const chunk of chunks(ANSWER, 5)) {
      source += chunk
      a.update(source)
      b.append(chunk)
    }
    expect(a.blocks.map((block) => block.text)).toEqual(b.blocks.map((block) => block.text))
  })

  it('keeps the whole text and its length while holding only the open block, and an update after appends goes on', () => {
    const renderer = counting()
    const engine = new IncrementalMarkdown(renderer)
    const parts = chunks(ANSWER, 3)
    const half = parts.slice(0, parts.length / 2).join('')
    for (const chunk of chunks(half, 3)) engine.append(chunk)
    expect(engine.source).toBe(half)
    expect(engine.length).toBe(half.length)
    // A whole text that extends what was appended: the blocks are those of the whole text.
    engine.update(ANSWER)
    expect(engine.source).toBe(ANSWER)
    expect(engine.blocks.map((block) => block.text)).toEqual(new IncrementalMarkdown(counting()).update(ANSWER).map((block) => block.text))
    engine.append('\n\nAnd one more.')
    expect(engine.source).toBe(`${ANSWER}\n\nAnd one more.`)
    expect(engine.blocks.at(-1)?.text).toBe('And one more.')
    expect(engine.finish()[0]?.text).toBe(`${ANSWER}\n\nAnd one more.`)
  })

  it('starts over when the text is not an extension, reusing unchanged blocks', () => {
    const renderer = counting()
    const engine = new IncrementalMarkdown(renderer)
    engine.update('one\n\ntwo\n\nthree')
    const calls = renderer.calls.length
    engine.update('one\n\ntwo\n\nTHREE!')
    expect(renderer.calls.slice(calls)).toEqual(['THREE!'])
    expect(engine.blocks.map((block) => block.text)).toEqual(['one', 'two', 'THREE!'])
  })

  it('renders a fence that is still open as code', () => {
    const engine = new IncrementalMarkdown()
    engine.update('Intro\n\n```python\ndef f():\n\n    return 1\n')
    const blocks = engine.blocks
    expect(blocks).toHaveLength(2)
    const box = document.createElement('div')
    box.innerHTML = blocks[1]?.html ?? ''
    expect(box.querySelector('.md-code pre code')?.textContent).toBe('def f():\n\n    return 1')
    expect(box.querySelector('.md-code-lang')?.textContent).toBe('python')
  })

  it('ends with one full render equal to renderMarkdown of the whole text', () => {
    const engine = new IncrementalMarkdown()
    for (const chunk of chunks(ANSWER, 4)) engine.append(chunk)
    const final = engine.finish()
    expect(final).toHaveLength(1)
    expect(final[0]?.html).toBe(renderMarkdown(ANSWER))
    expect(engine.finish()).toBe(final)
  })

  it('streams the same blocks a full render would show, for well separated blocks', () => {
    const engine = new IncrementalMarkdown()
    const text = '## Title\n\nA paragraph with **bold**.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n- y\n'
    for (const chunk of chunks(text, 4)) engine.append(chunk)
    expect(engine.blocks.map((block) => block.html).join('')).toBe(renderMarkdown(text))
  })

  describe('a long code fence while streaming', () => {
    const lines = Array.from({ length: FENCE_SEGMENT_LINES * 8 + 7 }, (_, i) => `    total += value_${i} * ${i} // step ${i}`)
    const code = `Here is the code:\n\n\`\`\`python\n${lines.join('\n')}\n\`\`\`\n\nDone.\n`

    it('is cut into segments, so the growing block stays small however long the fence gets', () => {
      const renderer = counting()
      const engine = new IncrementalMarkdown(renderer)
      let longest = 0
      for (const chunk of chunks(code, 17)) {
        const before = renderer.calls.length
        engine.append(chunk)
        for (const call of renderer.calls.slice(before)) longest = Math.max(longest, call.length)
      }
      const blocks = engine.blocks
      // intro, 9 segments (8 full ones and the rest with the closing fence), "Done."
      expect(blocks).toHaveLength(11)
      expect(blocks.filter((block) => block.continues)).toHaveLength(8)
      // No render ever got more than one segment (plus its opening line).
      const widest = Math.max(...lines.map((line) => line.length + 1))
      expect(longest).toBeLessThanOrEqual(FENCE_SEGMENT_LINES * widest + '```python\n'.length)
      expect(longest).toBeLessThan(code.length / 6)
      // Each continuing segment is the fence reopened with its own lines, in order.
      const continued = blocks.filter((block) => block.continues).map((block) => block.text)
      expect(continued.every((text) => text.startsWith('```python\n'))).toBe(true)
      expect(continued[0]?.split('\n')[1]).toBe(lines[FENCE_SEGMENT_LINES])
    })

    it('shows every line of code once, highlighted, and ends with the full render', { timeout: 30_000 }, () => {
      const engine = new IncrementalMarkdown()
      for (const chunk of chunks(code, 997)) engine.append(chunk)
      const box = document.createElement('div')
      box.innerHTML = engine.blocks.map((block) => block.html).join('')
      const shown = [...box.querySelectorAll('.md-code pre code')].map((element) => element.textContent).join('\n')
      expect(shown).toBe(lines.join('\n'))
      expect(box.querySelectorAll('.md-code-lang')).toHaveLength(9)
      const final = engine.finish()
      expect(final).toHaveLength(1)
      expect(final[0]?.html).toBe(renderMarkdown(code))
    })

    it('a fence that closes, then new text, starts an ordinary block again', () => {
      const engine = new IncrementalMarkdown(counting())
      engine.update(code + '\nMore text.\n')
      const last = engine.blocks.at(-1)
      expect(last?.text).toBe('More text.')
      expect(last?.continues).toBeUndefined()
    })
  })
})
