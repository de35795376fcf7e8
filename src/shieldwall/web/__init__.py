"""The web front end: pages rendered on the server for the people who run the centre.

No script, style or font is fetched from anywhere but this server, so the pages work on a
closed network. Pages read through the same application packages as the API, so a person
sees in a page exactly what the gate lets the API give them. Today: the start page.
"""

from shieldwall.web.home import router

__all__ = ["router"]
