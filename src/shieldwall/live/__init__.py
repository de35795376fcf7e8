"""The centre's live pipeline: members' telemetry in, alerts out, durably and per member.

A sensor's batch is read and normalised by the stages ``shieldwall scan`` uses and put on
the bus (:class:`IngestDesk`); detect workers match it with the same Sigma engine and
store alerts under idempotency keys the database enforces (:class:`DetectWorker`); fuse
workers group them into incidents, each hit once (:class:`FuseWorker`); people
read alerts through the gate (:class:`AlertDesk`): their own organisation's, or every
member's for the centre; threat levels (:class:`PostureDesk`) and the live stream of new
alerts and incidents (:class:`StreamDesk`) likewise. The rules the detect workers run are
managed, versioned, through :class:`RuleDesk` and picked up live by :class:`LiveRules`.
The runtime opens the bus and the store and hands them in.
"""

from shieldwall.live.alerts import AlertDesk, alert_json
from shieldwall.live.campaigns import CampaignDesk, campaign_json, release_json
from shieldwall.live.detect_worker import DetectWorker
from shieldwall.live.fuse_worker import FuseWorker
from shieldwall.live.incidents import IncidentDesk, IncidentView, change_json, incident_json
from shieldwall.live.indicator_alerts import SightingSink, WatchLookup
from shieldwall.live.intake import BusSource, IngestDesk, IngestReport
from shieldwall.live.limits import IngestLimits
from shieldwall.live.posture import PostureDesk, posture_json
from shieldwall.live.rule_sets import LiveRules
from shieldwall.live.rule_test import RuleTestReport, run_rule_test
from shieldwall.live.rules import RuleDesk, rule_json
from shieldwall.live.stream import Cursor, StreamDesk, StreamEvent, require_stream
from shieldwall.live.syslog_intake import SourceMap, SyslogCounts, SyslogIntake
from shieldwall.live.syslog_listener import SyslogListener, SyslogPorts
from shieldwall.live.wire import ALERTS_SUBJECT, EVENTS_SUBJECT, alerts_subject, events_subject

__all__ = [
    "ALERTS_SUBJECT",
    "EVENTS_SUBJECT",
    "AlertDesk",
    "BusSource",
    "CampaignDesk",
    "Cursor",
    "DetectWorker",
    "FuseWorker",
    "IncidentDesk",
    "IncidentView",
    "IngestDesk",
    "IngestLimits",
    "IngestReport",
    "LiveRules",
    "PostureDesk",
    "RuleDesk",
    "RuleTestReport",
    "SightingSink",
    "SourceMap",
    "StreamDesk",
    "StreamEvent",
    "SyslogCounts",
    "SyslogIntake",
    "SyslogListener",
    "SyslogPorts",
    "WatchLookup",
    "alert_json",
    "alerts_subject",
    "campaign_json",
    "change_json",
    "events_subject",
    "incident_json",
    "posture_json",
    "release_json",
    "require_stream",
    "rule_json",
    "run_rule_test",
]
