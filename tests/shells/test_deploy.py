"""The department's server as a service: deploy/xlgoals.service checked by systemd-analyze and its ExecStart run
as systemd would run it (its Environment, WorkingDirectory, User, a private /tmp, stopped by its KillSignal),
behind deploy/nginx-xlgoals.conf's HTTPS in a real nginx with a self-signed certificate.

This machine has no systemd as PID 1, so `systemctl start` cannot be exercised; what systemd would do for the
unit is done here by hand, from the unit's own lines, with two substitutions said where they are made: the
venv's xlgoals for /opt/xlgoals, and a free port for 8000.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openpyxl
import pytest

from tests.builders import remote_bas
from tests.builders.liveserver import free_port, upload
from tests.builders.paths import ROOT
from tests.builders.remote_bas import Desk
from xlgoals.shells import access
from xlgoals.shells.token import authorization

UNIT = ROOT / "deploy" / "xlgoals.service"
NGINX_SITE = ROOT / "deploy" / "nginx-xlgoals.conf"
XLGOALS = ROOT / ".venv" / "bin" / "xlgoals"
TOKEN = "service-token-5b8d1f3a9c2e"
WAIT = 60.0


def unit_settings(text: str) -> dict[str, list[str]]:
    """[Service] key -> values, in order (Environment= may repeat), as systemd reads the file."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
        elif section == "[Service]":
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


SERVICE = unit_settings(UNIT.read_text(encoding="utf-8"))


def installed_unit_text(port: int) -> str:
    """The unit as this machine would install it: the venv's xlgoals in place of /opt/xlgoals, a free port."""
    text = UNIT.read_text(encoding="utf-8").replace("/opt/xlgoals/bin/xlgoals", str(XLGOALS))
    return text.replace("--port 8000", f"--port {port}")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    unit = tmp_path / "xlgoals.service"
    unit.write_text(installed_unit_text(8000), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr.strip()) == (0, "")
    # The check can fail: a misspelt setting is reported (systemd ignores it, so only the message tells).
    (tmp_path / "bad").mkdir()
    bad = tmp_path / "bad" / "xlgoals.service"
    bad.write_text(unit.read_text(encoding="utf-8").replace("KillSignal=SIGTERM", "KillSignal=SIGTERN"))
    done = subprocess.run(["systemd-analyze", "verify", str(bad)], capture_output=True, text=True, timeout=60)
    assert "SIGTERN" in done.stderr


def test_the_unit_says_what_the_readme_says() -> None:
    assert SERVICE["ExecStart"] == ["/opt/xlgoals/bin/xlgoals serve --host 127.0.0.1 --port 8000"]
    assert "XLGOALS_TOKEN_FILE=/etc/xlgoals/token" in SERVICE["Environment"]
    assert SERVICE["User"] == ["xlgoals"] and SERVICE["PrivateTmp"] == ["yes"]
    assert SERVICE["KillSignal"] == ["SIGTERM"]


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    origin: str
    state: Path
    private_tmp: Path
    output: Path


def _as_service_user() -> tuple[list[str], int | None]:
    """What User=xlgoals does, with the unprivileged user this machine has (nobody), when run as root and when
    that user can run this venv's Python and start its worker processes (a venv made from a Python under
    /root, as on the development machines, cannot be: then it runs as the current user, and says so)."""
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--init-groups", "--no-new-privs", "--"]
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return [], None
    probe = "import subprocess, sys; subprocess.run([sys.executable, '-c', '0'], check=True)"
    if subprocess.run([*prefix, str(XLGOALS.with_name("python")), "-c", probe], capture_output=True).returncode:
        print("User= not emulated: the unprivileged user cannot run this venv's interpreter")
        return [], None
    return prefix, 65534


@pytest.fixture(scope="module")
def service() -> Iterator[Running]:
    port = free_port()
    prefix, uid = _as_service_user()
    base = Path(tempfile.mkdtemp(prefix="xlgoals-service-"))
    base.chmod(0o755)
    # StateDirectory=xlgoals / WorkingDirectory=/var/lib/xlgoals, owned by the service's user.
    state, private_tmp, etc = base / "state", base / "tmp", base / "etc"
    for folder in (state, private_tmp, etc):
        folder.mkdir()
        if uid is not None:
            os.chown(folder, uid, uid)
    state.chmod(0o750)
    private_tmp.chmod(0o700)  # PrivateTmp=yes: a /tmp of its own
    token_file = etc / "token"  # /etc/xlgoals/token, root:xlgoals 640
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    if uid is not None:
        os.chown(etc, 0, uid)
        os.chown(token_file, 0, uid)
    token_file.chmod(0o640)
    env = {
        # systemd's own environment for a system service, then the user's and the unit's.
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(state),
        "TMPDIR": str(private_tmp),
    }
    for assignment in SERVICE["Environment"]:
        key, _, value = assignment.partition("=")
        env[key] = str(token_file) if key == "XLGOALS_TOKEN_FILE" else value
    command = shlex.split(installed_unit_text(port).split("ExecStart=", 1)[1].splitlines()[0])
    output = base / "journal.log"
    with output.open("wb") as journal:
        proc = subprocess.Popen(
            prefix + command, cwd=state, env=env, stdout=journal, stderr=subprocess.STDOUT, start_new_session=True
        )
    origin = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + WAIT
    while True:
        assert proc.poll() is None, output.read_text(encoding="utf-8", errors="replace")
        try:
            if httpx.get(f"{origin}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the service did not answer"
        time.sleep(0.2)
    running = Running(proc, origin, state, private_tmp, output)
    try:
        yield running
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(WAIT)
        shutil.rmtree(base, ignore_errors=True)


def _desk(path: Path) -> Desk:
    return Desk(openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True), book_name=path.name)


