"""TLS on the RTOC port with a certificate made by the test (wss://)."""

import subprocess
import tempfile
import unittest

from rtoc_client import (SIGNALBOX_BIN, RtocClient, run, self_signed_certificate,
                         start_node)


class TlsTest(unittest.TestCase):
    def test_wss_with_a_self_signed_certificate(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        cert, key = self_signed_certificate(tmp.name)
        node = start_node(self, f'--rtoc.tls-cert={cert}', f'--rtoc.tls-key={key}',
                          '--rtoc.password=geheim', '--rtoc.mirror=false')

        async def flow():
            c = await RtocClient.connect(node.rtoc_port, 'geheim', tls=True)
            self.assertEqual(await c.recv(), {'authorized': True})
            self.assertEqual(await c.recv(), {'error': False})
            await c.request({'subscribe': ['signal', 'D.S']})
            reply, pushes = await c.request({'y': [2], 'sname': 'S', 'dname': 'D'})
            self.assertEqual(reply, {'error': False, 'sent': True})
            self.assertEqual(pushes[-1]['signal']['y'], [2])
            await c.close()
        run(flow())

    def test_a_plain_client_gets_no_websocket(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        cert, key = self_signed_certificate(tmp.name)
        node = start_node(self, f'--rtoc.tls-cert={cert}', f'--rtoc.tls-key={key}')

        async def flow():
            with self.assertRaises(Exception):
                await RtocClient.connect(node.rtoc_port)
        run(flow())

    def test_an_unusable_certificate_is_a_startup_error(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        _, key = self_signed_certificate(tmp.name)
        result = subprocess.run(
            [SIGNALBOX_BIN, '--ttm.port=0', '--jmri.enabled=false',
             '--socketio.enabled=false', '--rtoc.port=0',
             '--realdds.enabled=false',
             f'--store.directory={tmp.name}/data',
             f'--rtoc.tls-cert={tmp.name}/missing.pem', f'--rtoc.tls-key={key}'],
            cwd=tmp.name, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('missing.pem', result.stderr)
        self.assertNotIn('listening rtoc', result.stdout)


if __name__ == '__main__':
    unittest.main()
