import type { Vault } from 'offline-vault';
import { h } from './dom.js';

/**
 * The thumbnail of a photo: `<img src=vault.files.url(id)>`, which the service worker answers by
 * decrypting the file from IndexedDB, also offline. If that fails because the contents were never
 * downloaded (lazy file sync) or no worker controls the page yet, the vault reads the file itself
 * (downloading it when online) and the image shows a Blob URL of it instead. `revision` > 0 makes
 * the URL new after the photo was replaced (the page would reuse the decoded old image otherwise).
 */
export function photoThumbnail(vault: Vault, photoId: string, alt: string, revision = 0): HTMLImageElement {
  const src = revision === 0 ? vault.files.url(photoId) : `${vault.files.url(photoId)}?r=${revision}`;
  const img = h('img', { class: 'thumb', src, alt, loading: 'lazy', decoding: 'async', width: 56, height: 56 });
  img.addEventListener(
    'error',
    () => {
      void vault.files.get(photoId).then(
        (blob) => {
          if (blob === undefined) return markMissing(img);
          const url = URL.createObjectURL(blob);
          img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
          img.src = url;
        },
        () => markMissing(img),
      );
    },
    { once: true },
  );
  return img;
}

function markMissing(img: HTMLImageElement): void {
  img.classList.add('thumb-missing');
  img.title = 'Photo not on this device yet';
}

/** The slot of an order without a photo, so the rows stay aligned. */
export function noPhoto(): HTMLElement {
  return h('span', { class: 'thumb thumb-empty', 'aria-hidden': 'true' });
}
