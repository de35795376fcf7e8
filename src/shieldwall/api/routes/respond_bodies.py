"""Request bodies shared by the respond routes: a TLP level by name, an audience."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from shieldwall.api.schemas import Strict
from shieldwall.model.sharing import Addressees, TlpLevel

TlpName = Literal["clear", "green", "amber", "amber+strict", "red"]
LEVELS: dict[str, TlpLevel] = {
    level.label.removeprefix("TLP:").lower(): level for level in TlpLevel
}
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class AudienceIn(Strict):
    """To whom beyond the TLP: organisations, people (TLP:RED), communities, REL TO."""

    recipient_org_ids: list[Id] = Field(default_factory=list, max_length=200)
    recipient_person_ids: list[Id] = Field(default_factory=list, max_length=200)
    community_ids: list[Id] = Field(default_factory=list, max_length=200)
    releasable_to: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]] | None = Field(
        default=None, max_length=250
    )

    def addressees(self) -> Addressees:
        """The audience as the model names it."""
        released = self.releasable_to
        return Addressees(
            recipient_org_ids=frozenset(self.recipient_org_ids),
            recipient_person_ids=frozenset(self.recipient_person_ids),
            community_ids=frozenset(self.community_ids),
            releasable_to=None if released is None else frozenset(released),
        )
