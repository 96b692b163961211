"""Issue 12, "`make run` runs the whole product": the Procfile that `make run` starts runs the
server, the task worker and the decisions worker side by side, and one Ctrl-C stops both, leaving no process
behind."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_server_and_the_worker_start_together_and_stop_on_one_ctrl_c(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = {
        **os.environ,
        "FOLKMOOT_DATA_DIR": str(data),
        "FOLKMOOT_HOST": "127.0.0.1",
        "FOLKMOOT_PORT": str(free_port()),
        "DJANGO_SETTINGS_MODULE": "folkmoot.config.settings.dev",
    }
    env.pop("DATABASE_URL", None)  # the embedded database, as on a newcomer's machine
    folkmoot = str(Path(sys.executable).parent / "folkmoot")
    subprocess.run([folkmoot, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([folkmoot, "createcachetable"], env=env, check=True)
    runner = subprocess.Popen(
        [str(Path(sys.executable).parent / "honcho"), "--procfile", "Procfile.dev", "start"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: the test can tell whether anything is left
    )
    url = f"http://127.0.0.1:{env['FOLKMOOT_PORT']}/healthz/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                assert runner.poll() is None, "the runner stopped early"
                time.sleep(0.5)
        os.killpg(runner.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's group
        output, _ = runner.communicate(timeout=30)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
    text = output.decode(errors="replace")
    assert "votes=" in text  # the worker made its first pass
    assert "tasks.1 started" in text and "tasks.1 stopped" in text  # django.tasks (issue 12)
    time.sleep(0.5)
    left = subprocess.run(
        ["pgrep", "-g", str(runner.pid)], capture_output=True, text=True, check=False
    )
    assert left.stdout.strip() == "", f"processes left behind: {left.stdout}"
