"""The one sharing gate: may this principal receive this object now?

Every read path (API, search, counts, TAXII, exports, notifications, the web) asks
:meth:`Viewer.decide` (or :func:`decide`). The rules, from ``docs/conformance/tlp.md``:

Who is asking
    The principal's person must exist, be active and belong to the principal's
    organisation; that organisation must exist and be active. Anything else sees nothing
    (a suspended organisation sees nothing, not even its own objects), and so does a
    role the permission table gives no intelligence (a sensor). Facts about the
    organisation (country, parent, communities) come from the directory, never from the
    token, so a change takes effect on the next request. An anonymous caller (``None``)
    sees only TLP:CLEAR objects that carry no distribution limit. The centre's admins
    have no read right beyond these rules: the reference grants none.

Producer
    The producer organisation (the organisation that submitted the object, whose
    identity is its ``created_by_ref``) always sees its own objects, whatever the marking.

Level
    The most restrictive pinned TLP id among the object's markings (TLP 1.0 ids count as
    their TLP 2.0 equivalents); an object with no pinned id takes its producer's
    configured default, TLP:AMBER+STRICT unless set.

Recipient organisation
    For an object, the *recipient organisations* are the producer organisation and the
    organisations the share was explicitly addressed to (``recipient_org_ids``). A
    *client* of a recipient is an organisation whose ``parent_id`` is that recipient;
    clienthood is one level deep, and a suspended recipient passes nothing on to its
    clients.

Audience, per level (the TLP audience)
    CLEAR: anyone, including anonymous. GREEN: every active member organisation (never
    anonymous). AMBER: the recipient organisations and their clients. AMBER+STRICT: the
    recipient organisations only. RED: the named people (``recipient_person_ids``) only.

Distribution limits (intersected with the TLP audience: the most restrictive wins)
    Communities: when the object names communities, the principal's organisation must
    belong to at least one. ``REL TO``: when set, the organisation's country must be in
    it. Explicit recipient organisations: when the object names any, the principal's
    organisation must be one of them at CLEAR, GREEN and RED too (at AMBER they already
    define the audience, clients included). Named people (``recipient_person_ids``)
    matter at RED only; below RED they widen nothing.

Need-to-know inside an organisation (the group an org admin sets for AMBER) is not
modelled yet: the gate decides at organisation level and, for RED, at person level.
"""

from __future__ import annotations

from shieldwall.model.identity import Principal
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.decision import DECISIONS, Decision, Reason
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.directory import Directory
from shieldwall.policy.roles import Action, may

_CLEAR = TlpLevel.CLEAR
_GREEN = TlpLevel.GREEN
_AMBER = TlpLevel.AMBER
_RED = TlpLevel.RED
_ORG_ADDRESSED = frozenset({_AMBER, TlpLevel.AMBER_STRICT})

_PRODUCER = DECISIONS[Reason.PRODUCER]
_OPEN_BY_LEVEL = {_CLEAR: DECISIONS[Reason.CLEAR], _GREEN: DECISIONS[Reason.GREEN_MEMBER]}
_RECIPIENT_BY_LEVEL = {
    _AMBER: DECISIONS[Reason.AMBER_RECIPIENT],
    TlpLevel.AMBER_STRICT: DECISIONS[Reason.STRICT_RECIPIENT],
}
_AMBER_CLIENT = DECISIONS[Reason.AMBER_CLIENT]
_RED_NAMED = DECISIONS[Reason.RED_NAMED]
_NOT_RECIPIENT = DECISIONS[Reason.NOT_RECIPIENT]
_NOT_NAMED = DECISIONS[Reason.NOT_NAMED]
_NOT_IN_COMMUNITY = DECISIONS[Reason.NOT_IN_COMMUNITY]
_NOT_RELEASABLE = DECISIONS[Reason.NOT_RELEASABLE]
_ANONYMOUS = DECISIONS[Reason.ANONYMOUS]


