/**
 * A hand-written `conversations.json` in the shape of a ChatGPT data export
 * (no real export is available here). It carries what real ones do: the
 * empty root, a hidden system message, a regenerated answer (a branch),
 * tool calls and tool output between a question and its answer, hidden
 * custom-instruction context, an uploaded image, o1 "thoughts" and a
 * reasoning recap, and an interrupted answer.
 */
const text = (parts: unknown[]): { content_type: string; parts: unknown[] } => ({ content_type: 'text', parts })

export const chatGptExport = [
  {
    title: 'Sourdough starter help',
    create_time: 1714000000.123456,
    update_time: 1714000900.5,
    conversation_id: '6627a1b0-0c1d-4f2e-9a0b-1c2d3e4f5a6b',
    id: '6627a1b0-0c1d-4f2e-9a0b-1c2d3e4f5a6b',
    default_model_slug: 'gpt-4o',
    current_node: 'a3',
    mapping: {
      'client-created-root': { id: 'client-created-root', message: null, parent: null, children: ['sys-1'] },
      'sys-1': {
        id: 'sys-1',
        parent: 'client-created-root',
        children: ['u1'],
        message: {
          id: 'sys-1',
          author: { role: 'system', name: null, metadata: {} },
          create_time: null,
          update_time: null,
          content: text(['']),
          status: 'finished_successfully',
          end_turn: true,
          weight: 0,
          metadata: { is_visually_hidden_from_conversation: true },
          recipient: 'all'
        }
      },
      u1: {
        id: 'u1',
        parent: 'sys-1',
        children: ['a1', 'a1b'],
        message: {
          id: 'u1',
          author: { role: 'user', name: null, metadata: {} },
          create_time: 1714000001.5,
          update_time: null,
          content: text(['My sourdough starter smells like acetone. Is it dead?']),
          status: 'finished_successfully',
          end_turn: null,
          weight: 1,
          metadata: { request_id: '87a1', message_source: null, timestamp_: 'absolute' },
          recipient: 'all'
        }
      },
      a1: {
        id: 'a1',
        parent: 'u1',
        children: ['u2'],
        message: {
          id: 'a1',
          author: { role: 'assistant', name: null, metadata: {} },
          create_time: 1714000005.25,
          update_time: null,
          content: text(["Not dead, just hungry. The acetone smell means it ran out of food; feed it and it'll bounce back."]),
          status: 'finished_successfully',
          end_turn: true,
          weight: 1,
          metadata: { finish_details: { type: 'stop', stop_tokens: [200002] }, model_slug: 'gpt-4o', default_model_slug: 'gpt-4o', parent_id: 'u1' },
          recipient: 'all'
        }
      },
      u2: {
        id: 'u2',
        parent: 'a1',
        children: ['a2'],
        message: {
          id: 'u2',
          author: { role: 'user', metadata: {} },
          create_time: 1714000060,
          content: text(['How often should I feed it?']),
          metadata: {},
          recipient: 'all'
        }
      },
      a2: {
        id: 'a2',
        parent: 'u2',
        children: [],
        message: {
          id: 'a2',
          author: { role: 'assistant', metadata: {} },
          create_time: 1714000065,
          content: text(['Twice a day at room temperature, once a week if it lives in the fridge.']),
          metadata: { finish_details: { type: 'stop' }, model_slug: 'gpt-4o' },
          recipient: 'all'
        }
      },
      a1b: {
        id: 'a1b',
        parent: 'u1',
        children: ['u3'],
        message: {
          id: 'a1b',
          author: { role: 'assistant', metadata: {} },
          create_time: 1714000300,
          content: text(['It is fine! Acetone means the yeast is starving. Discard half and feed it equal weights of flour and water.']),
          metadata: { finish_details: { type: 'stop' }, model_slug: 'gpt-4o-mini' },
          recipient: 'all'
        }
      },
      u3: {
        id: 'u3',
        parent: 'a1b',
        children: ['t1'],
        message: {
          id: 'u3',
          author: { role: 'user', metadata: {} },
          create_time: 1714000400,
          content: text(['Find me a recipe for a rye starter.']),
          metadata: {},
          recipient: 'all'
        }
      },
      t1: {
        id: 't1',
        parent: 'u3',
        children: ['t2'],
        message: {
          id: 't1',
          author: { role: 'assistant', metadata: {} },
          create_time: 1714000401,
          content: { content_type: 'code', language: 'unknown', text: 'search("rye sourdough starter recipe")' },
          metadata: { model_slug: 'gpt-4o' },
          recipient: 'browser'
        }
      },
      t2: {
        id: 't2',
        parent: 't1',
        children: ['a3'],
        message: {
          id: 't2',
          author: { role: 'tool', name: 'browser', metadata: {} },
          create_time: 1714000405,
          content: { content_type: 'tether_browsing_display', result: '# 【0†Rye starter†example.com】', summary: '' },
          metadata: {},
          recipient: 'all'
        }
      },
      a3: {
        id: 'a3',
        parent: 't2',
        children: [],
        message: {
          id: 'a3',
          author: { role: 'assistant', metadata: {} },
          create_time: 1714000410,
          update_time: 1714000411,
          content: text(['Mix 50 g rye flour with 50 g water.', 'Feed daily for five days.']),
          metadata: { finish_details: { type: 'stop' }, model_slug: 'gpt-4o' },
          recipient: 'all'
        }
      }
    },
    moderation_results: [],
    plugin_ids: null,
    gizmo_id: null,
    is_archived: false,
    safe_urls: []
  },
  {
    title: 'Explain quicksort',
    create_time: 1715000000,
    update_time: 1715000100,
    id: 'b7c8d9e0-1111-2222-3333-444455556666',
    current_node: 'q-a1',
    default_model_slug: 'o1',
    mapping: {
      'q-root': { id: 'q-root', message: null, parent: null, children: ['q-ctx'] },
      'q-ctx': {
        id: 'q-ctx',
        parent: 'q-root',
        children: ['q-u1'],
        message: {
          id: 'q-ctx',
          author: { role: 'user', metadata: {} },
          create_time: null,
          content: { content_type: 'user_editable_context', user_profile: 'I am a student.', user_instructions: 'Be concise.' },
          metadata: { is_visually_hidden_from_conversation: true, user_context_message_data: { about_user_message: 'I am a student.' } },
          recipient: 'all'
        }
      },
      'q-u1': {
        id: 'q-u1',
        parent: 'q-ctx',
        children: ['q-th'],
        message: {
          id: 'q-u1',
          author: { role: 'user', metadata: {} },
          create_time: 1715000001,
          content: {
            content_type: 'multimodal_text',
            parts: [{ content_type: 'image_asset_pointer', asset_pointer: 'file-service://file-AbC123', size_bytes: 80211, width: 1024, height: 768, fovea: null, metadata: null }, 'What does this code do?']
          },
          metadata: { attachments: [{ id: 'file-AbC123', name: 'code.png', mimeType: 'image/png' }] },
          recipient: 'all'
        }
      },
      'q-th': {
        id: 'q-th',
        parent: 'q-u1',
        children: ['q-rr'],
        message: {
          id: 'q-th',
          author: { role: 'assistant', metadata: {} },
          create_time: 1715000003,
          content: { content_type: 'thoughts', thoughts: [{ summary: 'Reading the code', content: 'It partitions around a pivot, then recurses.' }], source_analysis_msg_id: 'x' },
          metadata: { model_slug: 'o1' },
          recipient: 'all'
        }
      },
      'q-rr': {
        id: 'q-rr',
        parent: 'q-th',
        children: ['q-a1'],
        message: {
          id: 'q-rr',
          author: { role: 'assistant', metadata: {} },
          create_time: 1715000004,
          content: { content_type: 'reasoning_recap', content: 'Thought for 4 seconds' },
          metadata: { model_slug: 'o1' },
          recipient: 'all'
        }
      },
      'q-a1': {
        id: 'q-a1',
        parent: 'q-rr',
        children: [],
        message: {
          id: 'q-a1',
          author: { role: 'assistant', metadata: {} },
          create_time: 1715000010.999,
          content: text(['It is quicksort: pick a pivot, split the list around it, sort both halves.']),
          metadata: { finish_details: { type: 'interrupted' }, model_slug: 'o1' },
          recipient: 'all'
        }
      }
    }
  }
]
