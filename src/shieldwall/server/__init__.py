"""The HTTP server process: the API and the web pages as one ASGI application.

``shieldwall up`` (and later ``shieldwall serve``) run this: it composes the two HTTP front
ends, which never import each other, starts the background workers the settings ask for
(the TAXII feed puller) and serves until stopped. The command line reaches the HTTP front
ends only through here.
"""

from shieldwall.server.app import create_app
from shieldwall.server.run import banner, serve, tls_options

__all__ = ["banner", "create_app", "serve", "tls_options"]
