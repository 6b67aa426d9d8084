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

    def test_a_jobs_events_are_bounded_by_mirror_events(self):
        node = start_node(self, '--rtoc.mirror-events=2')

        async def hello_events_after(c, runs):
            """Starts job 'hello' `runs` times, each after the last exited;
            answers the texts of the pushed events, in order."""
            texts = []
            for _ in range(runs):
                status, _ = node.rest('POST', '/api/jobs/2/start')
                self.assertEqual(status, 202)
                while True:
                    push = await c.recv()
                    event = push.get('event')
                    if event and event['sname'] == 'hello':
                        texts.append(event['text'])
                        if event['text'] == 'exited':
                            break
            return texts

        def kept(reply):
            return sorted(e[3] for e in reply['events'].values() if e[1] == 'hello')

        async def flow():
            c = await RtocClient.connect(node.rtoc_port)
            await c.reply()
            await c.reply()
            texts = await hello_events_after(c, 3)
            self.assertGreater(len(texts), 2)
            reply, _ = await c.request({'getEventList': True})
            self.assertEqual(kept(reply), sorted(texts[-2:]))
            await c.close()
            return texts
        texts = run(flow())

        # The removed events are gone from the store too: restarted without
        # the mirror (whose job events would make room again), the node
        # loads only the two kept.
        node.kill()
        node.args.append('--rtoc.mirror=false')
        node.start()

        async def after_restart():
            c = await RtocClient.connect(node.rtoc_port)
            await c.reply()
            await c.reply()
            reply, _ = await c.request({'getEventList': True})
            self.assertEqual(kept(reply), sorted(texts[-2:]))
            await c.close()
        run(after_restart())


if __name__ == '__main__':
    unittest.main()
