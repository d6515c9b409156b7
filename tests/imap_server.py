"""A real IMAP server for the bounce tests: Debian's Dovecot, configured in
a temporary folder (one passwd-file user, Maildir storage, no TLS, 127.0.0.1
on a free port), run in the foreground as a child process and stopped at the
end. Run as root, Dovecot's own unprivileged users own the folder."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from processes import stop_process
from tooling import dovecot

USER, PASSWORD = "bounces", "bounce-box-password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(folder: Path, port: int, internal: str, login: str, uid: int, gid: int, capabilities: str | None) -> str:
    advertised = f"imap_capability = {capabilities}\n" if capabilities else ""
    return advertised + f"""
base_dir = {folder}/run
state_dir = {folder}/state
instance_name = sotong-test-{port}
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
mail_location = maildir:{folder}/mail/%u
mail_fsync = never
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = {internal}
default_internal_group = {internal}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    """``with Dovecot() as server:`` — server.port, server.append(bytes),
    server.messages(folder). ``capabilities``: what it says it can do after
    login, instead of all it can (e.g. without MOVE)."""

    def __init__(self, capabilities: str | None = None):
        self.capabilities = capabilities
        self.binary = dovecot()
        self.folder = Path(tempfile.mkdtemp(prefix="sotong-dovecot-"))
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        me = pwd.getpwuid(os.getuid())
        if os.getuid() == 0:  # Dovecot runs no mail or login process as root
            owner, internal, login = pwd.getpwnam("dovecot"), "dovecot", "dovenull"
        else:
            owner, internal, login = me, me.pw_name, me.pw_name
        (self.folder / "mail").mkdir()
        (self.folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (self.folder / "dovecot.conf").write_text(
            _config(self.folder, self.port, internal, login, owner.pw_uid, owner.pw_gid, self.capabilities))
        for path in (self.folder, *self.folder.rglob("*")):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        self.process = subprocess.Popen([self.binary, "-F", "-c", str(self.folder / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.connect().logout()
                return self
            except (OSError, imaplib.IMAP4.error):
                if self.process.poll() is not None:
                    raise RuntimeError(f"dovecot stopped: {self.process.stderr.read().decode()} {self.log()}")
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer on port {self.port}: {self.log()}")

    def __exit__(self, *exc):
        stop_process(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(USER, PASSWORD)
        return imap

    def append(self, *mails: bytes, flags: str | None = None) -> None:
        imap = self.connect()
        for mail in mails:
            status, data = imap.append("INBOX", flags, None, mail)
            assert status == "OK", data
        imap.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The mails in ``folder`` (its whole text each); [] when it does not exist."""
        imap = self.connect()
        try:
            status, _ = imap.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _, found = imap.uid("SEARCH", None, "ALL")
            mails = []
            for uid in found[0].split():
                _, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                mails.append(data[0][1])
            return mails
        finally:
            imap.logout()
