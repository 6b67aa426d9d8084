"""RTOC's remote client flow against a node: authorize, RTRemote's four
requests, streaming data, subscriptions, and every push and reply in the
order RTOC sends them."""

import unittest

from rtoc_client import RtocClient, run, start_node


class FlowTest(unittest.TestCase):
    def setUp(self):
        self.node = start_node(self, '--rtoc.mirror=false')

    def test_remote_client_flow(self):
        async def flow():
            c = await RtocClient.connect(self.node.rtoc_port)
            self.assertEqual(await c.recv(), {'authorized': True})
            self.assertEqual(await c.recv(), {'error': False})
            plugins, logger, signals, events = await c.init_like_rtremote()
            self.assertEqual(plugins, {'error': False, 'pluginList': {}})
            self.assertEqual(logger['logger']['info']['config']['global']['recordLength'],
                             500000)
            self.assertEqual(signals, {'error': False, 'signalList': []})
            self.assertEqual(events, {'error': False, 'events': {}})
            # A subscription may name a signal that does not exist yet.
            self.assertEqual(await c.request({'subscribe': ['signal', 'Test.T1']}),
                             ({'error': False}, []))
            # The seed's example: 4 signals with one sample each.
            reply, pushes = await c.request({'x': [0, 1, 2, 3], 'y': [1, 2, 3, 4],
                                             'dname': 'Test',
                                             'sname': ['T1', 'T2', 'T3', 'T4']})
            self.assertEqual(reply, {'error': False, 'sent': True})
            new = [{'signal': {'x': [], 'y': [], 'unit': None, 'dname': 'Test',
                               'sname': f'T{i}', 'id': i}} for i in range(1, 5)]
            sample = {'signal': {'x': [0], 'y': [1], 'unit': '', 'dname': 'Test',
                                 'sname': 'T1', 'id': 1}}
            # New signals first, then the subscribed sample, then the reply.
            self.assertEqual(pushes, new + [sample])
            reply, _ = await c.request({'getSignalList': True})
            self.assertEqual(reply['signalList'],
                             [['Test', 'T1'], ['Test', 'T2'], ['Test', 'T3'], ['Test', 'T4']])
            reply, _ = await c.request({'getSignal': ['Test.T1', 'Test.nope']})
            self.assertEqual(reply['signals'], {'Test.T1': [[0.0], [1.0], '', 1, 0.0, 0.0]})
            reply, _ = await c.request({'getLatest': True})
            self.assertEqual(reply['latest']['Test.T4'], [3.0, 4.0, '', 4, 3.0, 3.0])
            await c.close()
        run(flow())

    def test_omitted_x_is_one_server_time_and_pushes_reach_others(self):
        async def flow():
            writer = await RtocClient.connect(self.node.rtoc_port)
            watcher = await RtocClient.connect(self.node.rtoc_port)
            for c in (writer, watcher):
                await c.reply()
                await c.reply()
            await watcher.request({'subscribeAll': 'signal'})
            reply, pushes = await writer.request({'y': [5, 6], 'sname': ['a', 'b'],
                                                  'dname': 'D', 'unit': 'V'})
            self.assertEqual(reply, {'error': False, 'sent': True})
            seen = []
            while len([p for p in seen if p['signal']['x']]) < 2:
                seen.append(await watcher.recv())
            samples = [p['signal'] for p in seen if p['signal']['x']]
            self.assertEqual([s['y'] for s in samples], [[5], [6]])
            self.assertEqual(samples[0]['x'], samples[1]['x'])  # one timestamp
            self.assertIsInstance(samples[0]['x'][0], float)
            self.assertEqual([s['unit'] for s in samples], ['V', ''])
            await writer.close()
            await watcher.close()
        run(flow())

    def test_events_and_session(self):
        async def flow():
            c = await RtocClient.connect(self.node.rtoc_port)
            await c.reply()
            await c.reply()
            reply, pushes = await c.request({'event': ['hot', 'T1', 'Test', 5, 2]})
            self.assertEqual(reply, {'error': False})
            self.assertEqual(pushes[-1]['event']['text'], 'hot')
            self.assertEqual(pushes[-1]['event']['priority'], 2)
            self.assertEqual(len(pushes[-1]['event']['id']), 40)  # sha1 hex
            reply, _ = await c.request({'event': {'text': 'd', 'sname': 'T1', 'dname': 'Test'}})
            reply, _ = await c.request({'getEventList': True})
            self.assertEqual(sorted(reply['events']), ['1', '2'])
            self.assertEqual(reply['events']['1'][:5], ['Test', 'T1', 1, 'hot', 5.0])
            reply, _ = await c.request({'getSession': True})
            self.assertEqual(reply['session'], reply['getSession'])
            self.assertEqual(reply['session']['devices'], {'1': 'Test'})
            self.assertEqual(reply['session']['signals']['1'][:2], [1, 'T1'])
            reply, _ = await c.request({'remove': [['Test.T1'], []]})
            self.assertEqual(reply['remove'], [1, 0])
            reply, _ = await c.request({'plugin': {'X': {'start': True}},
                                        'userAction': 'go', 'automation': {}})
            self.assertEqual(reply['plugin'], {'X': {'start': [False, "PLUGIN not found: 'X'\n"]}})
            self.assertFalse(reply['userAction']['success'])
            await c.close()
        run(flow())


if __name__ == '__main__':
    unittest.main()
