"""The TAXII 2.1 HTTP surface, mounted at ``/taxii2``: media types, auth, error bodies.

What a caller receives is decided in ``share/taxii_server`` through the policy gate; this
package only speaks HTTP.
"""
