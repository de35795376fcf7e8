"""The Sigma rules the demo's centre runs: written for this project, one per behaviour.

A fresh machine has no SigmaHQ tree, so the demo ships the few rules its campaign needs.
They are behavioural (what the technique looks like), not indicators of this campaign: an
Office program starting a shell, an encoded PowerShell command line, LSASS dumped through
``comsvcs.dll``, a PsExec service, a download cradle. The indicators (the C2 domain and
address) reach the other members the way they would in real life: shared through the gate.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def rules_directory() -> Path:
    """Where the demo's rule files are on disk (inside the installed package)."""
    return Path(str(files(__name__)))
