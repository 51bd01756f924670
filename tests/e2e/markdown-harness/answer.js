/**
 * A deterministic, realistic long model answer in markdown: headings,
 * paragraphs with inline code and inline math, lists, tables, fenced code in
 * several languages, display math. About 4 characters per token.
 */

const WORDS = (
  'the model returns a stream of tokens which the client renders as markdown while it arrives and every update ' +
  'should stay cheap even when the answer is long because users read along as the text grows with code and math ' +
  'examples tables lists quotes and links to documentation pages that explain the details of each step'
).split(' ')

function rng(seed) {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 4294967296
  }
}

function sentence(random, words) {
  const out = []
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(random() * WORDS.length)])
  const text = out.join(' ')
  return text[0].toUpperCase() + text.slice(1) + '.'
}

function paragraph(random) {
  const parts = []
  const count = 3 + Math.floor(random() * 3)
  for (let i = 0; i < count; i++) {
    let s = sentence(random, 8 + Math.floor(random() * 10))
    const roll = random()
    if (roll < 0.25) s += ` Here $x_{${i}}^2 + \\alpha y = \\frac{1}{${i + 2}}$ holds.`
    else if (roll < 0.45) s += ` Call \`render(block_${i})\` once per block.`
    else if (roll < 0.55) s += ` See [the guide](https://docs.example.com/guide/${i}) for **details**.`
    else if (roll < 0.6) s += ' It costs $5 and $10 per month.'
    parts.push(s)
  }
  return parts.join(' ')
}

const CODE = [
  [
    'python',
    'def fibonacci(n: int) -> list[int]:\n    """Return the first n Fibonacci numbers."""\n    seq = [0, 1]\n    while len(seq) < n:\n        seq.append(seq[-1] + seq[-2])\n    return seq[:n]\n\n\nif __name__ == "__main__":\n    for i, value in enumerate(fibonacci(10)):\n        print(f"{i}: {value}")'
  ],
  [
    'typescript',
    'interface Block {\n  text: string\n  html: string\n}\n\nexport function join(blocks: readonly Block[]): string {\n  let out = ""\n  for (const block of blocks) {\n    out += block.html // already sanitised\n  }\n  return out\n}\n\nconst total = join([{ text: "a", html: "<p>a</p>" }]).length'
  ],
  [
    'bash',
    'set -euo pipefail\nfor file in *.md; do\n  echo "Rendering $file"\n  npx marked "$file" > "${file%.md}.html"\ndone\n\ngrep -c "<table>" *.html || true'
  ],
  [
    'json',
    '{\n  "model": "gpt-4o-mini",\n  "stream": true,\n  "messages": [\n    { "role": "user", "content": "Explain streaming" }\n  ],\n  "temperature": 0.7\n}'
  ],
  [
    'rust',
    'fn main() {\n    let numbers: Vec<u64> = (1..=10).collect();\n    let sum: u64 = numbers.iter().sum();\n    println!("sum = {}", sum);\n\n    match sum {\n        55 => println!("as expected"),\n        _ => unreachable!(),\n    }\n}'
  ]
]

const DISPLAY = [
  '$$\n\\int_{-\\infty}^{\\infty} e^{-x^2}\\,dx = \\sqrt{\\pi}\n$$',
  '$$\n\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}, \\qquad \\prod_{k=1}^{n} k = n!\n$$',
  '\\[\n\\mathbf{A}\\mathbf{x} = \\begin{pmatrix} a_{11} & a_{12} \\\\ a_{21} & a_{22} \\end{pmatrix} \\begin{pmatrix} x_1 \\\\ x_2 \\end{pmatrix}\n\\]',
  '$$\nf(x) = \\begin{cases} x^2 & x \\ge 0 \\\\ -x & x < 0 \\end{cases}\n$$'
]

function table(random) {
  const rows = ['| Step | Cost | Notes |', '|:-----|-----:|-------|']
  for (let i = 0; i < 4; i++) rows.push(`| ${i + 1} | ${Math.floor(random() * 100)} ms | ${sentence(random, 4)} |`)
  return rows.join('\n')
}

function list(random) {
  const items = []
  for (let i = 0; i < 4; i++) items.push(`${i + 1}. **Step ${i + 1}:** ${sentence(random, 6 + Math.floor(random() * 6))}`)
  return items.join('\n')
}

export function makeAnswer(tokens = 20_000, seed = 7) {
  const random = rng(seed)
  const target = tokens * 4
  const parts = []
  let length = 0
  let section = 0
  while (length < target) {
    const kind = parts.length === 0 ? 'heading' : ['paragraph', 'paragraph', 'code', 'math', 'list', 'table', 'heading', 'quote'][Math.floor(random() * 8)]
    let part
    if (kind === 'heading') part = `## ${++section}. ${sentence(random, 3).slice(0, -1)}`
    else if (kind === 'paragraph') part = paragraph(random)
    else if (kind === 'code') {
      const [lang, code] = CODE[Math.floor(random() * CODE.length)]
      part = '```' + lang + '\n' + code + '\n```'
    } else if (kind === 'math') part = DISPLAY[Math.floor(random() * DISPLAY.length)]
    else if (kind === 'list') part = list(random)
    else if (kind === 'table') part = table(random)
    else part = `> ${sentence(random, 12)}`
    parts.push(part)
    length += part.length + 2
  }
  return parts.join('\n\n').slice(0, target) + '\n'
}
