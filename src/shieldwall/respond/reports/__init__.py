"""Reports made from what a recipient may see: the daily situation report (SITREP).

``build`` reads through the sources (protocols in ``sources``) as the recipient,
``content`` holds the result and its TLP marking, ``html`` and ``pdf`` render it.
"""
