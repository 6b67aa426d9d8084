"""rtoc.mirror: the node's GPIO lines, numeric values and jobs as RTOC
signals and events."""

import unittest

from rtoc_client import RtocClient, run, start_node


class MirrorTest(unittest.TestCase):
    def test_gpio_values_and_jobs(self):
        node = start_node(self)

        async def flow():
            c = await RtocClient.connect(node.rtoc_port)
            await c.reply()
            await c.reply()
            await c.request({'subscribe': ['signal', 'gpio.relay-a']})
            status, _ = node.rest('PUT', '/api/gpios/relay-a', {'value': 1})
            self.assertEqual(status, 200)
            while True:
                push = await c.recv()
                if push.get('signal', {}).get('sname') == 'relay-a' and push['signal']['x']:
                    break
            self.assertEqual(push['signal']['dname'], 'gpio')
            self.assertEqual(push['signal']['y'], [1])
            self.assertGreater(push['signal']['x'][0], 1.6e9)  # epoch seconds
            node.rest('PUT', '/api/values/temp', {'value': '21.5'})
            node.rest('POST', '/api/jobs/2/start')
            for _ in range(50):
                reply, _ = await c.request({'getLatest': True, 'getEventList': True})
                texts = [e[3] for e in reply['events'].values() if e[1] == 'hello']
                if 'values.temp' in reply['latest'] and 'exited' in texts:
                    break
            self.assertEqual(reply['latest']['values.temp'][1], 21.5)
            hello = [e for e in reply['events'].values() if e[1] == 'hello']
            self.assertEqual(hello[0][0], 'jobs')
            self.assertIn('exited', [e[3] for e in hello])
            await c.close()
        run(flow())


if __name__ == '__main__':
    unittest.main()
