"""The STIX 2.1 intelligence store as a service: validate, version, index, read through the gate.

Modules: :mod:`.identity` (organisation <-> STIX identity), :mod:`.validate` (OASIS
libraries), :mod:`.observables` and :mod:`.extract` (index terms), :mod:`.audience`
(sharing facts), :mod:`.publish` (writes), :mod:`.read` (pages through the gate),
:mod:`.sightings` and :mod:`.scoring` (confidence and decay).
"""