class Viewer:
    """A principal resolved once per request, so each decision is a few set lookups.

    Build it with :meth:`for_principal` at the start of a request and ask it about every
    object the request touches; build a new one for the next request.
    """

    __slots__ = (
        "_directory",
        "blocked",
        "communities",
        "country",
        "org_id",
        "parent_id",
        "person_id",
    )

    def __init__(
        self,
        directory: Directory,
        *,
        person_id: str | None,
        org_id: str | None,
        parent_id: str | None = None,
        country: str = "",
        communities: frozenset[str] = frozenset(),
        blocked: Decision | None = None,
    ) -> None:
        self._directory = directory
        self.person_id = person_id
        self.org_id = org_id
        self.parent_id = parent_id
        """The organisation this one is a client of, only while that one is active."""
        self.country = country
        self.communities = communities
        self.blocked = blocked
        """Set when the principal may see nothing at all (unknown, inactive, suspended)."""

    @classmethod
    def for_principal(cls, principal: Principal | None, directory: Directory) -> Viewer:
        """Resolve the principal against the directory (None stands for anonymous)."""
        if principal is None:
            return cls(directory, person_id=None, org_id=None)
        org = directory.organisation(principal.org_id)
        person = directory.person(principal.person_id)
        blocked: Decision | None = None
        if org is None or person is None or person.org_id != principal.org_id:
            blocked = DECISIONS[Reason.UNKNOWN_PRINCIPAL]
        elif not person.active:
            blocked = DECISIONS[Reason.INACTIVE_PERSON]
        elif not may(principal.role, Action.INTEL_READ):
            blocked = DECISIONS[Reason.ROLE_READS_NOTHING]
        elif not org.active:
            blocked = DECISIONS[Reason.SUSPENDED]
        if org is None or blocked is not None:
            return cls(directory, person_id=principal.person_id, org_id=None, blocked=blocked)
        parent = directory.organisation(org.parent_id) if org.parent_id else None
        return cls(
            directory,
            person_id=principal.person_id,
            org_id=org.id,
            parent_id=parent.id if parent is not None and parent.active else None,
            country=org.country,
            communities=directory.communities_of(org.id),
        )

    def may_receive(self, obj: ObjectDescriptor) -> bool:
        """Shorthand for ``decide(obj).allowed``."""
        return self.decide(obj).allowed

    def decide(self, obj: ObjectDescriptor) -> Decision:
        """May this viewer receive the object now? See the module docstring for the rules."""
        org_id = self.org_id
        if org_id is None:
            blocked = self.blocked
            return self._decide_anonymous(obj) if blocked is None else blocked
        producer = obj.producer_org_id
        if producer == org_id:
            return _PRODUCER
        if obj.community_ids and self.communities.isdisjoint(obj.community_ids):
            return _NOT_IN_COMMUNITY
        if obj.releasable_to is not None and self.country not in obj.releasable_to:
            return _NOT_RELEASABLE
        level = obj.tlp
        if level is None:
            level = self._directory.unmarked_default(producer)
        recipients = obj.recipient_org_ids
        if level in _ORG_ADDRESSED:
            if org_id in recipients:
                return _RECIPIENT_BY_LEVEL[level]
            parent = self.parent_id
            if (
                level is _AMBER
                and parent is not None
                and (parent == producer or parent in recipients)
            ):
                return _AMBER_CLIENT
            return _NOT_RECIPIENT
        if recipients and org_id not in recipients:
            return _NOT_RECIPIENT
        if level is _RED:
            return _RED_NAMED if self.person_id in obj.recipient_person_ids else _NOT_NAMED
        return _OPEN_BY_LEVEL[level]

    def _decide_anonymous(self, obj: ObjectDescriptor) -> Decision:
        limited = obj.recipient_org_ids or obj.community_ids or obj.releasable_to is not None
        if limited:
            return _ANONYMOUS
        level = obj.tlp
        if level is None:
            level = self._directory.unmarked_default(obj.producer_org_id)
        return _OPEN_BY_LEVEL[_CLEAR] if level is _CLEAR else _ANONYMOUS


def decide(principal: Principal | None, obj: ObjectDescriptor, directory: Directory) -> Decision:
    """May the principal receive the object now? Builds a :class:`Viewer` for one question.

    Paths that ask about many objects build the viewer once and call ``viewer.decide``.
    """
    return Viewer.for_principal(principal, directory).decide(obj)
