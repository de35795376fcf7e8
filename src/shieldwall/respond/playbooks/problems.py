"""Problems found in a playbook, all of them, and the one error that carries them.

Like pySigma's ``collect_errors``, the parser and the validator never stop at the first
problem: an author fixing a refused playbook sees every place to fix at once, and nothing
runs until the list is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from shieldwall.model.errors import InputError


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong: where (a JSON path such as ``workflow.action--…``) and what."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class PlaybookRefusedError(InputError):
    """A playbook refused with every problem listed (the API's problem document lists them)."""

    def __init__(self, problems: list[Problem], *, source: str = "playbook") -> None:
        ordered = sorted(set(problems))
        shown = "; ".join(str(problem) for problem in ordered[:20])
        more = f" (and {len(ordered) - 20} more)" if len(ordered) > 20 else ""
        super().__init__(f"{len(ordered)} problem(s): {shown}{more}", source=source)
        self.problems = tuple(ordered)

    def __reduce__(self) -> tuple[object, ...]:
        return (PlaybookRefusedError, (list(self.problems), self.source))
