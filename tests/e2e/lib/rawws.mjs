// A hand-made WebSocket client over a plain TCP socket, for the one thing a
// real client library cannot do: complete the handshake and then stop
// reading, so that the server's outbound queue for it fills up (the slow
// consumer). Afterwards it reads everything that is left and decodes the
// server's (unmasked) frames.

import crypto from 'node:crypto';
import net from 'node:net';

import { parseResponseHead } from './http.mjs';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Connects, sends the upgrade request and waits for the 101 answer, then
 * pauses the socket. Resolves with {socket, status, headers, pending} where
 * `pending` holds bytes that arrived after the response head.
 */
export function rawWsHandshake(port, { path = '/', protocol = 'ttmnotify', timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const key = crypto.randomBytes(16).toString('base64');
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw WebSocket handshake timed out'));
    }, timeoutMs);
    const onData = (d) => {
      data = Buffer.concat([data, d]);
      const head = parseResponseHead(data);
      if (!head) return;
      // Stop reading now: from here on the kernel buffers fill and then the
      // server's queue for this connection.
      socket.pause();
      socket.off('data', onData);
      clearTimeout(timer);
      const expected = crypto.createHash('sha1').update(key + WS_GUID).digest('base64');
      if (head.status !== 101 || head.headers['sec-websocket-accept'] !== expected) {
        socket.destroy();
        reject(new Error(`handshake failed: ${data.toString('latin1').slice(0, 300)}`));
        return;
      }
      resolve({ socket, status: head.status, headers: head.headers, pending: data.subarray(head.headLength) });
    };
    socket.on('data', onData);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('connect', () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
          (protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : '') +
          '\r\n',
      ),
    );
  });
}

/**
 * Decodes complete server frames from `buffer`: {frames, rest}. Each frame
 * is {opcode, fin, payload}. Server frames are never masked.
 */
export function decodeFrames(buffer) {
  const frames = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const b0 = buffer[offset];
    const b1 = buffer[offset + 1];
    let length = b1 & 0x7f;
    let headLength = 2;
    if (length === 126) {
      if (buffer.length - offset < 4) break;
      length = buffer.readUInt16BE(offset + 2);
      headLength = 4;
    } else if (length === 127) {
      if (buffer.length - offset < 10) break;
      length = Number(buffer.readBigUInt64BE(offset + 2));
      headLength = 10;
    }
    if (b1 & 0x80) headLength += 4; // a masked frame (not expected from a server)
    if (buffer.length - offset < headLength + length) break;
    let payload = buffer.subarray(offset + headLength, offset + headLength + length);
    if (b1 & 0x80) {
      const mask = buffer.subarray(offset + headLength - 4, offset + headLength);
      payload = Buffer.from(payload.map((x, i) => x ^ mask[i % 4]));
    }
    frames.push({ fin: Boolean(b0 & 0x80), opcode: b0 & 0x0f, payload });
    offset += headLength + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/**
 * Resumes a paused raw socket and reads until the server closes it (or
 * `timeoutMs` passes). Resolves with {ended, texts, close} where `texts` are
 * the complete text messages and `close` is {code, reason} of a close frame,
 * or null when the connection ended without one.
 */
export function readUntilEnd(socket, pending = Buffer.alloc(0), { timeoutMs = 15000 } = {}) {
  return new Promise((resolve) => {
    let data = pending;
    let done = false;
    const finish = (ended) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const { frames } = decodeFrames(data);
      const texts = [];
      let close = null;
      // Messages may be fragmented: a text frame without FIN, then
      // continuation frames (opcode 0) up to one with FIN. A message cut
      // off by the disconnect is not counted.
      let parts = null;
      for (const f of frames) {
        if (f.opcode === 0x1 || (f.opcode === 0x0 && parts)) {
          parts = [...(parts || []), f.payload];
          if (f.fin) {
            texts.push(Buffer.concat(parts).toString('utf8'));
            parts = null;
          }
        } else if (f.opcode === 0x8)
          close = {
            code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005,
            reason: f.payload.subarray(2).toString('utf8'),
          };
      }
      resolve({ ended, texts, close });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (d) => {
      data = Buffer.concat([data, d]);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.resume();
  });
}
