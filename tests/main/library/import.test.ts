/**
 * Importing a folder of images made by other tools, with small real PNGs
 * carrying each tool's metadata as that tool writes it.
 */
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readPngHead, withTextChunks, type TextChunkOptions } from '../../../src/main/services/library/png-metadata'
import type { MediaItem } from '../../../src/shared/contract'
import { imageBytes, makeLibrary, newImage, tempFolder, type TestLibrary } from './helpers'

type Chunk = { keyword: string; text: string } & TextChunkOptions

async function sample(folder: string, name: string, chunks: Chunk[], options: { color?: string; mtime?: Date } = {}): Promise<string> {
  const file = join(folder, name)
  writeFileSync(file, withTextChunks(await imageBytes({ width: 40, height: 30, color: options.color ?? '#224466' }), chunks))
  if (options.mtime) utimesSync(file, options.mtime, options.mtime)
  return file
}

async function importFrom(test: TestLibrary, folder: string) {
  test.powers.dialogScript.folders.push(folder)
  return test.library.importFolder()
}

/** The imported items by their original file name. */
function byFileName(test: TestLibrary): Map<string, MediaItem> {
  const items = test.library.query().cards.map((card) => test.library.get(card.id))
  return new Map(items.filter((item) => item.source === 'import').map((item) => [String(item.settings.fileName), item]))
}

const A1111 = `masterpiece, best quality, a lighthouse on a cliff
Negative prompt: lowres, bad anatomy
Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567890, Size: 40x30, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Version: v1.6.0`

const FOOOCUS_JSON = JSON.stringify({
  adm_guidance: '(1.5, 0.8, 0.3)',
  base_model: 'juggernautXL_v8Rundiffusion',
  base_model_hash: 'aeb7e9e689',
  full_negative_prompt: ['unrealistic, saturated'],
  full_prompt: ['a cat astronaut, highly detailed'],
  guidance_scale: 4,
  loras: [['sd_xl_offset_example-lora_1.0', 0.1, '4852686128']],
  negative_prompt: '',
  performance: 'Speed',
  prompt: 'a cat astronaut',
  resolution: '(1152, 896)',
  sampler: 'dpmpp_2m_sde_gpu',
  scheduler: 'karras',
  seed: '2713370581716531578',
  steps: 30,
  styles: "['Fooocus V2', 'Fooocus Enhance', 'Fooocus Sharp']",
  version: 'Fooocus v2.4.3'
})

const FOOOCUS_A1111 = `a dog knight, highly detailed, cinematic
Negative prompt: unrealistic, saturated
Steps: 30, Sampler: DPM++ 2M SDE Karras, Seed: 42424242, Size: 1152x896, CFG scale: 4, Sharpness: 2, ADM Guidance: "(1.5, 0.8, 0.3)", Model: juggernautXL_v8Rundiffusion, Performance: Speed, Scheduler: karras, Raw prompt: a dog knight, Raw negative prompt: blurry, Version: Fooocus v2.4.3`

const INVOKE_V4 = JSON.stringify({
  generation_mode: 'txt2img',
  positive_prompt: 'a cozy cabin in the woods',
  negative_prompt: 'blurry',
  width: 1024,
  height: 1024,
  seed: 1234567,
  rand_device: 'cpu',
  cfg_scale: 7.5,
  steps: 30,
  scheduler: 'dpmpp_2m_k',
  model: { key: '8d6b2b', hash: 'blake3:abc', name: 'Juggernaut XL v9', base: 'sdxl', type: 'main' },
  app_version: '4.2.4'
})

const INVOKE_V2 = JSON.stringify({
  model: 'stable diffusion',
  model_weights: 'stable-diffusion-1.5',
  app_id: 'invoke-ai/InvokeAI',
  app_version: '2.2.5',
  image: { prompt: [{ prompt: 'a red barn at sunrise', weight: 1 }], steps: 50, cfg_scale: 7.5, height: 512, width: 512, seed: 3920108563, type: 'txt2img', sampler: 'k_lms' }
})

