"""A subprocess whose console output is collected line by line, for tests that wait for what a
board or server prints."""
import subprocess
import threading
import time


class ConsoleProcess:
    """Base for test helpers that run a program and watch its console (`lines`, `output`)."""

    proc = None
    name = 'process'
    wait_timeout = 15  # seconds wait_for waits by default

    def launch(self, cmd, cwd=None, env=None):
        """Start `cmd` with stdout and stderr collected into `lines`."""
        self.lines = []
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        threading.Thread(target=self._pump, daemon=True).start()
        return self

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip('\n'))

    @property
    def output(self):
        return '\n'.join(self.lines)

    def _seen(self, text, after):
        return any(text in line for line in self.lines[after:])

    def wait_for(self, text, timeout=None, after=0):
        """Wait until a line (from index `after` on) contains `text`; fail with the output if the
        process exits first or the time runs out."""
        timeout = timeout or self.wait_timeout
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._seen(text, after):
                return
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the pump drain
                if self._seen(text, after):
                    return
                raise AssertionError('%s exited (%s) before %r:\n%s'
                                     % (self.name, self.proc.returncode, text, self.output))
            time.sleep(0.05)
        raise AssertionError('no %r within %ss:\n%s' % (text, timeout, self.output))

    def stop(self):
        """Terminate the process (kill it if it does not stop within 10 s)."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
