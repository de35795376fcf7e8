"""The SITREP desk: what the command line and the API ask for, one call per report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from shieldwall.model.audit import AuditRecord
from shieldwall.model.identity import Principal
from shieldwall.model.sharing import TlpLevel
from shieldwall.respond.reports.build import SitrepSources, build_sitrep
from shieldwall.respond.reports.content import Sitrep
from shieldwall.respond.reports.html import render_html
from shieldwall.respond.reports.period import period_of


class SitrepFormat(StrEnum):
    """How a SITREP is delivered."""

    HTML = "html"
    PDF = "pdf"


MEDIA_TYPES = {SitrepFormat.HTML: "text/html; charset=utf-8", SitrepFormat.PDF: "application/pdf"}


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """A rendered report, its media type, a file name and its marking."""

    data: bytes
    media_type: str
    filename: str
    marking: TlpLevel


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SitrepDesk:
    """Builds and renders SITREPs over the sources the runtime wired."""

    sources: SitrepSources
    clock: Callable[[], datetime] = field(default=_utc_now)

    def build(self, who: Principal, org_id: str, date: str | None = None) -> Sitrep:
        """The report's content; InputError for a bad date, NotFoundError for the org."""
        now = self.clock()
        return build_sitrep(self.sources, who, org_id, period_of(date, now), now)

    def render(
        self, who: Principal, org_id: str, date: str | None, format_: SitrepFormat
    ) -> RenderedReport:
        """The report in the format asked for."""
        report = self.build(who, org_id, date)
        if format_ is SitrepFormat.PDF:
            from shieldwall.respond.reports.pdf import render_pdf  # the engine loads on use

            data = render_pdf(report)
        else:
            data = render_html(report).encode("utf-8", "replace")  # a lone surrogate: "?"
        day = report.period.end.strftime("%Y%m%dT%H%MZ")
        name = f"sitrep-{report.org_id}-{day}.{format_.value}"
        self._record(who, report, format_)
        return RenderedReport(data, MEDIA_TYPES[format_], name, report.marking)

    def _record(self, who: Principal, report: Sitrep, format_: SitrepFormat) -> None:
        if self.sources.audit is None:
            return
        period = f"{report.period.start.isoformat()}/{report.period.end.isoformat()}"
        detail = f"{period} {format_.value} {report.marking.label}"
        self.sources.audit.record(
            AuditRecord(
                who.person_id,
                who.org_id,
                "report.sitrep",
                "organisation",
                report.org_id,
                detail=detail,
            )
        )