/** ComfyUI's default graph as run (`prompt`); the negative encoder has the lower id. */
const COMFY_PROMPT = JSON.stringify({
  '3': {
    inputs: { seed: 156680208700286, steps: 20, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['10', 0], positive: ['6', 0], negative: ['2', 0], latent_image: ['5', 0] },
    class_type: 'KSampler',
    _meta: { title: 'KSampler' }
  },
  '2': { inputs: { text: 'text, watermark', clip: ['4', 1] }, class_type: 'CLIPTextEncode' },
  '4': { inputs: { ckpt_name: 'SD1.5/v1-5-pruned-emaonly.safetensors' }, class_type: 'CheckpointLoaderSimple' },
  '5': { inputs: { width: 512, height: 512, batch_size: 1 }, class_type: 'EmptyLatentImage' },
  '6': { inputs: { text: 'beautiful scenery nature glass bottle landscape, purple galaxy bottle', clip: ['4', 1] }, class_type: 'CLIPTextEncode' },
  '8': { inputs: { samples: ['3', 0], vae: ['4', 2] }, class_type: 'VAEDecode' },
  '9': { inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] }, class_type: 'SaveImage' },
  // A LoRA between the checkpoint and the sampler.
  '10': { inputs: { lora_name: 'detail.safetensors', strength_model: 0.8, model: ['4', 0], clip: ['4', 1] }, class_type: 'LoraLoader' }
})

/** A Flux graph: the prompt reaches SamplerCustomAdvanced through a guider and FluxGuidance, the seed through RandomNoise. */
const COMFY_FLUX = JSON.stringify({
  '13': { class_type: 'SamplerCustomAdvanced', inputs: { noise: ['25', 0], guider: ['22', 0], sampler: ['16', 0], sigmas: ['17', 0], latent_image: ['5', 0] } },
  '25': { class_type: 'RandomNoise', inputs: { noise_seed: 219670278747233 } },
  '22': { class_type: 'BasicGuider', inputs: { model: ['12', 0], conditioning: ['26', 0] } },
  '26': { class_type: 'FluxGuidance', inputs: { guidance: 3.5, conditioning: ['6', 0] } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a fox reading a newspaper in a café', clip: ['11', 0] } },
  '12': { class_type: 'UNETLoader', inputs: { unet_name: 'flux1-dev.safetensors', weight_dtype: 'default' } },
  '16': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } }
})

