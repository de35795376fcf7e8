"""Server-rendered pages: no script or style is fetched from anywhere but this server."""
