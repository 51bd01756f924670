/**
 * Splits a text into parts of at most `limit` characters for the speech
 * endpoint, which takes one short text per request: at paragraph breaks
 * first, then sentence ends (Intl.Segmenter, which knows abbreviations and
 * other scripts better than a regex), then spaces, and only a single word
 * longer than the limit is cut, never inside a surrogate pair. Parts are
 * packed greedily, so a long text takes as few requests as the limit allows.
 * Nothing is lost or reordered: joined with spaces the parts say what the
 * text said, with only white space changed.
 */

const sentences = new Intl.Segmenter('en', { granularity: 'sentence' })

export function splitForSpeech(text: string, limit: number): string[] {
  if (!Number.isInteger(limit) || limit < 2) throw new Error(`A speech part limit of ${limit} characters is too small.`)
  const parts: string[] = []
  let current = ''
  let paragraphEnded = false
  const flush = (): void => {
    if (current !== '') parts.push(current)
    current = ''
  }
  const add = (piece: string, breakBefore: boolean): void => {
    const joiner = current === '' ? '' : breakBefore ? '\n' : ' '
    if (current.length + joiner.length + piece.length <= limit) {
      current += joiner + piece
      return
    }
    flush()
    current = piece
  }
  for (const paragraph of text.split(/\n\s*\n/)) {
    const clean = paragraph.replace(/\s+/g, ' ').trim()
    if (clean === '') continue
    let first = true
    for (const sentence of sentencesOf(clean)) {
      for (const piece of fit(sentence, limit)) {
        add(piece, first && paragraphEnded)
        first = false
      }
    }
    paragraphEnded = true
  }
  flush()
  return parts
}

/**
 * The sentences of one paragraph (single spaces only). The segmenter may end
 * a "sentence" inside a run of letters (unusual scripts, symbols); such a
 * segment is glued to the next, so a word is never split at a sentence end.
 */
function sentencesOf(paragraph: string): string[] {
  const out: string[] = []
  let pending = ''
  for (const { segment } of sentences.segment(paragraph)) {
    pending += segment
    if (/\s$/.test(segment)) {
      out.push(pending.trim())
      pending = ''
    }
  }
  if (pending.trim() !== '') out.push(pending.trim())
  return out
}

/** A sentence as pieces within the limit: itself, or its words packed, or a long word cut. */
function fit(sentence: string, limit: number): string[] {
  if (sentence.length <= limit) return [sentence]
  const pieces: string[] = []
  let current = ''
  for (const word of sentence.split(' ')) {
    for (const chunk of cutWord(word, limit)) {
      if (current === '') current = chunk
      else if (current.length + 1 + chunk.length <= limit) current += ` ${chunk}`
      else {
        pieces.push(current)
        current = chunk
      }
    }
  }
  if (current !== '') pieces.push(current)
  return pieces
}

function cutWord(word: string, limit: number): string[] {
  if (word.length <= limit) return [word]
  const chunks: string[] = []
  let chunk = ''
  for (const char of word) {
    if (chunk.length + char.length > limit) {
      chunks.push(chunk)
      chunk = ''
    }
    chunk += char
  }
  if (chunk !== '') chunks.push(chunk)
  return chunks
}
