"""The web front end: the start page and the console, rendered on the server.

No script, style or font is fetched from anywhere but this server, so the pages work on a
closed network. Pages read through the same desks as the API (the runtime's services and
the applications' front doors), so a person sees in a page exactly what the gate lets the
API give them. See docs/console.md.
"""

from fastapi import APIRouter

from shieldwall.web.console import ROUTERS
from shieldwall.web.home import router as home_router
from shieldwall.web.upload import too_large_page

router = APIRouter(include_in_schema=False)
router.include_router(home_router)
for _console in ROUTERS:
    router.include_router(_console)

__all__ = ["router", "too_large_page"]
