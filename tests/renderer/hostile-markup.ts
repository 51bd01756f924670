/**
 * Malformed markup for the markdown renderer, shared by its unit tests
 * (happy-dom) and the Chromium ones (tests/e2e/markdown-xss.test.ts), whose
 * HTML parsers differ: frameset payloads, and random markup for fuzzing.
 */
import fc from 'fast-check'

/**
 * A `<frameset>` before any content replaces the body of the document the
 * sanitiser parses (in Chromium), in several positions and in code. `trap`
 * is a server that records any request.
 */
export function framesetPayloads(trap: string): { name: string; markdown: string }[] {
  const set = 'window.__xss=1'
  const list: [string, string][] = [
    ['frameset alone', `<frameset>`],
    ['frameset with a remote frame', `<frameset><frame src="${trap}/frame-in-frameset"></frameset>`],
    ['frameset with a javascript frame', `<frameset onload="${set}"><frame src="javascript:${set}"></frameset>`],
    ['frameset before markdown', `<frameset cols="50%,50%">\n\n# Title\n\nSome **text** after it.`],
    ['frameset inside an opening div', `<div><frameset><frame src="${trap}/frame-in-div"></frameset></div>`],
    [
      'frameset after body and html tags',
      `<html><head><title>t</title></head><body><frameset><frame src="${trap}/f1"><noframes><img src=x onerror=${set}></noframes></frameset>`
    ],
    ['frameset after text', `text first <frameset><frame src="${trap}/frame-after-text">`],
    ['frameset in a code fence', '```html\n<frameset><frame src="' + trap + '/frame-in-code">\n```'],
    ['frameset in inline code', '`<frameset>` and `<frame src=x>`']
  ]
  return list.map(([name, markdown]) => ({ name, markdown }))
}

// ------------------------------------------------------------ random markup
// HTML tags the parser treats specially (document structure, foreign content,
// raw text, tables, frames) with hostile attributes, mixed with fragments of
// markdown syntax and random text.

/** Elements that change how the HTML parser builds the tree (drawn more often). */
const STRUCTURAL_TAGS = [
  'html', 'head', 'body', 'frameset', 'frame', 'noframes', 'template', 'table', 'select', 'svg', 'math', 'plaintext'
]
const OTHER_TAGS = [
  'mtext', 'mglyph', 'annotation-xml', 'foreignObject', 'desc', 'tr', 'td', 'caption', 'option', 'noscript', 'noembed',
  'style', 'script', 'textarea', 'title', 'xmp', 'iframe', 'object', 'img', 'a', 'div', 'p', 'span', 'pre', 'code',
  'details', 'summary', 'form', 'button', 'input', 'ul', 'li', 'br', 'hr', 'b', 'i', 'base', 'meta'
]
const ATTRIBUTES = ['src', 'href', 'onload', 'onerror', 'style', 'class', 'data-md', 'srcset', 'cols', 'xmlns', 'id', 'name', 'is']
const VALUES = [
  'x', 'javascript:window.__xss=1', '/media/../settings.json', '/media/%2e%2e/a.png', 'http://127.0.0.1:9/x.png',
  'data:text/html,<b>', 'data:image/png;base64,iVBORw0KGgo=', 'position:fixed', '"', "'", '>', '<', ''
]
const MARKDOWN_BITS = [
  '```', '```html\n', '~~~', '`', '$$', '$', '\\[', '\\]', '\\(', '\\)', '**', '_', '# ', '- ', '1. ', '> ', '- [x] ',
  '| a | b |\n|---|---|\n', '[x](', ')', '![i](', '\n', '\n\n', '    ', '<!--', '-->', '<![CDATA[', ']]>', '<?x ', '&lt;',
  '&#0;', '\0', '\r\n', '\t', '<', '</', '>', '/>', '"', "'", '\\', '=', '$\\frac{1}{', '}'
]

const tagName = fc.oneof({ arbitrary: fc.constantFrom(...STRUCTURAL_TAGS), weight: 2 }, { arbitrary: fc.constantFrom(...OTHER_TAGS), weight: 3 })
const attribute = fc
  .tuple(fc.constantFrom(...ATTRIBUTES), fc.constantFrom(...VALUES), fc.constantFrom('"', "'", ''))
  .map(([name, value, quote]) => ` ${name}=${quote}${value}${quote}`)
const openTag = fc
  .tuple(tagName, fc.array(attribute, { maxLength: 3 }), fc.boolean())
  .map(([name, attributes, selfClosing]) => `<${name}${attributes.join('')}${selfClosing ? '/' : ''}>`)
const closeTag = tagName.map((name) => `</${name}>`)
const text = fc.string({ unit: 'binary', maxLength: 8 })

const piece = fc.oneof(
  { arbitrary: openTag, weight: 4 },
  { arbitrary: closeTag, weight: 2 },
  { arbitrary: fc.constantFrom(...MARKDOWN_BITS), weight: 3 },
  { arbitrary: text, weight: 2 }
)

/** A model answer made of random markup and markdown. */
export const hostileMarkup = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(''))

/** Sizes of the chunks a stream delivers, used in turn. */
export const chunkSizes = fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 8 })

/** Cuts `text` into chunks of the given sizes, taken in turn. */
export function chunked(text: string, sizes: readonly number[]): string[] {
  const chunks: string[] = []
  for (let at = 0, turn = 0; at < text.length; turn++) {
    const size = sizes[turn % sizes.length] ?? 1
    chunks.push(text.slice(at, at + size))
    at += size
  }
  return chunks
}
