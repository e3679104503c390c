// A classic script loaded in <head> without defer: it must set data-fs before the body is
// painted, so a remembered size applies with no reflow. No imports or exports: not a module.
(function () {
  const KEY = 'nashra.fs';
  const MIN = 0;
  const MAX = 4;
  const root = document.documentElement;
  let size = 2;

  try {
    const saved = Number.parseInt(localStorage.getItem(KEY) ?? '', 10);
    if (Number.isFinite(saved)) size = Math.min(MAX, Math.max(MIN, saved));
  } catch {
    // Storage can be blocked (privacy modes); the default size still works.
  }
  // Also reveals the control: CSS shows .fontsize only under html[data-fs].
  root.dataset.fs = String(size);

  function bind(): void {
    const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>('.fontsize button[data-step]'));
    const update = (): void => {
      for (const b of buttons) {
        const atEnd = Number(b.dataset.step) > 0 ? size >= MAX : size <= MIN;
        // aria-disabled rather than disabled: a disabled button drops keyboard focus mid-use.
        b.setAttribute('aria-disabled', String(atEnd));
      }
    };
    for (const b of buttons) {
      b.addEventListener('click', () => {
        const next = Math.min(MAX, Math.max(MIN, size + Number(b.dataset.step)));
        if (next === size) return;
        size = next;
        root.dataset.fs = String(size);
        try {
          localStorage.setItem(KEY, String(size));
        } catch {
          // Not remembered, but the change still applies to this page.
        }
        update();
      });
    }
    update();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', bind);
  else bind();
})();