/** The editor's graph only (`workflow`), the positive text fed by a primitive node. */
const COMFY_WORKFLOW = JSON.stringify({
  last_node_id: 11,
  last_link_id: 11,
  nodes: [
    { id: 7, type: 'CLIPTextEncode', mode: 0, inputs: [{ name: 'clip', type: 'CLIP', link: 5 }], outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING', links: [6] }], widgets_values: ['text, watermark'] },
    {
      id: 6,
      type: 'CLIPTextEncode',
      mode: 0,
      inputs: [
        { name: 'clip', type: 'CLIP', link: 3 },
        { name: 'text', type: 'STRING', widget: { name: 'text' }, link: 10 }
      ],
      outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING', links: [4] }],
      widgets_values: ['a stale value the primitive replaced']
    },
    { id: 11, type: 'PrimitiveNode', mode: 0, outputs: [{ name: 'STRING', type: 'STRING', links: [10] }], widgets_values: ['an owl in a library, warm light'] },
    {
      id: 3,
      type: 'KSampler',
      mode: 0,
      inputs: [
        { name: 'model', type: 'MODEL', link: 1 },
        { name: 'positive', type: 'CONDITIONING', link: 4 },
        { name: 'negative', type: 'CONDITIONING', link: 6 },
        { name: 'latent_image', type: 'LATENT', link: 2 }
      ],
      widgets_values: [8675309, 'randomize', 25, 6.5, 'dpmpp_2m', 'karras', 1]
    },
    { id: 4, type: 'CheckpointLoaderSimple', mode: 0, outputs: [{ name: 'MODEL', links: [1] }], widgets_values: ['sdxl/dreamshaperXL.safetensors'] },
    { id: 5, type: 'EmptyLatentImage', mode: 0, widgets_values: [1024, 1024, 1] }
  ],
  links: [
    [1, 4, 0, 3, 0, 'MODEL'],
    [2, 5, 0, 3, 3, 'LATENT'],
    [3, 4, 1, 6, 0, 'CLIP'],
    [4, 6, 0, 3, 1, 'CONDITIONING'],
    [5, 4, 1, 7, 0, 'CLIP'],
    [6, 7, 0, 3, 2, 'CONDITIONING'],
    [10, 11, 0, 6, 1, 'STRING']
  ]
})

describe('importing a folder', () => {
  it('reads the settings A1111, Fooocus, InvokeAI and ComfyUI embedded', async () => {
    const folder = tempFolder()
    const made = new Date('2024-05-06T07:08:09Z')
    await sample(folder, 'a1111.png', [{ keyword: 'parameters', text: A1111, encoding: 'latin1' }], { mtime: made })
    await sample(folder, 'a1111-japanese.png', [{ keyword: 'parameters', text: '灯台と海\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 7, Size: 40x30, Model: anything-v5', encoding: 'latin1' }])
    await sample(folder, 'fooocus-json.png', [
      { keyword: 'parameters', text: FOOOCUS_JSON, encoding: 'latin1' },
      { keyword: 'fooocus_scheme', text: 'fooocus', encoding: 'latin1' }
    ])
    await sample(folder, 'fooocus-a1111.png', [
      { keyword: 'parameters', text: FOOOCUS_A1111, encoding: 'latin1' },
      { keyword: 'fooocus_scheme', text: 'a1111', encoding: 'latin1' }
    ])
    await sample(folder, 'invoke4.png', [{ keyword: 'invokeai_metadata', text: INVOKE_V4, encoding: 'latin1' }, { keyword: 'invokeai_graph', text: '{"id":"g"}', encoding: 'latin1' }])
    await sample(folder, 'invoke2.png', [{ keyword: 'sd-metadata', text: INVOKE_V2, encoding: 'latin1' }, { keyword: 'Dream', text: '"a red barn at sunrise" -s 50 -S 3920108563', encoding: 'latin1' }])
    await sample(folder, 'comfy.png', [
      { keyword: 'prompt', text: COMFY_PROMPT, encoding: 'latin1' },
      { keyword: 'workflow', text: '{"nodes":[],"links":[]}', encoding: 'latin1' }
    ])
    await sample(folder, 'comfy-flux.png', [{ keyword: 'prompt', text: COMFY_FLUX, encoding: 'utf8' }])
    await sample(folder, 'comfy-workflow.png', [{ keyword: 'workflow', text: COMFY_WORKFLOW, encoding: 'latin1', compress: true }])

    const test = makeLibrary()
    expect(await importFrom(test, folder)).toEqual({ path: folder, added: 9, skipped: 0, failed: 0 })
    const items = byFileName(test)
    expect(items.get('a1111.png')).toMatchObject({
      source: 'import',
      prompt: 'masterpiece, best quality, a lighthouse on a cliff',
      title: 'masterpiece, best quality, a lighthouse on a cliff',
      model: 'v1-5-pruned-emaonly',
      createdAt: made.getTime(),
      width: 40,
      height: 30,
      settings: {
        tool: 'A1111',
        negativePrompt: 'lowres, bad anatomy',
        seed: 1234567890,
        params: { Steps: '28', Sampler: 'DPM++ 2M Karras', 'CFG scale': '7', Size: '40x30', 'Model hash': '6ce0161689', Version: 'v1.6.0' }
      }
    })
    expect(items.get('a1111-japanese.png')).toMatchObject({ prompt: '灯台と海', model: 'anything-v5', settings: { tool: 'A1111', seed: 7 } })
    expect(items.get('fooocus-json.png')).toMatchObject({
      prompt: 'a cat astronaut',
      model: 'juggernautXL_v8Rundiffusion',
      // Past 2^53: kept exact, as text.
      settings: { tool: 'Fooocus', seed: '2713370581716531578', params: { performance: 'Speed', steps: 30, resolution: '(1152, 896)', version: 'Fooocus v2.4.3' } }
    })
    expect(items.get('fooocus-a1111.png')).toMatchObject({
      // What the person typed, not the prompt with Fooocus's styles applied.
      prompt: 'a dog knight',
      model: 'juggernautXL_v8Rundiffusion',
      settings: { tool: 'Fooocus', negativePrompt: 'blurry', seed: 42424242, params: { 'ADM Guidance': '(1.5, 0.8, 0.3)', Sharpness: '2' } }
    })
    expect(items.get('invoke4.png')).toMatchObject({
      prompt: 'a cozy cabin in the woods',
      model: 'Juggernaut XL v9',
      settings: { tool: 'InvokeAI', negativePrompt: 'blurry', seed: 1234567, params: { steps: 30, cfg_scale: 7.5, scheduler: 'dpmpp_2m_k', app_version: '4.2.4' } }
    })
    expect(items.get('invoke2.png')).toMatchObject({ prompt: 'a red barn at sunrise', model: 'stable-diffusion-1.5', settings: { tool: 'InvokeAI', seed: 3920108563 } })
    expect(items.get('comfy.png')).toMatchObject({
      prompt: 'beautiful scenery nature glass bottle landscape, purple galaxy bottle',
      model: 'v1-5-pruned-emaonly',
      settings: { tool: 'ComfyUI', negativePrompt: 'text, watermark', seed: 156680208700286, params: { sampler: 'KSampler', steps: 20, cfg: 8, sampler_name: 'euler' } }
    })
    expect(items.get('comfy-flux.png')).toMatchObject({ prompt: 'a fox reading a newspaper in a café', model: 'flux1-dev', settings: { tool: 'ComfyUI', seed: 219670278747233 } })
    expect(items.get('comfy-workflow.png')).toMatchObject({
      prompt: 'an owl in a library, warm light',
      model: 'dreamshaperXL',
      settings: { tool: 'ComfyUI', negativePrompt: 'text, watermark', seed: 8675309, params: { steps: 25, cfg: 6.5, scheduler: 'karras' } }
    })
    // Found by search, by prompt, model and tool.
    expect(test.library.query({ search: 'owl library' }).total).toBe(1)
    expect(test.library.query({ search: 'comfyui' }).total).toBe(3)
    expect(test.library.query().models).toContain('Juggernaut XL v9')

    // The stored file keeps the tool's chunks as they were, with the app's record added; no A1111 chunk is made up.
    const comfy = items.get('comfy.png')!
    const head = await readPngHead(join(test.mediaDir, comfy.path))
    expect(head.texts.map((text) => text.keyword)).toEqual(['skyport', 'prompt', 'workflow'])
    expect(head.texts[1]!.text).toBe(COMFY_PROMPT)
    // …and a rescan reads the import back as it was.
    await test.close()
    const { rmSync } = await import('node:fs')
    for (const suffix of ['', '-wal', '-shm']) rmSync(test.dbFile + suffix, { force: true })
    const again = test.reopen()
    expect(await again.library.rescan()).toMatchObject({ added: 9 })
    expect(again.library.get(comfy.id)).toMatchObject({ prompt: comfy.prompt, model: comfy.model, settings: comfy.settings, createdAt: comfy.createdAt })
  })

  it('skips files already in the library and files that are not images, and counts images it cannot read', async () => {
    const folder = tempFolder()
    await sample(folder, 'one.png', [])
    await sample(folder, 'two.png', [], { color: '#aa0000' })
    mkdirSync(join(folder, 'nested/deeper'), { recursive: true })
    writeFileSync(join(folder, 'nested/deeper/three.webp'), await imageBytes({ format: 'webp', color: '#00aa00' }))
    writeFileSync(join(folder, 'nested/photo.jpg'), await imageBytes({ format: 'jpeg', color: '#0000aa' }))
    writeFileSync(join(folder, 'notes.txt'), 'not an image')
    writeFileSync(join(folder, 'fake.png'), '<html>not a png</html>')
    writeFileSync(join(folder, 'empty.png'), '')
    writeFileSync(join(folder, '.hidden.png'), await imageBytes({ color: '#123456' }))
    const whole = await imageBytes({ width: 300, height: 300 })
    writeFileSync(join(folder, 'cut.png'), whole.subarray(0, Math.floor(whole.length / 2)))
    writeFileSync(join(folder, 'anim.gif'), await imageBytes({ format: 'gif' }))

    const test = makeLibrary()
    // One of them was made here already (the server's bytes are what the file holds).
    const existing = await test.library.addImage({ ...(await newImage()), bytes: readFileSync(join(folder, 'one.png')) })
    expect(await importFrom(test, folder)).toEqual({ path: folder, added: 3, skipped: 4, failed: 2 })
    expect(test.library.query().total).toBe(4)
    const names = [...byFileName(test).keys()].sort()
    expect(names).toEqual(['photo.jpg', 'three.webp', 'two.png'])
    expect(test.library.get(existing.id).source).toBe('studio')
    // The same folder again: everything is already here.
    expect(await importFrom(test, folder)).toEqual({ path: folder, added: 0, skipped: 7, failed: 2 })
    expect(test.powers.logged.some((line) => /Import of cut\.png failed: .*damaged or incomplete PNG/.test(line))).toBe(true)
    // Cancelled picker: nothing happens.
    expect(await test.library.importFolder()).toEqual({ path: null, added: 0, skipped: 0, failed: 0 })
  })

  it('skips images exported from the library itself, and never imports the media folder into itself', async () => {
    const test = makeLibrary()
    const item = await test.library.addImage(await newImage())
    const out = tempFolder()
    test.powers.dialogScript.folders.push(out)
    await test.library.exportItems([item.id])
    expect(await importFrom(test, out)).toMatchObject({ added: 0, skipped: 1, failed: 0 })
    expect(await importFrom(test, test.mediaDir)).toMatchObject({ added: 0, failed: 0 })
    expect(test.library.query().total).toBe(1)
  })
})
