"""An RTOC client that behaves like RTOC's own RTWebsocketClient and RTRemote,
and the helpers the RTOC end-to-end tests share: a signalbox node started on
ephemeral ports in a temporary directory, and a self-signed certificate.

The client is written against RTOC's protocol (docs/rtoc.md), on Debian's
python3-websockets and python3-pycryptodome: an implementation of the AES
layer of its own, not the node's OpenSSL code.
"""

import asyncio
import base64
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.request

import websockets

try:  # Debian's python3-pycryptodome
    from Cryptodome.Cipher import AES
    from Cryptodome.Random import get_random_bytes
except ImportError:  # pip's pycryptodome
    from Crypto.Cipher import AES
    from Crypto.Random import get_random_bytes

TIMEOUT = 10  # seconds for any single answer

HERE = os.path.dirname(os.path.abspath(__file__))
SIGNALBOX_BIN = os.environ.get(
    'SIGNALBOX_BIN', os.path.join(HERE, '..', '..', '..', 'build', 'signalbox'))

LISTENING = re.compile(r'^listening (\S+) 127\.0\.0\.1:(\d+)$')


# -- RTOC's crypto, as RTWebsocket.py does it -----------------------------------

def password_hash(password):
    """base64(sha256(password)): what `authorize` carries."""
    return base64.b64encode(hashlib.sha256(password.encode()).digest()).decode()


def aes_key(hash_text):
    return hash_text[:16].encode()


def encrypt(key, text, iv=None):
    iv = iv if iv is not None else get_random_bytes(16)
    data = text.encode()
    pad = 16 - len(data) % 16
    data += bytes([pad]) * pad
    return base64.b64encode(iv + AES.new(key, AES.MODE_CBC, iv).encrypt(data)).decode()


def decrypt(key, wire):
    raw = base64.b64decode(wire)
    plain = AES.new(key, AES.MODE_CBC, raw[:16]).decrypt(raw[16:])
    return plain[:-plain[-1]].decode()


# -- the client -----------------------------------------------------------------

class RtocClient:
    """One websocket connection. Frames are dicts; replies carry "error" or
    "authorized", pushes carry neither (RTOC matches by key only)."""

    def __init__(self, ws, key=None):
        self.ws = ws
        self.key = key  # set: AES both ways
        self.raw_frames = []  # every frame as it came over the wire

    @classmethod
    async def connect(cls, port, password=None, encrypt_frames=False,
                      tls=False, authorize=True):
        scheme = 'wss' if tls else 'ws'
        ctx = None
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE  # RTWebsocketClient: CERT_NONE
        ws = await websockets.connect(f'{scheme}://127.0.0.1:{port}/', ssl=ctx,
                                      max_size=None)
        key = aes_key(password_hash(password)) if password and encrypt_frames else None
        client = cls(ws, key)
        if authorize:
            # RTWebsocketClient.handle_open: the hash, or true without one.
            await client.send({'authorize': password_hash(password) if password else True})
        return client

    async def send(self, msg):
        text = json.dumps(msg)
        await self.ws.send(encrypt(self.key, text) if self.key else text)

    async def send_raw(self, text):
        await self.ws.send(text)

    async def recv(self, timeout=TIMEOUT):
        frame = await asyncio.wait_for(self.ws.recv(), timeout)
        self.raw_frames.append(frame)
        text = decrypt(self.key, frame) if self.key else frame
        return json.loads(text)

    async def reply(self, timeout=TIMEOUT):
        """The next reply, collecting the pushes that come before it."""
        pushes = []
        while True:
            msg = await self.recv(timeout)
            if 'error' in msg or 'authorized' in msg:
                return msg, pushes
            pushes.append(msg)

    async def request(self, msg):
        await self.send(msg)
        return await self.reply()

    async def init_like_rtremote(self):
        """RTRemote.initAfterConnection's four requests, one frame each."""
        answers = []
        for msg in ({'getPluginList': True}, {'logger': {'info': True}},
                    {'getSignalList': True}, {'getEventList': 10}):
            answers.append((await self.request(msg))[0])
        return answers

    async def close(self):
        await self.ws.close()


def run(coro):
    return asyncio.run(coro)


# -- the node -------------------------------------------------------------------

class Node:
    """The real binary on ephemeral ports, in a temporary directory that is
    its working directory and holds its store."""

    def __init__(self, *args, directory=None):
        self.owns_dir = directory is None
        self.dir = directory or tempfile.mkdtemp(prefix='signalbox-rtoc-')
        self.args = list(args)
        self.proc = None
        self.ports = {}

    def start(self):
        cmd = [SIGNALBOX_BIN, '--ttm.port=0', '--jmri.port=0', '--jmri.tcp-port=0',
               '--socketio.port=0', '--rtoc.port=0', '--realdds.port=0',
               # realdds: a DDS domain and topic root of this test process.
               f'--realdds.domain={1 + os.getpid() % 200}',
               f'--realdds.topic-root=signalbox/e2e-rtoc-{os.getpid()}',
               f'--store.directory={os.path.join(self.dir, "data")}', *self.args]
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        # stdout is read by a thread: a pipe read through Python's buffered
        # file object cannot be waited for with select.
        lines = queue.Queue()

        def read_lines(stream):
            for line in stream:
                lines.put(line)
            lines.put(None)
        threading.Thread(target=read_lines, args=(self.proc.stdout,), daemon=True).start()
        self.ports = {}
        deadline = time.monotonic() + 20
        while 'rtoc' not in self.ports:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                line = None
            if line is None:
                self.kill()
                raise RuntimeError('the node did not say "listening rtoc"; stderr:\n'
                                   + self.proc.stderr.read())
            m = LISTENING.match(line.strip())
            if m:
                self.ports[m.group(1)] = int(m.group(2))
        return self

    @property
    def rtoc_port(self):
        return self.ports['rtoc']

    def rest(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f'http://127.0.0.1:{self.ports["ttm"]}{path}',
                                     data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=TIMEOUT) as res:
            return res.status, json.loads(res.read() or b'null')

    def stop(self):
        """SIGTERM; the exit status."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            return self.proc.wait(timeout=30)
        return self.proc.returncode if self.proc else None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def cleanup(self):
        self.kill()
        if self.proc:
            self.proc.stderr.close()
        if self.owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def start_node(test, *args, directory=None):
    """A started node that the test case stops and removes afterwards, also
    when it fails."""
    node = Node(*args, directory=directory)
    test.addCleanup(node.cleanup)
    return node.start()


def self_signed_certificate(directory):
    """A certificate and key made for this test run (openssl CLI)."""
    cert = os.path.join(directory, 'cert.pem')
    key = os.path.join(directory, 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
                    '-subj', '/CN=localhost', '-days', '1', '-keyout', key,
                    '-out', cert], check=True, capture_output=True)
    return cert, key
