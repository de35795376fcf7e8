"""The last step every base detection takes before output: its ATT&CK techniques, its count.

Done in the parent for a ``--jobs 1`` scan, and in each worker for the detections it encodes
itself with ``--jobs N``; one class, so both fill and count alike.
"""

from __future__ import annotations

from shieldwall.detect.attack import AttackCatalogue
from shieldwall.model.detection import AttackTechnique, Detection
from shieldwall.scan.summary import DetectionTally


class DetectionFinisher:
    """Fills ``attack`` from the catalogue (resolved once per rule) and counts the detection."""

    def __init__(self, catalogue: AttackCatalogue, tally: DetectionTally) -> None:
        self.tally = tally
        self._catalogue = catalogue
        self._attack: dict[str, tuple[AttackTechnique, ...]] = {}

    def finish(self, detection: Detection) -> Detection:
        """The same detection, with its techniques, counted in :attr:`tally`."""
        techniques = self._attack.get(detection.rule_id)
        if techniques is None:
            techniques = self._catalogue.resolve(detection.tags)
            self._attack[detection.rule_id] = techniques
        detection.attack = techniques
        self.tally.count_detection(detection)
        return detection
