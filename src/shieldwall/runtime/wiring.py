"""The composition root for the service: settings in, a ready store (and key) out."""

from __future__ import annotations

from dataclasses import dataclass, field

from shieldwall.access import LoginThrottle, ThrottlePolicy
from shieldwall.config.settings import Settings
from shieldwall.live import (
    AlertDesk,
    CampaignDesk,
    IncidentDesk,
    IngestDesk,
    IngestLimits,
    PostureDesk,
    RuleDesk,
    StreamDesk,
)
from shieldwall.model.errors import ConfigError
from shieldwall.respond import (
    AssistanceFeed,
    AssistDesk,
    CaseDesk,
    EvidenceLimits,
    HandoverDesk,
    ItemDesk,
    MeasureDesk,
    NotificationDesk,
    PlaybookDesk,
    SitrepDesk,
    SlaPolicy,
)
from shieldwall.runtime.live import LiveBus, posture_desk
from shieldwall.runtime.measures import measure_desk
from shieldwall.runtime.playbook_respond import RespondDesks
from shieldwall.runtime.playbooks import playbook_desk, signature_policy
from shieldwall.runtime.reports import (
    IssuedMeasures,
    PostureHistory,
    StoreOrganisations,
    sitrep_desk,
)
from shieldwall.runtime.respond_sources import (
    PendingApprovals,
    PeriodRequests,
    WaitingRequests,
)
from shieldwall.share import ValidationPool
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer, load_or_create_signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore


@dataclass(frozen=True)
class Services:
    """What a Shieldwall process runs on."""

    settings: Settings
    store: SqlStore
    signer: Signer
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    """The login limits; the counts are in the store, shared by every replica."""
    validation: ValidationPool = field(default_factory=lambda: ValidationPool(0))
    """Where costly STIX writes are validated (:mod:`shieldwall.share.intel.validation_pool`)."""
    buses: LiveBus | None = None
    """The live pipeline's bus, one connection per event loop (:mod:`.live`)."""
    ingest_limits: IngestLimits = field(default_factory=IngestLimits)
    """Members' rates and the bound in flight, shared by every door in (HTTP, syslog)."""

    @property
    def ingest(self) -> IngestDesk:
        """Where members' telemetry enters the live pipeline."""
        if self.buses is None:
            raise ConfigError("bus_url", "this process was opened without a bus")
        return IngestDesk(self.buses, self.buses.events_subject, self.ingest_limits)

    @property
    def alerts(self) -> AlertDesk:
        """Alerts through the gate."""
        return AlertDesk(self.store)

    @property
    def campaigns(self) -> CampaignDesk:
        """Campaigns through the gate."""
        return CampaignDesk(self.store)

    @property
    def incidents(self) -> IncidentDesk:
        """Incidents through the gate."""
        return IncidentDesk(self.store)

    @property
    def posture(self) -> PostureDesk:
        """Threat levels and their history through the gate (recomputed on demand too)."""
        return posture_desk(self.settings, self.store)

    @property
    def stream(self) -> StreamDesk:
        """The live stream of new alerts and incidents, each through the gate."""
        return StreamDesk(self.store)

    @property
    def sitrep(self) -> SitrepDesk:
        """Daily situation reports, read as the recipient through the desks above."""
        live = (self.incidents, self.alerts, self.campaigns)
        return sitrep_desk(
            self.store,
            live,
            posture=PostureHistory(self.store),
            measures=IssuedMeasures(self.measures, StoreOrganisations(self.store)),
            assistance=PeriodRequests(self.assistance_feed),
        )

    @property
    def measures(self) -> MeasureDesk:
        """Protective measures: issued, subscribed, built per member through the gate."""
        return measure_desk(self.store, self.signer)

    @property
    def cases(self) -> CaseDesk:
        """Cases opened from incidents: status, assignment, shares (respond/cases)."""
        return CaseDesk(self.store, SlaPolicy(self.settings.case_sla_minutes))

    @property
    def case_items(self) -> ItemDesk:
        """Tasks, observables, comments and evidence of cases, each through the gate."""
        limits = EvidenceLimits(self.settings.case_evidence_max_bytes)
        return ItemDesk(self.store, limits)

    @property
    def handover(self) -> HandoverDesk:
        """Shift handover reports. The lead wires ``approvals`` (playbooks) and ``requests``
        (requests for assistance) here as :class:`~shieldwall.respond.HandoverSource`."""
        return HandoverDesk(
            self.store,
            approvals=PendingApprovals(self.playbooks),
            requests=WaitingRequests(self.assistance_feed),
        )

    @property
    def rules(self) -> RuleDesk:
        """The managed detection rules through the gate."""
        return RuleDesk(self.store)

    @property
    def notifications(self) -> NotificationDesk:
        """Notifications through the gate, and members' channels (respond/notify)."""
        return NotificationDesk(
            self.store, allow_plain_http=self.settings.notify.allow_private_addresses
        )

    @property
    def assistance(self) -> AssistDesk:
        """Requests for assistance through the gate (respond/assist)."""
        return AssistDesk(self.store)

    @property
    def assistance_feed(self) -> AssistanceFeed:
        """Requests for assistance for the shift handover and the situation report."""
        return AssistanceFeed(self.store)

    @property
    def playbooks(self) -> PlaybookDesk:
        """CACAO playbooks, their runs and approvals, through the gate (issue 11)."""
        desks = RespondDesks(
            self.measures, self.cases, self.case_items, self.notifications, self.assistance
        )
        settings = self.settings
        signing = signature_policy(
            settings.playbooks_require_signature, settings.playbooks_trusted_signers
        )
        return playbook_desk(
            self.store, settings.data_dir, settings.playbook_endpoints, desks, signing
        )

    def readiness_problem(self) -> str | None:
        """Why this process should not take requests yet, or None when it is ready."""
        if not self.store.ping():
            return "the database is not reachable"
        if migrate.current_revision(self.store.engine) != migrate.head_revision():
            return "the database schema is not up to date"
        return None

    @classmethod
    def of(cls, settings: Settings, store: SqlStore, signer: Signer) -> Services:
        """The services, with the login limits the settings give."""
        policy = ThrottlePolicy(
            per_account=settings.login_failures_per_account,
            per_address=settings.login_failures_per_address,
        )
        validation = ValidationPool(settings.validation_workers)
        limits = IngestLimits(
            rate=settings.ingest_rate_per_member,
            burst=settings.ingest_burst_per_member,
            max_in_flight=settings.ingest_max_in_flight,
            max_backlog=settings.ingest_max_backlog,
        )
        throttle = LoginThrottle(policy)
        return cls(settings, store, signer, throttle, validation, LiveBus(settings), limits)

    def close(self) -> None:
        """Release the store and stop the validation workers."""
        self.validation.close()
        self.store.close()


def open_services(settings: Settings, *, upgrade: bool = True) -> Services:
    """Open the store named by the settings; migrate it to the newest schema if asked."""
    settings.check_durability()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_sql_engine(
        settings.effective_database_url, synchronous=settings.sqlite_synchronous
    )
    signer = load_or_create_signer(settings.data_dir)
    if upgrade:
        migrate.upgrade(engine, signer=signer)
    store = SqlStore(engine, signer, checkpoint_every=settings.audit_checkpoint_every)
    return Services.of(settings, store, signer)
