/**
 * Hostile markdown a model could return. Each payload tries to run script
 * (by setting `window.__xss`), to navigate, or to load something from
 * `trap` (a second loopback server that records any hit).
 */
import { framesetPayloads } from '../../renderer/hostile-markup'

export interface Payload {
  name: string
  markdown: string
}

export function xssPayloads(trap: string): Payload[] {
  const set = 'window.__xss=1'
  const list: [string, string][] = [
    // script elements
    ['script tag', `<script>${set}</script>`],
    ['script tag, mixed case', `<ScRiPt>${set}</sCrIpT>`],
    ['script with remote src', `<script src="${trap}/s.js"></script>`],
    ['broken script tag', `<scr<script>ipt>${set}</script>`],
    ['nested script tags', `<<script>script>${set}<</script>/script>`],
    ['script in template', `<template><script>${set}</script></template>`],
    // event handlers
    ['img onerror', `<img src=x onerror="${set}">`],
    ['img onerror, unquoted and unclosed', `<img src=x onerror=${set}//`],
    ['IMG mixed case javascript src', `<IMG SRC=JaVaScRiPt:${set}>`],
    ['svg onload', `<svg onload="${set}"></svg>`],
    ['svg with script', `<svg><script>${set}</script></svg>`],
    ['svg animate href', `<svg><a><animate attributeName="href" values="javascript:${set}"/><text y="20">x</text></a></svg>`],
    ['svg use remote', `<svg><use href="${trap}/sprite.svg#a"/></svg>`],
    ['svg image remote', `<svg><image href="${trap}/svg-image.png"/></svg>`],
    ['details ontoggle', `<details open ontoggle="${set}"><summary>s</summary>x</details>`],
    ['input autofocus onfocus', `<input autofocus onfocus="${set}">`],
    ['body onload', `<body onload="${set}">`],
    ['marquee onstart', `<marquee onstart="${set}">m</marquee>`],
    ['link with onmouseover', `<a href="https://ok.example/" onmouseover="${set}" onclick="${set}">ok</a>`],
    ['video/audio with handlers', `<video src="${trap}/v.mp4" onerror="${set}"></video><audio src="${trap}/a.mp3" onerror="${set}"></audio>`],
    // javascript:, vbscript:, data: links
    ['markdown javascript link', `[click](javascript:${set})`],
    ['markdown javascript link, mixed case', `[click](JaVaScRiPt:${set})`],
    ['markdown javascript&#58; link', `[click](javascript&#58;${set})`],
    ['markdown entity-encoded javascript link', `[click](&#106;avascript:${set})`],
    ['markdown angle-bracket javascript link', `[click](<javascript:${set}>)`],
    ['markdown reference javascript link', `[click][r]\n\n[r]: javascript:${set}`],
    ['autolink javascript', `<javascript:${set}>`],
    ['html javascript link', `<a href="javascript:${set}">x</a>`],
    ['html hex-entity javascript link', `<a href="&#x6A;avascript&#x3A;${set}">x</a>`],
    ['html tab-split javascript link', `<a href="jav&#x09;ascript:${set}">x</a>`],
    ['html leading-space javascript link', `<a href="  javascript:${set}">x</a>`],
    ['vbscript link', `<a href="vbscript:msgbox(1)">x</a> [y](vbscript:msgbox)`],
    ['data:text/html link (markdown)', `[x](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)`],
    ['data:text/html link (html)', `<a href="data:text/html,<script>${set}</script>">x</a>`],
    ['data:image link', `<a href="data:image/svg+xml,<svg onload=${set}>">x</a>`],
    ['svg in data image', `<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' onload='${set}'/%3E">`],
    // frames, objects, forms
    ['iframe javascript', `<iframe src="javascript:${set}"></iframe>`],
    ['iframe srcdoc', `<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>`],
    ['iframe remote', `<iframe src="${trap}/frame"></iframe>`],
    ['object remote', `<object data="${trap}/object"></object>`],
    ['object data:text/html', `<object type="text/html" data="data:text/html,<script>parent.__xss=1</script>"></object>`],
    ['embed remote', `<embed src="${trap}/embed">`],
    ['form with button', `<form action="${trap}/form"><input name="a" value="b"><button formaction="javascript:${set}">go</button></form>`],
    // document-level elements
    ['meta refresh', `<meta http-equiv="refresh" content="0;url=${trap}/meta">`],
    ['base href', `<base href="${trap}/">\n\n[relative](page.html) ![rel](pic.png)`],
    ['link stylesheet', `<link rel="stylesheet" href="${trap}/x.css">`],
    ['link prefetch', `<link rel="prefetch" href="${trap}/prefetch">`],
    // styles
    ['style element with import and url', `<style>@import url(${trap}/import.css); body { background: url(${trap}/bg.png) }</style>`],
    ['style attribute url', `<div style="background:url(${trap}/div.png)">x</div>`],
    ['style attribute expression', `<div style="width: expression(${set})">x</div>`],
    ['style attribute escaped url', `<div style="background:\\75\\72\\6c(${trap}/esc.png)">x</div>`],
    ['fake katex span with style', `<span class="katex"><span style="background-image:url(${trap}/k.png);position:fixed;inset:0">x</span></span>`],
    ['table background', `<table background="${trap}/t.png"><tr><td background="${trap}/td.png">x</td></tr></table>`],
    // math
    ['katex \\href javascript', `$\\href{javascript:${set}}{click}$`],
    ['katex \\href remote', `$$\\href{${trap}/href}{click}$$`],
    ['katex \\url', `$\\url{javascript:${set}}$ and \\(\\url{${trap}/url}\\)`],
    ['katex \\htmlClass and friends', `$\\htmlClass{btn}{x}$ $\\htmlId{app}{y}$ $\\htmlStyle{background:url(${trap}/hs.png)}{z}$ $\\htmlData{foo=bar}{w}$`],
    ['katex \\includegraphics', `$\\includegraphics{${trap}/g.png}$`],
    ['katex macro bomb', `$\\def\\a{\\a\\a}\\a$ $\\def\\b{x\\b}\\b$`],
    ['raw MathML with href', `<math href="javascript:${set}"><mi xlink:href="javascript:${set}">x</mi></math>`],
    // mutation XSS classics
    ['mXSS math/mtext/mglyph/style', `<math><mtext><table><mglyph><style><img src=x onerror="${set}">`],
    ['mXSS svg/p/style', `<svg></p><style><a id="</style><img src=1 onerror=${set}>">`],
    ['mXSS noscript title', `<noscript><p title="</noscript><img src=x onerror=${set}>">`],
    ['mXSS form/math', `<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=${set} src>">`],
    // remote images
    ['markdown remote image', `![remote](${trap}/md.png)`],
    ['html remote image', `<img src="${trap}/html.png" alt="remote">`],
    ['protocol-relative image', `<img src="${trap.replace(/^https?:/, '')}/pr.png">`],
    ['srcset image', `<img src="data:image/png;base64,iVBORw0KGgo=" srcset="${trap}/srcset.png 2x">`],
    ['picture source', `<picture><source srcset="${trap}/picture.png"><img src="${trap}/pimg.png"></picture>`],
    ['lazy image in link', `[![x](${trap}/nested.png)](${trap}/nested-link)`],
    [
      'images climbing out of /media/',
      '![a](/media/../settings.json) <img src="/media/%2e%2e/api-key.bin" alt="b"> <img src="/media/..\\settings.json" alt="c"> ' +
        '<img src="/media/a\\..\\..\\x.png" alt="d"> <img src="/media/%252e%252e/y.png" alt="e"> <img src="/media/..%2fz.png" alt="f">'
    ],
    // nesting and clicks
    ['nested markdown in html link', `<a href="javascript:${set}">**bold [inner](javascript:${set})**</a>`],
    ['blockquote with img onerror', `> <img src=x onerror="${set}">\n> text`],
    ['task list with handler input', `- [ ] <input type="checkbox" onclick="${set}"> task`],
    ['table cell with script', `| a | b |\n|---|---|\n| <script>${set}</script> | <img src=x onerror=${set}> |`],
    ['link to the trap server', `[trap](${trap}/link) <a href="${trap}/html-link">html</a> ${trap}/autolink`],
    ['fake copy button', `<button data-copy onclick="${set}">copy</button> <a data-copy href="javascript:${set}">c</a>`],
    ['code fence with html inside', '```html\n<script>' + set + '</script><img src=x onerror=' + set + '>\n```'],
    ['hostile fence info string', '```"><img src=x onerror=' + set + '>\nx\n```'],
    ['entity-encoded tags stay text', `&lt;script&gt;${set}&lt;/script&gt; &#60;img src=x onerror=${set}&#62;`],
    ['html comment tricks', `<!--><img src=x onerror=${set}>--> <!-- --!><img src=x onerror=${set}> -->`],
    ['cdata tricks', `<![CDATA[><img src=x onerror=${set}>]]>`]
  ]
  // A frameset replaces the body of the document the sanitiser parses.
  return [...list.map(([name, markdown]) => ({ name, markdown })), ...framesetPayloads(trap)]
}
