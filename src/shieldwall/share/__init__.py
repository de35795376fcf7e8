"""Sharing intelligence under need-to-know: the store of STIX 2.1 objects, TAXII 2.1, MISP.

The front ends (``cli``, ``api``, ``web``) enter here and only here, through the names
below: each opens its own transaction and asks the sharing gate (:mod:`shieldwall.policy`)
for every object it reads, writes, exports or pushes, so no front end holds a transaction
or a sharing rule of its own. Inside, ``intel/`` keeps and serves the objects,
``taxii_server/`` and ``taxii_client/`` speak TAXII 2.1, and ``misp/`` reads and writes
MISP events and feeds.
"""

from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.desk import IntelDesk, PageRequest
from shieldwall.share.intel.export import Exported
from shieldwall.share.intel.person_files import Download, Upload
from shieldwall.share.intel.protective import ProtectiveTerm, protective_terms
from shieldwall.share.intel.query import Filters as SearchFilters
from shieldwall.share.intel.sighting_report import SightingReport
from shieldwall.share.intel.transfer import (
    ExportFormat,
    ExportResult,
    ImportOutcome,
    ImportRequest,
    export_intel,
    import_intel,
    list_intel,
)
from shieldwall.share.intel.validation_pool import ValidationPool
from shieldwall.share.intel.watch import WatchSet, changed_indicators, last_change
from shieldwall.share.intel.watch_read import watch_entries, watch_sets
from shieldwall.share.intel.watch_sighting import WatchSighting, report_watch_sighting
from shieldwall.share.misp.feed import export_feed as write_misp_feed
from shieldwall.share.taxii_client.partner_push import push_to_partner
from shieldwall.share.taxii_client.pull import PullReport
from shieldwall.share.taxii_client.push import PushReport
from shieldwall.share.taxii_server.cursor import cursor_codec
from shieldwall.share.taxii_server.measures import MeasureFeed
from shieldwall.share.taxii_server.objects import PageResult as TaxiiPage
from shieldwall.share.taxii_server.service import TaxiiServer

__all__ = [
    "Addressing",
    "Download",
    "ExportFormat",
    "ExportResult",
    "Exported",
    "ImportOutcome",
    "ImportRequest",
    "IntelDesk",
    "MeasureFeed",
    "PageRequest",
    "ProtectiveTerm",
    "PullReport",
    "PushReport",
    "SearchFilters",
    "SightingReport",
    "TaxiiPage",
    "TaxiiServer",
    "Upload",
    "ValidationPool",
    "WatchSet",
    "WatchSighting",
    "changed_indicators",
    "cursor_codec",
    "export_intel",
    "import_intel",
    "last_change",
    "list_intel",
    "protective_terms",
    "push_to_partner",
    "report_watch_sighting",
    "watch_entries",
    "watch_sets",
    "write_misp_feed",
]
