"""The Debian package (issue 14): `cpack -G DEB` in the build directory, as
`deploy/setup.sh package` runs it, then its control data and contents with
dpkg-deb, and the binary unpacked into a scratch root run with the packaged
configuration and unit file."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

BUILD_DIR = os.environ.get('SIGNALBOX_BUILD_DIR', '')
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))

EXPECTED_FILES = {
    './usr/bin/signalbox',
    './lib/systemd/system/signalbox.service',
    './etc/signalbox/node.conf',
    './lib/udev/rules.d/60-signalbox-gpio.rules',
    './usr/share/doc/signalbox/README.md',
}


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Not a skip: CTest sets the build directory, cmake brings cpack and
        # deploy/setup.sh installs dpkg-dev.
        for need in ['cpack', 'dpkg-deb', 'dpkg-shlibdeps', 'systemd-analyze']:
            assert shutil.which(need), f'{need} is missing'
        assert BUILD_DIR, 'SIGNALBOX_BUILD_DIR is not set'
        cls.out = tempfile.mkdtemp(prefix='signalbox-deb-')
        result = subprocess.run(['cpack', '-G', 'DEB', '-B', cls.out], cwd=BUILD_DIR,
                                capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise AssertionError(f'cpack failed:\n{result.stdout}\n{result.stderr}')
        debs = [f for f in os.listdir(cls.out) if f.endswith('.deb')]
        assert len(debs) == 1, debs
        cls.deb = os.path.join(cls.out, debs[0])
        cls.root = os.path.join(cls.out, 'root')
        subprocess.run(['dpkg-deb', '-x', cls.deb, cls.root], check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, True)

    def field(self, name):
        return subprocess.run(['dpkg-deb', '-f', self.deb, name], capture_output=True,
                              text=True, check=True).stdout.strip()

    def test_control_data(self):
        self.assertRegex(os.path.basename(self.deb), r'^signalbox_\d+\.\d+\.\d+_[a-z0-9]+\.deb$')
        self.assertEqual(self.field('Package'), 'signalbox')
        depends = self.field('Depends')
        # dpkg-shlibdeps found the libraries the node links.
        for pkg in ['adduser', 'libcaf-core0.17', 'libcaf-io0.17', 'libcaf-openssl0.17',
                    'liblmdb0', 'libgpiod2', 'libssl3', 'libcbor0.8']:
            self.assertRegex(depends, rf'(^|, ){re.escape(pkg)}\b', depends)
        info = subprocess.run(['dpkg-deb', '-I', self.deb], capture_output=True, text=True,
                              check=True).stdout
        for script in ['postinst', 'prerm', 'postrm', 'conffiles']:
            self.assertIn(f' {script}', info)
        conffiles = subprocess.run(['dpkg-deb', '--ctrl-tarfile', self.deb], capture_output=True,
                                   check=True).stdout
        with tempfile.TemporaryDirectory() as d:
            subprocess.run(['tar', '-x', '-C', d], input=conffiles, check=True)
            with open(os.path.join(d, 'conffiles')) as f:
                self.assertEqual(f.read().split(), ['/etc/signalbox/node.conf'])
            self.assertTrue(os.access(os.path.join(d, 'postinst'), os.X_OK))
            with open(os.path.join(d, 'postinst')) as f:
                postinst = f.read()
            self.assertIn('adduser --system --group', postinst)

    def test_contents(self):
        listing = subprocess.run(['dpkg-deb', '-c', self.deb], capture_output=True, text=True,
                                 check=True).stdout
        files = {line.split()[-1] for line in listing.splitlines() if not line.startswith('d')}
        self.assertEqual(files, EXPECTED_FILES)
        with open(os.path.join(self.root, 'etc/signalbox/node.conf')) as f, \
                open(os.path.join(REPO, 'config/default.conf')) as g:
            self.assertEqual(f.read(), g.read())

    def test_the_installed_binary_runs(self):
        binary = os.path.join(self.root, 'usr/bin/signalbox')
        help_text = subprocess.run([binary, '--help'], capture_output=True, text=True,
                                   timeout=30)
        self.assertEqual(help_text.returncode, 0, help_text.stderr)
        self.assertIn('--config-file', help_text.stdout + help_text.stderr)
        long_help = subprocess.run([binary, '--long-help'], capture_output=True, text=True,
                                   timeout=30)
        self.assertEqual(long_help.returncode, 0, long_help.stderr)
        self.assertIn('cluster.tls-cert', long_help.stdout + long_help.stderr)
        # With the packaged configuration (ports made ephemeral, the store in
        # a temporary directory): it starts and stops cleanly.
        with tempfile.TemporaryDirectory() as data:
            node = subprocess.Popen(
                [binary, f'--config-file={self.root}/etc/signalbox/node.conf',
                 f'--store.directory={data}/store', '--ttm.port=0', '--jmri.port=0',
                 '--jmri.tcp-port=0', '--socketio.port=0', '--rtoc.port=0', '--realdds.port=0',
                 '--realdds.enabled=false'],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                first = node.stdout.readline()
                self.assertRegex(first, r'^listening ttm 127\.0\.0\.1:\d+$')
                node.send_signal(signal.SIGTERM)
                self.assertEqual(node.wait(timeout=30), 0, node.stderr.read())
            finally:
                if node.poll() is None:
                    node.kill()
                    node.wait()
                node.stdout.close()
                node.stderr.close()

    def test_the_installed_unit_verifies(self):
        unit = os.path.join(self.root, 'lib/systemd/system/signalbox.service')
        with open(unit) as f:
            text = f.read()
        copy = os.path.join(self.out, 'signalbox.service')
        with open(copy, 'w') as f:
            f.write(text.replace('ExecStart=/usr/bin/signalbox ',
                                 f'ExecStart={self.root}/usr/bin/signalbox '))
        result = subprocess.run(['systemd-analyze', 'verify', copy], capture_output=True,
                                text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout + result.stderr, '')


if __name__ == '__main__':
    unittest.main()
