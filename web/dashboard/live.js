// The node's ttmnotify WebSocket (ws://<this host>/, subprotocol ttmnotify):
// one JSON object with `cmd` per frame. It reconnects with a growing delay
// (0.5 s doubling to 10 s) after the node restarts or the network drops.
// Notifications missed while disconnected are not replayed, so every
// (re)connect calls onOpen, on which the sections reload their state.

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 10000;

/**
 * handlers: {onOpen(), onClose(), [cmd]: fn(message)}, for example
 * {gpioupdate: (m) => ...}. Returns nothing; it runs for the page's life.
 */
export function connectLive(handlers) {
  let delay = MIN_DELAY_MS;
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/`;

  function connect() {
    const ws = new WebSocket(url, 'ttmnotify');
    ws.addEventListener('open', () => {
      delay = MIN_DELAY_MS;
      handlers.onOpen?.();
    });
    ws.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // not ours to judge; the node only sends JSON
      }
      const handler = handlers[message.cmd];
      if (handler) handler(message);
    });
    ws.addEventListener('close', () => {
      handlers.onClose?.();
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    });
  }
  connect();
}
