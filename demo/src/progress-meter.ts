import { h } from './dom.js';

/** A labelled progress bar (role=progressbar with aria-valuenow / valuemax) and a count line. */
export interface ProgressMeter {
  readonly element: HTMLElement;
  /** Shows `done` of `total` with `label` ("Encrypting the database") and `unit` ("rows"). */
  show(label: string, done: number, total: number, unit: string): void;
  /** Shows a finished job's summary and leaves the bar full. */
  finish(text: string): void;
  hide(): void;
}

/** Creates a progress meter; `id` names its elements (`<id>`, `<id>-label`, `<id>-count`). */
export function createProgressMeter(id: string): ProgressMeter {
  const label = h('p', { class: 'job-label', id: `${id}-label` });
  const fill = h('span', { class: 'meter-fill' });
  const bar = h('div', { class: 'meter', id, role: 'progressbar', 'aria-labelledby': `${id}-label`, 'aria-valuemin': '0' }, fill);
  const count = h('p', { class: 'job-count', id: `${id}-count`, 'aria-live': 'polite' });
  const element = h('div', { class: 'job', hidden: true }, label, bar, count);

  const set = (done: number, total: number): void => {
    const max = Math.max(total, 1);
    const now = Math.min(done, max);
    bar.setAttribute('aria-valuemax', String(max));
    bar.setAttribute('aria-valuenow', String(now));
    fill.style.width = `${(100 * now) / max}%`;
  };

  return {
    element,
    show(text, done, total, unit) {
      element.hidden = false;
      element.classList.remove('is-done');
      label.textContent = text;
      set(done, total);
      const value = `${done.toLocaleString('en')} of ${total.toLocaleString('en')} ${unit}`;
      bar.setAttribute('aria-valuetext', value);
      count.textContent = `${value} · the app stays usable meanwhile`;
    },
    finish(text) {
      element.hidden = false;
      element.classList.add('is-done');
      const max = Number(bar.getAttribute('aria-valuemax') ?? '1');
      set(max, max);
      bar.setAttribute('aria-valuetext', text);
      count.textContent = text;
    },
    hide() {
      element.hidden = true;
    },
  };
}
