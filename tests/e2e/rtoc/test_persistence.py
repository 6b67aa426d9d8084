"""What was acknowledged is there after a restart and after kill -9; ids
survive; the RAM ring is bounded and the store keeps the rest."""

import tempfile
import unittest

from rtoc_client import RtocClient, run, start_node


async def ready(port):
    c = await RtocClient.connect(port)
    await c.reply()
    await c.reply()
    return c


class PersistenceTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def node(self, *args):
        return start_node(self, '--rtoc.mirror=false', *args, directory=self.tmp.name)

    def test_restart_and_kill_9_keep_acknowledged_data(self):
        first = self.node()

        async def write(port):
            c = await ready(port)
            await c.request({'x': [1, 2], 'y': [10, 20], 'sname': ['S', 'S'],
                             'dname': 'D', 'unit': ['V', 'V']})
            await c.request({'event': ['e', 'S', 'D', 3]})
            await c.close()
        run(write(first.rtoc_port))
        self.assertEqual(first.stop(), 0)
        second = self.node()

        async def more(port):
            c = await ready(port)
            reply, _ = await c.request({'getSignal': ['D.S']})
            self.assertEqual(reply['signals']['D.S'], [[1.0, 2.0], [10.0, 20.0], 'V', 1, 1.0, 2.0])
            # Acknowledged, then killed at once.
            reply, _ = await c.request({'x': [3], 'y': [30], 'sname': 'S', 'dname': 'D'})
            self.assertTrue(reply['sent'])
        run(more(second.rtoc_port))
        second.kill()
        third = self.node()

        async def check(port):
            c = await ready(port)
            reply, _ = await c.request({'getLatest': True, 'getEventList': True,
                                        'getSignalList': True})
            self.assertEqual(reply['latest']['D.S'][:2], [3.0, 30.0])
            self.assertEqual(reply['events']['1'][:4], ['D', 'S', 1, 'e'])
            self.assertEqual(reply['signalList'], [['D', 'S']])
            # Ids survive: a new signal takes the next one.
            reply, pushes = await c.request({'y': [1], 'sname': 'T', 'dname': 'D'})
            self.assertEqual(pushes[0]['signal']['id'], 2)
            reply, _ = await c.request({'getSession': True})
            self.assertEqual(reply['session']['devices'], {'1': 'D'})
            await c.close()
        run(check(third.rtoc_port))

    def test_record_length_bounds_ram_and_database_reads_the_rest(self):
        node = self.node('--rtoc.record-length=3')

        async def flow():
            c = await ready(node.rtoc_port)
            await c.request({'x': list(range(10)), 'y': list(range(100, 110)),
                             'sname': ['S'] * 10, 'dname': 'D'})
            reply, _ = await c.request({'getSignal': ['D.S']})
            self.assertEqual(reply['signals']['D.S'][0], [7.0, 8.0, 9.0])
            self.assertEqual(reply['signals']['D.S'][4:], [0.0, 9.0])
            reply, _ = await c.request({'getSignal': {'dname': 'D', 'sname': 'S',
                                                      'database': True, 'xmin': 1,
                                                      'xmax': 5}})
            self.assertEqual(reply['signals']['D.S'][0], [2.0, 3.0, 4.0, 5.0])
            reply, _ = await c.request({'getSignal': {'dname': 'D', 'sname': 'S',
                                                      'database': True, 'maxN': 5}})
            self.assertEqual(reply['signals']['D.S'][0], [0.0, 2.0, 4.0, 6.0, 8.0])
            await c.close()
        run(flow())


if __name__ == '__main__':
    unittest.main()
