// The live coverage page, enhanced: the server-rendered page is complete without this script;
// it keeps the first page current. Events come from the SSE stream (docs/live.md, "wire
// contract"), or from polling the updates URL while the stream is unavailable. A classic
// deferred script: no imports or exports, so it is not a module.
(function () {
  interface EntryData {
    id: number;
    createdAt: string;
    editedAt: string | null;
    keyEvent: boolean;
    pinned: boolean;
  }
  type LiveEventData =
    | { eventId: number; type: 'entry.created' | 'entry.updated'; entry: EntryData; html: string }
    | { eventId: number; type: 'entry.deleted'; entryId: number }
    | { eventId: number; type: 'coverage.ended'; endedAt: string };
  interface Updates {
    coverage: { status: string };
    resync: boolean;
    events: LiveEventData[];
    more: boolean;
  }
  interface HlsPlayer {
    loadSource(url: string): void;
    attachMedia(video: HTMLVideoElement): void;
    startLoad(): void;
  }
  interface HlsClass {
    new (config: Record<string, unknown>): HlsPlayer;
    isSupported(): boolean;
  }

  const POLL_MS = 5000;
  const SSE_RETRY_MS = 30000;

  setUpVideos();

  const stream = document.querySelector<HTMLElement>('.live-stream');
  const list = stream?.querySelector<HTMLElement>('.live-entries');
  const eventsUrl = stream?.dataset.eventsUrl;
  const updatesUrl = stream?.dataset.updatesUrl;
  if (!stream || !list || !eventsUrl || !updatesUrl || stream.dataset.status !== 'live') return;
  const pinnedBox = stream.querySelector<HTMLElement>('.live-pinned');

  let lastEventId = Number(stream.dataset.lastEventId) || 0;
  let source: EventSource | null = null;
  let pollTimer: number | undefined;
  let polling = false;
  let sseTimer: number | undefined;
  let stopped = false;
  /** New entries held back while the reader is further down the page. */
  let held: HTMLElement[] = [];

  // The banner sits in a zero-height sticky bar, so showing it moves nothing on the page.
  const bar = document.createElement('div');
  bar.className = 'live-new-bar';
  bar.setAttribute('aria-live', 'polite');
  const banner = document.createElement('button');
  banner.type = 'button';
  banner.className = 'live-new';
  banner.hidden = true;
  bar.append(banner);
  stream.insertBefore(bar, stream.firstChild);
  banner.addEventListener('click', () => {
    showHeld();
    stream.scrollIntoView({ block: 'start' });
  });
  // Scrolling back up to the stream shows what was held without a click.
  window.addEventListener('scroll', () => held.length > 0 && !readingBelow() && showHeld(), { passive: true });

  connect();

  // ---- applying events ----

  function apply(data: LiveEventData): void {
    if (stopped || data.eventId <= lastEventId) return; // already seen (a replay or a second source)
    if (data.eventId !== lastEventId + 1) return resync(); // never expected: the page would miss a change
    lastEventId = data.eventId;
    stream!.dataset.lastEventId = String(lastEventId);
    if (data.type === 'entry.deleted') removeEntry(data.entryId);
    else if (data.type === 'coverage.ended') ended(data.endedAt);
    else if (data.type === 'entry.created') created(data.entry, toElement(data.html));
    else if (data.type === 'entry.updated') updated(data.entry, toElement(data.html));
  }

  function created(entry: EntryData, el: HTMLElement): void {
    stream!.querySelector('.live-empty')?.remove();
    if (entry.pinned && pinnedBox) placeSorted(pinnedBox, el);
    else if (readingBelow()) {
      held.push(el);
      updateBanner();
    } else {
      fresh(el);
      list!.prepend(el);
    }
    keyEvent(entry, el);
  }

  function updated(entry: EntryData, el: HTMLElement): void {
    const i = held.findIndex((h) => h.id === el.id);
    if (i >= 0) {
      held[i] = el;
    } else {
      const old = document.getElementById(el.id);
      const box = entry.pinned && pinnedBox ? pinnedBox : list!;
      if (old && old.parentElement === box) old.replaceWith(el);
      else {
        old?.remove();
        // An unpinned entry goes back to its place, when that place is on this page.
        if (old || entry.pinned) placeSorted(box, el);
      }
    }
    keyEvent(entry, el);
  }

  function removeEntry(id: number): void {
    held = held.filter((h) => h.id !== `entry-${id}`);
    updateBanner();
    document.getElementById(`entry-${id}`)?.remove();
    keyItem(id)?.remove();
  }

  function ended(endedAt: string): void {
    stop();
    stream!.dataset.status = 'ended';
    const status = document.querySelector<HTMLElement>('.live-status');
    if (!status) return;
    const zone = status.dataset.timeZone || 'UTC';
    const time = document.createElement('time');
    time.dateTime = new Date(endedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
    time.textContent = `${newsTime(endedAt, zone)} ${status.dataset.city ?? ''}`.trim();
    const span = document.createElement('span');
    span.className = 'live-ended';
    span.append('انتهت التغطية ', time);
    status.replaceChildren(span);
  }

  /** The position is one the server cannot continue from: the page itself is reloaded. */
  function resync(): void {
    stop();
    location.reload();
  }

  // ---- the page's parts ----

  function toElement(html: string): HTMLElement {
    const t = document.createElement('template');
    t.innerHTML = html.trim();
    return t.content.firstElementChild as HTMLElement;
  }

  /** Into a newest-first list by entry id; at the end only if nothing older is on another page. */
  function placeSorted(box: HTMLElement, el: HTMLElement): void {
    const id = Number(el.dataset.entryId);
    const next = Array.from(box.children).find((c) => Number((c as HTMLElement).dataset.entryId) < id);
    if (next) box.insertBefore(el, next);
    else if (box !== list || !document.querySelector('.pager .older')) box.append(el);
  }

  function fresh(el: HTMLElement): void {
    el.classList.add('live-fresh');
    setTimeout(() => el.classList.remove('live-fresh'), 4000);
  }

  /** The reader has scrolled past the top of the stream: inserting there would move the text. */
  function readingBelow(): boolean {
    return list!.getBoundingClientRect().top < 0;
  }

  function showHeld(): void {
    // Oldest first, each on top: the newest ends up first.
    for (const el of held) {
      fresh(el);
      list!.prepend(el);
    }
    held = [];
    updateBanner();
  }

  function updateBanner(): void {
    banner.hidden = held.length === 0;
    banner.textContent = updatesText(held.length);
  }

  /** Arabic counted noun: 1 and 2 take their own forms, 3–10 the plural, 11 and up the singular accusative. */
  function updatesText(n: number): string {
    if (n === 1) return 'تحديث جديد';
    if (n === 2) return 'تحديثان جديدان';
    if (n <= 10) return `${n} تحديثات جديدة`;
    return `${n} تحديثًا جديدًا`;
  }

  function keyItem(id: number): HTMLElement | null {
    return document.querySelector<HTMLElement>(`.live-key-events li[data-entry-id="${id}"]`);
  }

  /** Keeps the key-events box in step with the entry's flag. */
  function keyEvent(entry: EntryData, el: HTMLElement): void {
    const old = keyItem(entry.id);
    if (!entry.keyEvent) {
      old?.remove();
      return;
    }
    const li = document.createElement('li');
    li.dataset.entryId = String(entry.id);
    const a = document.createElement('a');
    a.href = `#entry-${entry.id}`;
    const time = el.querySelector('.live-entry-meta time');
    const text = document.createElement('span');
    text.textContent = headline(el.querySelector('.live-entry-body')?.textContent ?? '');
    if (time) a.append(time.cloneNode(true), ' ');
    a.append(text);
    li.append(a);
    if (old) old.replaceWith(li);
    else placeSorted(keyList(), li);
  }

  function keyList(): HTMLElement {
    const existing = document.querySelector<HTMLElement>('.live-key-events ol');
    if (existing) return existing;
    const nav = document.createElement('nav');
    nav.className = 'live-key-events';
    nav.setAttribute('aria-labelledby', 'live-key-title');
    const h = document.createElement('h2');
    h.id = 'live-key-title';
    h.textContent = 'أبرز الأحداث';
    const ol = document.createElement('ol');
    nav.append(h, ol);
    stream!.before(nav);
    return ol;
  }

  /** The same short title the server gives key events: the first sentence, or 80 characters. */
  function headline(raw: string): string {
    const text = raw.replace(/\s+/g, ' ').trim();
    const sentence = /^.+?[.!?؟۔](?=\s|$)/u.exec(text)?.[0] ?? text;
    if (sentence.length <= 80) return sentence;
    const cut = sentence.slice(0, 80);
    const space = cut.lastIndexOf(' ');
    return `${(space > 40 ? cut.slice(0, space) : cut).trimEnd()}…`;
  }

  /** `2021.06.28 | 17:39` in the coverage's zone, Western digits: the site's time line. */
  function newsTime(iso: string, zone: string): string {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(new Date(iso));
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return `${get('year')}.${get('month')}.${get('day')} | ${get('hour')}:${get('minute')}`;
  }

  // ---- transport: SSE, polling while SSE is unavailable ----

  function connect(): void {
    if (stopped) return;
    const es = new EventSource(`${eventsUrl}?after=${lastEventId}`);
    source = es;
    es.addEventListener('open', () => {
      stopPolling();
      clearTimeout(sseTimer);
    });
    es.addEventListener('live', (e) => apply(JSON.parse((e as MessageEvent<string>).data) as LiveEventData));
    es.addEventListener('resync', resync);
    // The server is going away or lost its Redis link: poll, and try the stream again later.
    es.addEventListener('retry', fallBack);
    // A network error leaves it CONNECTING: EventSource reconnects by itself, sending
    // Last-Event-ID. CLOSED means it gave up (a 503 or 404 answer): poll instead.
    es.addEventListener('error', () => es.readyState === EventSource.CLOSED && fallBack());
  }

  function fallBack(): void {
    source?.close();
    source = null;
    if (stopped) return;
    startPolling();
    clearTimeout(sseTimer);
    sseTimer = setTimeout(connect, SSE_RETRY_MS);
  }

  function startPolling(): void {
    if (polling) return;
    polling = true;
    void poll();
  }

  function stopPolling(): void {
    polling = false;
    clearTimeout(pollTimer);
  }

  async function poll(): Promise<void> {
    let delay = POLL_MS;
    try {
      // no-cache: the browser revalidates (If-None-Match, a 304 when nothing changed) instead of
      // reusing the answer its stale-while-revalidate would otherwise keep serving for 30 s.
      const res = await fetch(`${updatesUrl}?after=${lastEventId}`, { headers: { accept: 'application/json' }, cache: 'no-cache' });
      if (res.ok) {
        const body = (await res.json()) as Updates;
        if (body.resync) return resync();
        for (const e of body.events) apply(e);
        if (body.more) delay = 0;
        // Ended, yet no coverage.ended among the events: the page itself knows the end time.
        else if (body.coverage.status === 'ended' && !stopped) return resync();
      }
    } catch {
      // Offline for a moment: the next round tries again.
    }
    if (polling && !stopped) pollTimer = setTimeout(poll, delay);
  }

  function stop(): void {
    stopped = true;
    source?.close();
    source = null;
    stopPolling();
    clearTimeout(sseTimer);
  }

  // ---- video ----

  /** Native HLS where the browser has it (Safari); hls.js, loaded only then, everywhere else. */
  function setUpVideos(): void {
    for (const video of Array.from(document.querySelectorAll<HTMLVideoElement>('video[data-hls]'))) {
      const url = video.dataset.hls!;
      if (video.canPlayType('application/vnd.apple.mpegurl')) {
        video.src = url;
        continue;
      }
      const script = document.createElement('script');
      script.src = video.dataset.hlsScript!;
      script.addEventListener('load', () => {
        const Hls = (window as unknown as { Hls?: HlsClass }).Hls;
        if (!Hls?.isSupported()) return;
        // No worker (the CSP allows no blob: scripts); segments load only once the reader plays.
        const hls = new Hls({ enableWorker: false, autoStartLoad: false });
        hls.loadSource(url);
        hls.attachMedia(video);
        video.addEventListener('play', () => hls.startLoad(), { once: true });
      });
      document.head.append(script);
    }
  }
})();
