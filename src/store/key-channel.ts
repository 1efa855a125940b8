/** Tells the other tabs of a vault that its keys or level changed. */
export interface KeyChannel {
  post(): void;
  close(): void;
}

/**
 * A BroadcastChannel per vault name (absent: a no-op). Tabs that hear a change reload their
 * keys, so after a rotation or migration they seal with the new generation at once.
 */
export function keyChannel(vault: string, onChange: () => void): KeyChannel {
  if (typeof BroadcastChannel === 'undefined') return { post() {}, close() {} };
  const channel = new BroadcastChannel(`offline-vault/${vault}/keys`);
  channel.onmessage = () => onChange();
  return {
    post: () => channel.postMessage('keys-changed'),
    close: () => channel.close(),
  };
}
