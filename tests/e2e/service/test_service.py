"""The node under systemd (issue 14, "Service and package"): the unit file
passes `systemd-analyze verify`, and the node speaks sd_notify(3) to a
NOTIFY_SOCKET made by the test the way systemd makes one: READY=1 once every
listener is bound, WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1 when the
orderly shutdown begins, in that order; a failed start says why and is never
READY. Stdlib only: Debian's python3 runs it."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

SIGNALBOX_BIN = os.environ.get('SIGNALBOX_BIN', 'signalbox')
HERE = os.path.dirname(os.path.abspath(__file__))
UNIT = os.path.join(HERE, '..', '..', '..', 'deploy', 'systemd', 'signalbox.service')

EPHEMERAL = ['--ttm.port=0', '--jmri.port=0', '--jmri.tcp-port=0', '--socketio.port=0',
             '--rtoc.port=0', '--realdds.port=0', '--realdds.enabled=false']


def read_file(path):
    with open(path) as f:
        return f.read()


class NotifyListener:
    """A unix datagram socket standing in for systemd's notify socket."""

    def __init__(self, directory):
        self.path = os.path.join(directory, 'notify')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.received = []  # (monotonic seconds, datagram text)

    def next(self, timeout):
        """The next datagram, or None after `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        item = (time.monotonic(), data.decode())
        self.received.append(item)
        return item

    def wait_for(self, pattern, timeout):
        """Datagrams until one matching `pattern` (a regex); fails after
        `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f'no datagram matching {pattern!r} within {timeout} s; got {self.texts()}')
            item = self.next(left)
            if item and re.search(pattern, item[1], re.M):
                return item

    def texts(self):
        return [text for _, text in self.received]

    def close(self):
        self.sock.close()


class Node:
    def __init__(self, test, directory, env, *args, stderr=subprocess.PIPE):
        self.proc = subprocess.Popen(
            [SIGNALBOX_BIN, *EPHEMERAL, f'--store.directory={directory}/store', *args],
            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=stderr, text=True)
        test.addCleanup(self.kill)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        if self.proc.stderr:
            self.proc.stderr.close()

    def port_of(self, service):
        """The port of the `listening <service>` line (read up to it)."""
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f'no "listening {service}" line')
            if line.startswith(f'listening {service} '):
                return int(line.strip().rsplit(':', 1)[1])

    def wait(self, timeout=30):
        return self.proc.wait(timeout=timeout)


class ServiceTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='signalbox-service-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.notify = NotifyListener(self.tmp)
        self.addCleanup(self.notify.close)

    def start(self, *args, watchdog_usec=None, watchdog_pid=None):
        env = {'NOTIFY_SOCKET': self.notify.path}
        if watchdog_usec is not None:
            env['WATCHDOG_USEC'] = str(watchdog_usec)
        if watchdog_pid is not None:
            env['WATCHDOG_PID'] = str(watchdog_pid)
        return Node(self, self.tmp, env, *args)

    def test_ready_watchdog_stopping_in_order(self):
        timeout_usec = 400000  # pings every 200 ms
        node = self.start(watchdog_usec=timeout_usec)
        ready_at, ready = self.notify.wait_for(r'^READY=1$', 30)
        self.assertIn('STATUS=serving', ready)
        # Every listener was bound before READY: its line is out and it
        # answers at once.
        lines = []
        while not any(line.startswith('listening cluster') or line.startswith('listening rtoc') for line in lines):
            lines.append(node.proc.stdout.readline().strip())
        ttm = next(line for line in lines if line.startswith('listening ttm '))
        port = int(ttm.rsplit(':', 1)[1])
        with urllib.request.urlopen(f'http://127.0.0.1:{port}/api/values', timeout=5) as reply:
            self.assertEqual(reply.status, 200)
        # Watchdog pings, about every half of the timeout.
        pings = [self.notify.wait_for(r'^WATCHDOG=1$', 5)[0] for _ in range(5)]
        gaps = sorted(b - a for a, b in zip(pings, pings[1:]))
        median = gaps[len(gaps) // 2]
        self.assertGreater(median, 0.05, f'gaps {gaps}')
        self.assertLess(median, timeout_usec / 1e6 * 0.8, f'gaps {gaps}')
        node.proc.send_signal(signal.SIGTERM)
        _, stopping = self.notify.wait_for(r'^STOPPING=1$', 30)
        self.assertIn('STATUS=stopping', stopping)
        self.assertEqual(node.wait(), 0, node.proc.stderr.read())
        texts = self.notify.texts()
        kinds = [t.split('\n')[0] for t in texts]
        first_ready = kinds.index('READY=1')
        first_stop = kinds.index('STOPPING=1')
        self.assertEqual(kinds.count('READY=1'), 1, texts)
        self.assertTrue(all(k == 'WATCHDOG=1' for k in kinds[first_ready + 1:first_stop]), texts)
        self.assertTrue(all(k == 'WATCHDOG=1' for k in kinds[:first_ready]) and first_ready == 0, texts)
        self.assertLess(ready_at, pings[0])

    def test_no_pings_for_another_process(self):
        # WATCHDOG_PID names the process the watchdog is for; not this one.
        node = self.start(watchdog_usec=200000, watchdog_pid=1)
        self.notify.wait_for(r'^READY=1$', 30)
        # Five timeouts' worth of pings would have come by now.
        self.assertIsNone(self.notify.next(1.0), self.notify.texts())
        node.proc.send_signal(signal.SIGTERM)
        self.notify.wait_for(r'^STOPPING=1$', 30)
        self.assertEqual(node.wait(), 0)

    def test_a_failed_start_says_why_and_is_never_ready(self):
        busy = socket.socket()
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        self.addCleanup(busy.close)
        node = self.start(f'--ttm.port={busy.getsockname()[1]}')
        self.assertEqual(node.wait(), 2)
        texts = []
        while (item := self.notify.next(0.2)) is not None:
            texts.append(item[1])
        self.assertEqual(len(texts), 1, texts)
        self.assertRegex(texts[0], r'^STATUS=cannot start: .+')
        self.assertNotIn('READY=1', texts[0])

    def test_log_level_and_journal_priorities(self):
        # b dials a: each logs "cluster: linked with ..." at info. a runs at
        # log.level=warning; b at the default (info), its stderr standing in
        # for the journal stream (JOURNAL_STREAM names its device and inode).
        cluster = ['--cluster.enabled=true', '--cluster.port=0', '--cluster.heartbeat=200ms']
        a_err = open(os.path.join(self.tmp, 'a.err'), 'w+')
        self.addCleanup(a_err.close)
        a = Node(self, os.path.join(self.tmp, 'a'), {}, *cluster, '--cluster.name=a',
                 '--log.level=warning', stderr=a_err)
        a_port = a.port_of('cluster')
        b_err = open(os.path.join(self.tmp, 'b.err'), 'w+')
        self.addCleanup(b_err.close)
        st = os.fstat(b_err.fileno())
        b = Node(self, os.path.join(self.tmp, 'b'), {'JOURNAL_STREAM': f'{st.st_dev}:{st.st_ino}'},
                 *cluster, '--cluster.name=b', f'--cluster.peers=["127.0.0.1:{a_port}"]', stderr=b_err)
        b.port_of('cluster')
        deadline = time.monotonic() + 20
        while 'linked with a' not in read_file(b_err.name):
            self.assertLess(time.monotonic(), deadline, read_file(b_err.name))
            time.sleep(0.05)
        # Both are linked now (b logs once a's hello answer arrived, a took
        # b's hello before answering it): stop both and read their lines.
        for n in (a, b):
            n.proc.send_signal(signal.SIGTERM)
            self.assertEqual(n.wait(), 0)
        b_lines = read_file(b_err.name).splitlines()
        self.assertIn(f'<6>signalbox: cluster: linked with a at 127.0.0.1:{a_port}', b_lines)
        self.assertTrue(all(re.match(r'^<[3467]>signalbox: ', line) for line in b_lines if line.startswith('<') or 'signalbox:' in line), b_lines)
        a_text = read_file(a_err.name)
        self.assertNotIn('linked with', a_text)
        self.assertNotIn('<6>', a_text)

    def test_a_bad_log_level_is_refused(self):
        result = subprocess.run([SIGNALBOX_BIN, *EPHEMERAL, f'--store.directory={self.tmp}/store',
                                 '--log.level=loud'], capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 2)
        self.assertIn('log.level must be error, warning, info or debug, not "loud"', result.stderr)

    def test_the_unit_file_verifies(self):
        with open(UNIT) as f:
            unit = f.read()
        for line in ['Type=notify', 'WatchdogSec=', 'NoNewPrivileges=yes', 'ProtectSystem=strict',
                     'PrivateTmp=yes', 'StateDirectory=signalbox', 'User=signalbox',
                     'ExecStart=/usr/bin/signalbox ']:
            self.assertIn(line, unit)
        # verify checks that ExecStart's binary exists: point it at ours.
        copy = os.path.join(self.tmp, 'signalbox.service')
        with open(copy, 'w') as f:
            f.write(unit.replace('ExecStart=/usr/bin/signalbox ',
                                 f'ExecStart={os.path.abspath(SIGNALBOX_BIN)} '))
        result = subprocess.run(['systemd-analyze', 'verify', copy], capture_output=True, text=True)
        # Warnings (an unknown key, a bad value) leave the exit status 0:
        # any output at all fails the test.
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout + result.stderr, '')


if __name__ == '__main__':
    unittest.main()
