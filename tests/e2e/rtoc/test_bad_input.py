"""Bad input gets RTOC's error shape on the same connection, and the node
and its data stay."""

import asyncio
import json
import unittest
import urllib.error
import urllib.request

import websockets

from rtoc_client import RtocClient, run, start_node


class BadInputTest(unittest.TestCase):
    def setUp(self):
        self.node = start_node(self, '--rtoc.mirror=false',
                               '--rtoc.max-frame-bytes=2048')

    def test_errors_keep_the_connection(self):
        async def flow():
            c = await RtocClient.connect(self.node.rtoc_port)
            await c.reply()
            await c.reply()
            await c.request({'y': [1], 'sname': 'S', 'dname': 'D'})
            for raw in ('not json', '[1,2]', '{}', '{"y":{"a":1}}', '{"y":[1,"a"]}',
                        '{"y":[1,2],"x":[1]}', '{"getSignal":5}', '{"event":"x"}'):
                await c.send_raw(raw)
                self.assertEqual(await c.recv(), {'error': True}, raw)
            await c.ws.send(b'\x00binary')
            self.assertEqual(await c.recv(), {'error': True})
            # NaN and Infinity are numbers, as Python sends them.
            await c.send_raw('{"y":[NaN,Infinity],"sname":["n","i"],"dname":"D"}')
            reply, _ = await c.reply()
            self.assertEqual(reply, {'error': False, 'sent': True})
            # The data from before is still there.
            reply, _ = await c.request({'getSignal': ['D.S']})
            self.assertEqual(reply['signals']['D.S'][1], [1.0])
            await c.close()
        run(flow())

    def test_plain_http_is_told_to_upgrade(self):
        # Any path is the websocket, as in RTOC; a browser gets 426 and why.
        for path in ('/', '/anything'):
            with self.assertRaises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(
                    f'http://127.0.0.1:{self.node.rtoc_port}{path}', timeout=10)
            res = caught.exception
            self.assertEqual(res.code, 426, path)
            self.assertEqual(res.headers['Upgrade'], 'websocket')
            self.assertEqual(json.loads(res.read()),
                             {'error': 'this is an RTOC websocket server; '
                                       'connect with a WebSocket client'})

    def test_oversized_frame_closes_with_1009(self):
        async def flow():
            c = await RtocClient.connect(self.node.rtoc_port)
            await c.reply()
            await c.reply()
            await c.send_raw('{"y":[' + ','.join(['1'] * 2000) + ']}')
            with self.assertRaises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(c.ws.recv(), 10)
            self.assertEqual(closed.exception.code, 1009)
            other = await RtocClient.connect(self.node.rtoc_port)
            self.assertEqual(await other.recv(), {'authorized': True})
            await other.close()
        run(flow())


if __name__ == '__main__':
    unittest.main()
