// The article editor's autosave (every few seconds when something changed, and on Ctrl+S),
// never moving focus or the caret, with its status in an aria-live region; and the live word
// count and reading time. Not a module: no imports. See editor.ts for the blocks.
(function () {
  const form = document.querySelector<HTMLFormElement>('form[data-editor]');
  if (!form) return;
  const editor = form;
  const csrf = editor.dataset.csrf ?? '';
  const status = editor.querySelector<HTMLElement>('.save-status');
  const AUTOSAVE_MS = 5000;
  const WORDS_PER_MINUTE = 180;
  const items = () => Array.from(editor.querySelectorAll<HTMLFieldSetElement>('[data-blocks] fieldset.block'));

  // ---- word count ---------------------------------------------------------------------------
  const Segmenter = (Intl as unknown as { Segmenter?: new (l: string, o: object) => { segment(t: string): Iterable<{ isWordLike?: boolean }> } }).Segmenter;
  const segmenter = Segmenter ? new Segmenter('ar', { granularity: 'word' }) : null;
  function countWords(text: string): number {
    const plain = text.replace(/\]\([^)\s]*\)/g, ']').replace(/[*_[\]\\]/g, ' ');
    if (!segmenter) return plain.split(/\s+/).filter(Boolean).length;
    let n = 0;
    for (const s of segmenter.segment(plain)) if (s.isWordLike) n++;
    return n;
  }
  function minutesText(words: number): string {
    if (words === 0) return '—';
    const m = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
    return m === 1 ? 'دقيقة واحدة' : m === 2 ? 'دقيقتان' : m <= 10 ? `${m} دقائق` : `${m} دقيقة`;
  }
  function updateStats(): void {
    let words = 0;
    for (const li of items()) {
      const type = li.dataset.type || 'paragraph';
      const field = type === 'list' ? 'items' : ['paragraph', 'quote', 'subheading'].includes(type) ? 'text' : null;
      const el = field && li.querySelector<HTMLTextAreaElement>(`textarea[name$="[${field}]"]`);
      if (el) words += countWords(el.value);
    }
    const w = editor.querySelector('[data-words]');
    const m = editor.querySelector('[data-minutes]');
    if (w) w.textContent = String(words);
    if (m) m.textContent = minutesText(words);
  }

  // ---- autosave -----------------------------------------------------------------------------
  let version = 0;
  let savedVersion = 0;
  let saving = false;
  let submitting = false;
  let waiting: HTMLElement | null = null;
  let statsTimer = 0;

  function changed(): void {
    version++;
    window.clearTimeout(statsTimer);
    statsTimer = window.setTimeout(updateStats, 250);
  }
  const say = (text: string) => {
    if (status) status.textContent = text;
  };
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });

  /** The form as the flat `name → value` map the server's form parser reads; files go with a real submit. */
  function formJson(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    new FormData(editor).forEach((value, name) => {
      if (typeof value !== 'string' || name === '_csrf' || name === 'op' || name === 'addType') return;
      const prev = out[name];
      out[name] = prev === undefined ? value : ([] as string[]).concat(prev, value);
    });
    return out;
  }

  async function save(explicit = false): Promise<void> {
    if (saving || submitting) return;
    if (version === savedVersion) return explicit ? say('لا تغييرات غير محفوظة.') : undefined;
    const data = formJson();
    if (!String(data.headline ?? '').trim()) return say('اكتب العنوان ليُحفظ المقال تلقائياً.');
    saving = true;
    const at = version;
    say('جارٍ الحفظ…');
    // A chosen picture goes with the autosave (multipart); its new library id then fills the id
    // box and the file box empties, so it is uploaded once.
    const pending = Array.from(editor.querySelectorAll<HTMLInputElement>('input[type=file]')).filter((i) => i.files?.length);
    try {
      let res: Response;
      if (pending.length) {
        const fd = new FormData(editor);
        const empty: string[] = [];
        fd.forEach((v, name) => {
          if (typeof v !== 'string' && v.size === 0) empty.push(name);
        });
        for (const name of ['op', ...empty]) fd.delete(name);
        res = await fetch(editor.getAttribute('action')!, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json', 'x-csrf-token': csrf }, body: fd });
      } else res = await post(editor.getAttribute('action')!, data);
      const body = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: string; savedAt?: string; action?: string; editUrl?: string; staged?: boolean; uploaded?: Record<string, string> };
      for (const [name, id] of Object.entries(body.uploaded ?? {})) {
        const box = editor.querySelector<HTMLInputElement>(`input[name="${name}"]`);
        if (box) box.value = id;
      }
      if (body.uploaded) pending.forEach((i) => (i.value = ''));
      if (res.ok && body.ok) {
        savedVersion = at;
        // A new article now exists: later saves go to it, and a reload opens it.
        if (body.action && body.action !== editor.getAttribute('action')) {
          editor.setAttribute('action', body.action);
          if (body.editUrl) history.replaceState(null, '', body.editUrl);
        }
        say(`حُفظ في ${body.savedAt ?? ''}${body.staged ? ' (تعديل بانتظار التطبيق)' : ''}`);
      } else say(`لم يُحفظ: ${body.error ?? `خطأ ${res.status}`}`);
    } catch {
      say('لم يُحفظ: تعذّر الاتصال بالخادم. ستُعاد المحاولة.');
    } finally {
      saving = false;
    }
    // A click on a submit button during the save waited for it (a new article's first save
    // must finish, or the click would create a second article).
    if (waiting) {
      const submitter = waiting;
      waiting = null;
      editor.requestSubmit(submitter);
    }
  }

  editor.addEventListener('input', changed);
  editor.addEventListener('change', changed);
  editor.addEventListener('submit', (e) => {
    if (saving) {
      e.preventDefault();
      waiting = (e as SubmitEvent).submitter ?? editor.querySelector<HTMLElement>('[data-save]');
      return;
    }
    submitting = true;
  });
  window.setInterval(() => void save(), AUTOSAVE_MS);
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
      e.preventDefault();
      void save(true);
    }
  });
  window.addEventListener('beforeunload', (e) => {
    if (submitting || version === savedVersion) return;
    e.preventDefault();
    e.returnValue = '';
  });
  updateStats();
})();
