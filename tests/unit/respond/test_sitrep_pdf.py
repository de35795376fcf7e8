"""The PDF is made by a real engine (ReportLab) and read back by another (poppler):
pages turned into images with ``pdftoppm`` and into text with ``pdftotext``.

Poppler is Debian's ``poppler-utils`` (``.ci/run`` installs it); with CI=true a missing
``pdftoppm`` fails these tests instead of skipping them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from shieldwall.model.sharing import TlpLevel
from shieldwall.respond import SitrepDesk, SitrepFormat
from tests.conftest import require
from tests.unit.respond.sitrep_fakes import ADMIN, END, Intel, Live, alert, incident, indicator
from tests.unit.respond.sitrep_fakes import sources as make_sources

DPI = 60
A4_PIXELS = (round(595.28 * DPI / 72), round(841.89 * DPI / 72))


@pytest.fixture(scope="module")
def poppler() -> Path:
    """The directory holding pdftoppm and pdftotext."""
    found = shutil.which("pdftoppm")
    require(found is not None and shutil.which("pdftotext") is not None, "poppler-utils")
    assert found is not None
    return Path(found).parent


def busy_report(tmp_path: Path) -> Path:
    live = Live(
        incidents=[incident(n, "alpha", f"alpha incident number {n}") for n in range(1, 80)],
        alerts=[alert(n, "alpha", (f"T10{n % 7:02d}",)) for n in range(1, 40)],
    )
    intel = Intel({"alpha": [indicator("x", "shared-domain", TlpLevel.GREEN)]})
    made = SitrepDesk(make_sources(live, intel, wired=True), clock=lambda: END).render(
        ADMIN, "alpha", "2026-12-06", SitrepFormat.PDF
    )
    assert made.media_type == "application/pdf"
    assert made.data.startswith(b"%PDF-")
    path = tmp_path / made.filename
    path.write_bytes(made.data)
    return path


def pages_of(poppler: Path, pdf: Path, out: Path) -> list[Path]:
    subprocess.run(
        [str(poppler / "pdftoppm"), "-r", str(DPI), "-png", str(pdf), str(out / "page")],
        check=True,
        timeout=120,
    )
    return sorted(out.glob("page*.png"))


def test_pdf_pages_render_to_a4_images_with_content_and_the_tlp_label(
    poppler: Path, tmp_path: Path
) -> None:
    pages = pages_of(poppler, busy_report(tmp_path), tmp_path)
    assert 2 <= len(pages) <= 8, "50 incident rows and charts do not fit on one page"
    for page in pages:
        with Image.open(page) as image:
            rgb = image.convert("RGB")
            assert abs(rgb.width - A4_PIXELS[0]) <= 1 and abs(rgb.height - A4_PIXELS[1]) <= 1
            raw = rgb.tobytes()  # RGB triplets; stable across Pillow versions
            pixels = [tuple(raw[i : i + 3]) for i in range(0, len(raw), 3)]
        inked = sum(1 for pixel in pixels if pixel != (255, 255, 255))
        assert inked > len(pixels) // 100, f"{page.name} is (nearly) blank"
        red = sum(1 for r, g, b in pixels if r > 180 and g < 120 and b < 120)
        assert red > 20, f"{page.name} lacks the TLP label in FIRST's red"  # every page


def test_pdf_text_carries_marking_sections_and_not_available(poppler: Path, tmp_path: Path) -> None:
    pdf = busy_report(tmp_path)
    text = subprocess.run(
        [str(poppler / "pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "TLP:RED" in text  # the wired measure is RED, so the whole report is
    for heading in ("Threat level", "Incidents", "Campaigns", "Top ATT&CK techniques"):
        assert heading in text
    assert "alpha incident number 1" in text and "and 29 more" in text
    assert "shared-domain" in text
