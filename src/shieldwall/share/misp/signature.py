"""OpenPGP detached signatures on feed files, through GnuPG's ``gpgv`` and ``gpg`` (M1, M16).

Verification uses ``gpgv`` against a keyring the operator supplies: it trusts exactly the
keys in that file and nothing in any user's keyring. Signing uses ``gpg`` with a home
directory and key chosen by the operator. Both run without a shell, with fixed argument
lists, and a timeout. Shieldwall adds no PGP library: GnuPG is the reference
implementation and is present wherever MISP runs.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shieldwall.model.errors import ConfigError, IntegrityError

TIMEOUT_SECONDS = 30


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigError("misp.pgp", f"GnuPG's {name} is not installed")
    return found


@dataclass(frozen=True, slots=True)
class PgpVerifier:
    """Checks detached signatures against the keys of one keyring file."""

    keyring: Path

    def verify(self, data: bytes, signature: bytes, *, name: str) -> None:
        """Raise IntegrityError unless ``signature`` is a good signature of ``data``."""
        with tempfile.TemporaryDirectory(prefix="shieldwall-pgp-") as work:
            data_path, sig_path = Path(work) / "data", Path(work) / "data.asc"
            data_path.write_bytes(data)
            sig_path.write_bytes(signature)
            command = [
                _tool("gpgv"),
                "--keyring",
                str(self.keyring.resolve()),
                str(sig_path),
                str(data_path),
            ]
            done = subprocess.run(  # noqa: S603 - fixed argument list, no shell
                command,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
                env={"GNUPGHOME": work, "LC_ALL": "C"},
            )
        if done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise IntegrityError(f"{name}: bad PGP signature ({reason[-1] if reason else '?'})")


@dataclass(frozen=True, slots=True)
class PgpSigner:
    """Makes ASCII-armoured detached signatures with one key of a GnuPG home."""

    home: Path
    key_id: str

    def sign(self, data: bytes) -> bytes:
        """The armoured detached signature of ``data``."""
        command = [
            _tool("gpg"),
            "--homedir",
            str(self.home),
            "--batch",
            "--yes",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--local-user",
            self.key_id,
            "--armor",
            "--detach-sign",
            "--output",
            "-",
            "-",
        ]
        done = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            command, input=data, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
        )
        if done.returncode != 0:
            raise ConfigError("misp.pgp.key_id", done.stderr.decode("utf-8", "replace")[-300:])
        return done.stdout
