/**
 * The live console, enhanced: Ctrl+Enter (⌘+Enter) posts the compose box through the JSON API
 * without leaving the page, and the entries list follows the coverage's event stream, so what
 * other editors post, correct or delete appears here as it happens. Every entry that arrives is
 * fetched as the console's own fragment (`GET /newsroom/live/:id/entries/:entryId`): the
 * controls come from the server with the viewer's rights, never rebuilt here. Without this
 * script every action still works through the page's forms.
 */
(() => {
  const list = document.querySelector<HTMLOListElement>('ol.lc-entries');
  if (!list) return;
  const compose = document.querySelector<HTMLFormElement>('form.lc-compose');
  const note = document.querySelector<HTMLElement>('.lc-live-note');
  const entryUrl = list.dataset.entryUrl ?? '';
  const RECONNECT_MS = 10_000;

  function say(text: string): void {
    if (!note) return;
    note.textContent = text;
    note.hidden = !text;
  }

  /** Puts the server's markup for one entry in place: replaced where it is, else in id order (newest first). */
  async function showEntry(id: number): Promise<void> {
    let res: Response;
    try {
      res = await fetch(entryUrl + id, { credentials: 'same-origin', headers: { accept: 'text/html' } });
    } catch {
      return;
    }
    if (res.status === 404) {
      list!.querySelector(`li[data-entry-id="${id}"]`)?.remove();
      return;
    }
    if (!res.ok) return;
    const t = document.createElement('template');
    t.innerHTML = await res.text();
    // Looked up only after the last await: the post's own answer and the stream's event for the
    // same entry race here, and the second must find the first's node, not insert a twin.
    const old = list!.querySelector<HTMLElement>(`li[data-entry-id="${id}"]`);
    const fresh = t.content.querySelector<HTMLElement>('li.lc-entry');
    if (!fresh) return;
    if (old) {
      // Someone typing a correction keeps their box: only the entry as readers see it changes.
      const busy = old.contains(document.activeElement) || old.querySelector('details[open]');
      const article = fresh.querySelector('article');
      if (busy && article) old.querySelector('article')?.replaceWith(article);
      else old.replaceWith(fresh);
      return;
    }
    document.querySelector('.lc-empty')?.remove();
    const after = Array.from(list!.querySelectorAll<HTMLElement>('li.lc-entry')).find((li) => Number(li.dataset.entryId) < id);
    list!.insertBefore(fresh, after ?? null);
  }

  /** After a resync: the page's list as the server has it now. */
  async function reloadList(): Promise<void> {
    try {
      const res = await fetch(location.pathname, { credentials: 'same-origin', headers: { accept: 'text/html' } });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = doc.querySelector('ol.lc-entries');
      if (fresh) list!.replaceChildren(...Array.from(fresh.children).map((c) => document.importNode(c, true)));
    } catch {
      /* the stream's next event tries again */
    }
  }

  function follow(after: number): void {
    if (list!.dataset.status !== 'live' || !('EventSource' in window) || new URLSearchParams(location.search).has('before')) return;
    let last = after;
    const es = new EventSource(`${list!.dataset.eventsUrl}?after=${last}`);
    const again = () => {
      es.close();
      say('التحديث المباشر متوقف مؤقتاً، ويُستأنف بعد قليل.');
      setTimeout(() => follow(last), RECONNECT_MS);
    };
    es.addEventListener('open', () => say(''));
    es.addEventListener('live', (ev) => {
      const data = JSON.parse((ev as MessageEvent<string>).data) as { eventId: number; type: string; entry?: { id: number }; entryId?: number };
      last = Math.max(last, data.eventId);
      if (data.type === 'entry.created' || data.type === 'entry.updated') void showEntry(data.entry!.id);
      else if (data.type === 'entry.deleted') list!.querySelector(`li[data-entry-id="${data.entryId}"]`)?.remove();
      else if (data.type === 'coverage.ended') {
        // The stream ends here and must not be reopened; the page shows the ended state.
        es.close();
        location.reload();
      }
    });
    es.addEventListener('resync', (ev) => {
      last = (JSON.parse((ev as MessageEvent<string>).data) as { lastEventId: number }).lastEventId;
      void reloadList();
    });
    // The server is going away or lost its link to the other instances: come back later.
    es.addEventListener('retry', again);
    // A refused connection (503) is not retried by the browser itself.
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED) again();
    });
  }

  if (compose) {
    const box = compose.querySelector<HTMLTextAreaElement>('textarea[name="text"]')!;
    const error = compose.querySelector<HTMLElement>('.lc-compose-error');
    const flag = (name: string) => compose.querySelector<HTMLInputElement>(`input[name="${name}"]`);
    const showError = (text: string) => {
      if (!error) return;
      error.textContent = text;
      error.hidden = !text;
    };
    let sending = false;
    async function send(): Promise<void> {
      if (sending || !box.value.trim()) return;
      sending = true;
      showError('');
      const body: Record<string, unknown> = { markup: box.value, keyEvent: !!flag('keyEvent')?.checked };
      if (flag('pinned')?.checked) body.pinned = true;
      try {
        const res = await fetch(compose!.dataset.api!, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': compose!.dataset.csrf ?? '' },
          body: JSON.stringify(body),
        });
        const answer = (await res.json().catch(() => ({}))) as { id?: number; detail?: string; title?: string };
        if (!res.ok) {
          showError(answer.detail ?? answer.title ?? 'تعذّر نشر المدخل');
          return;
        }
        box.value = '';
        for (const f of [flag('keyEvent'), flag('pinned')]) if (f) f.checked = false;
        if (answer.id) await showEntry(answer.id);
      } catch {
        showError('تعذّر الاتصال بالخادم، ولم يُنشر المدخل. أعد المحاولة.');
      } finally {
        sending = false;
        box.focus();
      }
    }
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void send();
      }
    });
  }

  follow(Number(list.dataset.lastEventId ?? '0'));
})();