def test_the_service_answers_with_its_token(service: Running, sample_xlsx: Path, vba_subs: set[str]) -> None:
    assert httpx.get(f"{service.origin}/taskpane.html").status_code == 200
    refused = remote_bas.run_server_python(
        _desk(sample_xlsx), f"{service.origin}/xlwings/vba/validate_all", vba_subs=vba_subs
    )
    assert (refused.status, refused.message_box) == (401, access.NO_TOKEN)
    answered = remote_bas.run_server_python(
        _desk(sample_xlsx), f"{service.origin}/xlwings/vba/validate_all", vba_subs=vba_subs, auth=authorization(TOKEN)
    )
    assert answered.status == 200 and answered.actions[-1]["func"] == "alert"
    assert upload(service.origin, sample_xlsx, authorization(TOKEN)).status_code == 200
    # Uploads are not kept: the private /tmp holds only multiprocessing's own folder (the worker pool's
    # socket), the state directory nothing.
    kept = [p.name for p in service.private_tmp.rglob("*") if not p.name.startswith(("pymp-", "listener-"))]
    assert kept == [] and list(service.state.iterdir()) == []


@pytest.fixture(scope="module")
def https(service: Running) -> Iterator[str]:
    nginx = shutil.which("nginx")
    if nginx is None or shutil.which("openssl") is None:
        pytest.skip("nginx or openssl is not installed")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="xlgoals-nginx-") as tmp:
        work = Path(tmp)
        cert, key = work / "server.crt", work / "server.key"
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"),
                *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        # The example's HTTPS server block as written, with this machine's certificate, ports and no port-80 block.
        site = NGINX_SITE.read_text(encoding="utf-8").split("server {\n    listen 80;")[0]
        site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
        site = site.replace("/etc/xlgoals/tls/server.crt", str(cert)).replace("/etc/xlgoals/tls/server.key", str(key))
        site = site.replace("http://127.0.0.1:8000", service.origin)
        (work / "nginx.conf").write_text(
            f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\nevents {{}}\nhttp {{\n"
            f"access_log {work}/access.log;\nclient_body_temp_path {work}/body;\nproxy_temp_path {work}/proxy;\n"
            f"fastcgi_temp_path {work}/f;\nuwsgi_temp_path {work}/u;\nscgi_temp_path {work}/s;\n{site}\n}}\n",
            encoding="utf-8",
        )
        proc = subprocess.Popen([nginx, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
        origin = f"https://127.0.0.1:{port}"
        deadline = time.monotonic() + WAIT
        while True:
            try:
                if httpx.get(f"{origin}/health", verify=str(cert), timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (work / "error.log").read_text()
            time.sleep(0.2)
        os.environ["SSL_CERT_FILE"] = str(cert)  # httpx in remote_bas trusts it, as a unit's PC trusts the CA
        try:
            yield origin
        finally:
            del os.environ["SSL_CERT_FILE"]
            proc.terminate()
            proc.wait(WAIT)


def test_through_nginx_over_https(https: str, sample_xlsx: Path, vba_subs: set[str]) -> None:
    answered = remote_bas.run_server_python(
        _desk(sample_xlsx), f"{https}/xlwings/vba/validate_all", vba_subs=vba_subs, auth=authorization(TOKEN)
    )
    assert answered.status == 200 and answered.actions
    # The pane's calls carry the proxy's origin: accepted only because nginx passes Host and the scheme.
    headers = {"Origin": https, "Authorization": authorization(TOKEN), "Content-Type": "application/json"}
    same = httpx.post(f"{https}/xlwings/custom-scripts-call/validate_all", content=b"{}", headers=headers)
    assert same.status_code == 422  # past the origin and token checks; "{}" is not a workbook
    foreign = httpx.post(
        f"{https}/xlwings/custom-scripts-call/validate_all",
        content=b"{}",
        headers={**headers, "Origin": "https://a.example"},
    )
    assert foreign.status_code == 403
    page = httpx.get(f"{https}/taskpane.html").text
    assert 'src="/static/js/custom-scripts/index.js"' in page


def test_the_service_stops_on_its_kill_signal(service: Running) -> None:
    children = subprocess.run(["pgrep", "-P", str(service.proc.pid)], capture_output=True, text=True).stdout.split()
    kill_signal = getattr(signal, SERVICE["KillSignal"][0])
    os.kill(service.proc.pid, kill_signal)
    # uvicorn shuts down (requests in hand finished, the app's shutdown run), then re-raises the signal: systemd
    # counts death by SIGTERM as a clean stop of a service.
    assert service.proc.wait(float(SERVICE["TimeoutStopSec"][0])) in (0, -kill_signal)
    journal = service.output.read_text(encoding="utf-8", errors="replace")
    assert "Application shutdown complete." in journal
    # The worker pool's forkserver and resource tracker leave when their parent's pipe closes (and systemd's
    # KillMode=control-group would end any that stayed).
    deadline = time.monotonic() + 10
    while (alive := [pid for pid in children if Path(f"/proc/{pid}").exists()]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive == []
    assert TOKEN not in journal  # never logged
