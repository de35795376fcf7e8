"""misp-stix (MISP's own converter) for the tests, imported without side effects.

misp-stix pulls in the STIX 1 stack, whose ``mixbox`` vendors an old ``six`` that puts an
import hook without ``find_spec`` on ``sys.meta_path``; under ``-W error`` every later
import in any thread would then fail on its ImportWarning. The hook is only needed for
``six.moves`` inside the STIX 1 code, which these tests never run, so it is taken off
again once the converter is loaded.
"""

from __future__ import annotations

import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from misp_stix_converter import MISPtoSTIX21Parser

sys.meta_path[:] = [
    finder for finder in sys.meta_path if type(finder).__name__ != "_SixMetaPathImporter"
]

__all__ = ["MISPtoSTIX21Parser"]
