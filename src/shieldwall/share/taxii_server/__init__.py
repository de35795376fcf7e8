"""The TAXII 2.1 server's logic: collections as views through the gate, filters, paging.

The HTTP surface (media types, authentication, error bodies) is ``api/taxii``; everything
that decides what a caller gets is here, over the store protocols and the policy gate.
"""
