"""Pure domain values and enums, shared by every layer: the bottom of the import graph.

Events, detections, organisations and principals, audit entries, intelligence records and
their audiences, and the one exception tree (:mod:`.errors`). Nothing here imports any other
part of Shieldwall or any framework, so every layer can speak in these types.
"""
