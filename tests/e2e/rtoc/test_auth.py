"""RTOC's password: authorize with base64(sha256), the AES layer both ways
for peers outside the whitelist, wrong passwords and early requests."""

import unittest

from rtoc_client import (RtocClient, aes_key, decrypt, encrypt, password_hash,
                         run, start_node)


class VectorTest(unittest.TestCase):
    """The client's own AES against RTOC's RTWebsocket.py vectors."""

    def test_vectors(self):
        h = password_hash('geheim')
        self.assertEqual(h, 'rdsPXngmyFfXN20b2bwzwMVEeQourJYUSoryKxKYyUA=')
        key = aes_key(h)
        self.assertEqual(decrypt(key, 'AqA9v8IMAWYhQ4fDc/p5IZJwel6zGhGtQGeR3rKqKSM='),
                         '{"Wow":true}')
        self.assertEqual(
            encrypt(key, '{"authorize": "rdsPXngmyFfXN20b2bwzwMVEeQourJYUSoryKxKYyUA="}',
                    iv=bytes(range(16))),
            'AAECAwQFBgcICQoLDA0OD5+4hTJ75R+zKdZHN9tYUAsB7MoekjInMCZMozfpx/E65i3Ut4BlqC82D3vHTjyjxRuHF0tFZaE4dn1UHwWDQOk=')


class EncryptedTest(unittest.TestCase):
    def setUp(self):
        # An empty whitelist: loopback peers encrypt like remote ones.
        self.node = start_node(self, '--rtoc.password=geheim', '--rtoc.host-whitelist=[]',
                               '--rtoc.mirror=false')

    def test_encrypted_both_ways(self):
        async def flow():
            c = await RtocClient.connect(self.node.rtoc_port, 'geheim', encrypt_frames=True)
            self.assertEqual(await c.recv(), {'authorized': True})
            self.assertEqual(await c.recv(), {'error': False})
            # Every frame from the node was AES (json.loads of a decrypted
            # frame worked); none is plain JSON.
            self.assertTrue(all(not f.startswith('{') for f in c.raw_frames))
            await c.request({'subscribe': ['signal', 'D.S']})
            reply, pushes = await c.request({'y': [1], 'sname': 'S', 'dname': 'D'})
            self.assertEqual(reply, {'error': False, 'sent': True})
            self.assertEqual(pushes[-1]['signal']['y'], [1])
            # A fresh IV for every frame: the same request, other bytes.
            await c.send({'getSignalList': True})
            await c.reply()
            await c.send({'getSignalList': True})
            await c.reply()
            self.assertNotEqual(c.raw_frames[-1], c.raw_frames[-2])
            self.assertEqual(decrypt(c.key, c.raw_frames[-1]),
                             decrypt(c.key, c.raw_frames[-2]))
            await c.close()
        run(flow())

    def test_plain_json_from_an_encrypting_peer_is_refused(self):
        async def flow():
            c = await RtocClient.connect(self.node.rtoc_port, authorize=False)
            await c.send_raw('{"authorize":"%s"}' % password_hash('geheim'))
            # Not decryptable, and not authorized: RTOC's send_json.
            key = aes_key(password_hash('geheim'))
            frame = await c.ws.recv()
            self.assertEqual(decrypt(key, frame), '{"authorized":false}')
            await c.close()
        run(flow())

    def test_wrong_password(self):
        async def flow():
            c = await RtocClient.connect(self.node.rtoc_port, 'wrong', encrypt_frames=True,
                                         authorize=False)
            # The node decrypts with its own key: the frame is garbage to it.
            c.key = aes_key(password_hash('geheim'))
            await c.send({'authorize': password_hash('wrong')})
            self.assertEqual(await c.recv(), {'authorized': False})
            self.assertEqual(await c.recv(), {'authorized': False})  # RTOC says it twice
            await c.close()
        run(flow())

    def test_request_before_authorize(self):
        async def flow():
            c = await RtocClient.connect(self.node.rtoc_port, 'geheim', encrypt_frames=True,
                                         authorize=False)
            await c.send({'getSignalList': True})
            self.assertEqual(await c.recv(), {'authorized': False})
            await c.send({'authorize': password_hash('geheim')})
            self.assertEqual(await c.recv(), {'authorized': True})
            self.assertEqual(await c.recv(), {'error': False})
            reply, _ = await c.request({'getSignalList': True})
            self.assertEqual(reply, {'error': False, 'signalList': []})
            await c.close()
        run(flow())


class WhitelistedTest(unittest.TestCase):
    def test_whitelisted_peer_talks_plain_but_must_authorize(self):
        node = start_node(self, '--rtoc.password=geheim', '--rtoc.mirror=false')

        async def flow():
            c = await RtocClient.connect(node.rtoc_port, authorize=False)
            await c.send({'getSignalList': True})
            self.assertEqual(await c.recv(), {'authorized': False})
            await c.send({'authorize': 'anything'})
            self.assertEqual(await c.recv(), {'authorized': True})
            self.assertEqual(await c.recv(), {'error': False})
            await c.close()
        run(flow())


if __name__ == '__main__':
    unittest.main()
