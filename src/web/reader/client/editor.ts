// The article editor's blocks: added, moved and removed in place, and pasted HTML turned into
// blocks by the server's allow-list. autosave.ts does saving and counting. The form works
// without either (every action is also a submit button); nothing here is needed to publish.
// Lives beside fontsize.ts so the same client build compiles it. Not a module: no imports.
(function () {
  const form = document.querySelector<HTMLFormElement>('form[data-editor]');
  const list = form?.querySelector<HTMLOListElement>('[data-blocks]');
  const template = document.querySelector<HTMLTemplateElement>('#block-template');
  if (!form || !list || !template) return;
  const editor = form;
  const blocks = list;
  const csrf = editor.dataset.csrf ?? '';
  const TYPE_NAMES: Record<string, string> = { paragraph: 'فقرة', subheading: 'عنوان فرعي', quote: 'اقتباس', image: 'صورة', list: 'قائمة', embed: 'تضمين' };
  const FIRST_FIELD: Record<string, string> = { image: 'mediaId', list: 'items', embed: 'url' };
  type Fields = Record<string, string | boolean>;

  const items = () => Array.from(blocks.children) as HTMLLIElement[];
  const fieldset = (li: Element) => li.querySelector<HTMLFieldSetElement>('fieldset.block')!;

  // ---- blocks -------------------------------------------------------------------------------
  /** Names, ids and button values carry the block's position; they follow it after every change. */
  function renumber(): void {
    const all = items();
    all.forEach((li, i) => {
      const fix = (v: string) => v.replace(/blocks\[(?:\d+|__i__)\]/g, `blocks[${i}]`).replace(/\bb(?:\d+|__i__)-/g, `b${i}-`);
      li.querySelectorAll<HTMLElement>('[name],[id],[for],[aria-describedby]').forEach((el) => {
        for (const attr of ['name', 'id', 'for', 'aria-describedby']) {
          const v = el.getAttribute(attr);
          if (v) el.setAttribute(attr, fix(v));
        }
      });
      li.querySelectorAll<HTMLButtonElement>('.block-ops button[name=op]').forEach((b) => {
        const op = b.value.split(':')[0];
        b.value = `${op}:${i}`;
        b.disabled = (op === 'up' && i === 0) || (op === 'down' && i === all.length - 1);
      });
      const n = li.querySelector('.block-number');
      if (n) n.textContent = String(i + 1);
    });
  }

  function setType(li: Element, type: string): void {
    fieldset(li).dataset.type = type;
    const kind = li.querySelector('.block-kind');
    if (kind) kind.textContent = TYPE_NAMES[type] ?? 'كتلة جديدة';
  }

  function fill(li: Element, f: Fields): void {
    for (const [key, value] of Object.entries(f)) {
      const el = li.querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(`[name$="[${key}]"]`);
      if (!el) continue;
      if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = value === true;
      else el.value = String(value);
    }
    setType(li, String(f.type ?? 'paragraph'));
  }

  function newBlock(type: string, after?: Element | null): HTMLLIElement {
    const li = template!.content.firstElementChild!.cloneNode(true) as HTMLLIElement;
    const select = li.querySelector<HTMLSelectElement>('select[name$="[type]"]')!;
    select.querySelector('option[value=""]')?.remove();
    select.value = type;
    setType(li, type);
    blocks.insertBefore(li, after ? after.nextSibling : null);
    return li;
  }

  const isBlank = (li: Element) =>
    fieldset(li).dataset.type === '' &&
    Array.from(li.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('textarea, input:not([type=checkbox])')).every((e) => !e.value.trim());

  // The spare slots are for writers without JavaScript; here blocks are added where wanted.
  items().filter(isBlank).forEach((li) => li.remove());
  renumber();

  editor.addEventListener('click', (e) => {
    const button = (e.target as Element).closest<HTMLButtonElement>('button');
    if (!button) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return e.preventDefault();
    if (button.matches('[data-add-block]')) {
      e.preventDefault();
      const type = editor.querySelector<HTMLSelectElement>('select[name=addType]')?.value ?? 'paragraph';
      const li = newBlock(type);
      renumber();
      changed();
      // The writer asked for the block: taking them to it is the expected move.
      li.querySelector<HTMLElement>(`[name$="[${FIRST_FIELD[type] ?? 'text'}]"]`)?.focus();
      return;
    }
    const m = /^(up|down|remove):(\d+)$/.exec(button.name === 'op' ? button.value : '');
    if (!m) return;
    e.preventDefault();
    const li = items()[Number(m[2])];
    if (!li) return;
    if (m[1] === 'remove') {
      const next = li.nextElementSibling ?? li.previousElementSibling;
      li.remove();
      renumber();
      (next?.querySelector<HTMLElement>('button[value^="remove:"]') ?? editor.querySelector<HTMLElement>('select[name=addType]'))?.focus();
    } else {
      if (m[1] === 'up' && li.previousElementSibling) blocks.insertBefore(li, li.previousElementSibling);
      if (m[1] === 'down' && li.nextElementSibling) blocks.insertBefore(li.nextElementSibling, li);
      renumber();
      // Moving the element drops focus; keep it on the same button (or its twin when it is now disabled).
      (button.disabled ? li.querySelector<HTMLElement>('.block-ops button:not([disabled])') : button)?.focus();
    }
    changed();
  });

  editor.addEventListener('change', (e) => {
    const t = e.target as HTMLElement;
    if (t instanceof HTMLSelectElement && t.name.endsWith('[type]')) setType(t.closest('li')!, t.value);
  });

  // ---- paste --------------------------------------------------------------------------------
  editor.addEventListener('paste', (e) => {
    const area = e.target as HTMLTextAreaElement;
    if (!(area instanceof HTMLTextAreaElement) || !area.matches('[data-paste]')) return;
    const type = fieldset(area.closest('li')!).dataset.type ?? '';
    const html = e.clipboardData?.getData('text/html');
    // Read now: the clipboard is out of reach once the event has been handled.
    const plain = e.clipboardData?.getData('text/plain') ?? '';
    if (!html || !['', 'paragraph', 'quote'].includes(type)) return;
    e.preventDefault();
    const li = area.closest('li')!;
    void post('/newsroom/paste', { html }).then(async (res) => {
      if (!res.ok) throw new Error(String(res.status));
      const { blocks: pasted } = (await res.json()) as { blocks: Fields[] };
      if (!pasted.length) return;
      // One paragraph goes in at the caret, like any paste; several become blocks after this one.
      if (pasted.length === 1 && pasted[0]!.type === 'paragraph') {
        area.setRangeText(String(pasted[0]!.text), area.selectionStart, area.selectionEnd, 'end');
      } else {
        let after: Element = li;
        let rest = pasted;
        if (!area.value.trim()) {
          fill(li, pasted[0]!);
          rest = pasted.slice(1);
        }
        for (const f of rest) {
          const added = newBlock(String(f.type), after);
          fill(added, f);
          after = added;
        }
        renumber();
      }
      changed();
    }).catch(() => {
      // The server could not clean it: fall back to the clipboard's plain text, never raw HTML.
      area.setRangeText(plain, area.selectionStart, area.selectionEnd, 'end');
      changed();
    });
  });

  /** Programmatic edits fire no input event; autosave.ts listens for one to count and save. */
  function changed(): void {
    editor.dispatchEvent(new Event('input', { bubbles: true }));
  }
  function post(url: string, body: unknown): Promise<Response> {
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
  }
})();
