// Cache Storage scanner, run inside the page with page.evaluate(scanCaches, canaries). Like
// e2e/store/scan-origin.ts it must stay self-contained: Playwright sends only the function's source.

/** What Cache Storage of the origin holds, and where canaries were seen in it. */
export interface CacheScan {
  caches: string[];
  /** Every cached request URL. */
  urls: string[];
  bytes: number;
  /** Distinct canaries seen (in a URL, a header or a body). */
  found: string[];
  /** `<cache> <url>` for each entry with a hit. */
  hits: string[];
}

/**
 * Reads every entry of every cache (URL, response headers, body) and looks for each canary in the
 * body decoded as UTF-8 and as UTF-16LE at both byte alignments.
 */
export async function scanCaches(canaries: string[]): Promise<CacheScan> {
  const result: CacheScan = { caches: [], urls: [], bytes: 0, found: [], hits: [] };
  const found = new Set<string>();
  const texts = (bytes: Uint8Array): string[] => [
    new TextDecoder('utf-8').decode(bytes),
    new TextDecoder('utf-16le').decode(bytes),
    new TextDecoder('utf-16le').decode(bytes.subarray(1)),
  ];
  for (const name of await caches.keys()) {
    result.caches.push(name);
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      result.urls.push(request.url);
      const response = await cache.match(request);
      const bytes = new Uint8Array(response === undefined ? new ArrayBuffer(0) : await response.arrayBuffer());
      result.bytes += bytes.length;
      const headerText = response === undefined ? '' : [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
      const haystacks = [request.url, headerText, ...texts(bytes)];
      let hit = false;
      for (const canary of canaries) {
        if (haystacks.some((text) => text.includes(canary))) {
          found.add(canary);
          hit = true;
        }
      }
      if (hit) result.hits.push(`${name} ${request.url}`);
    }
  }
  result.found = [...found].sort();
  return result;
}
