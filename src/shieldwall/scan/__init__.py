"""The edge scanner: ``shieldwall scan`` as an application, like Hayabusa or Zircolite.

A member runs it over its own log files: the ingest readers turn files into raw records,
the normalisers into events, the detect engine matches the Sigma rules (correlations
included), and this package finishes each detection (ATT&CK names), encodes it (JSONL, CSV
or a table) and sums the run up. It owns everything between the stages and the terminal:
the pipeline, the ``--jobs`` worker processes and the frames they send, the encoders and
the summary. The live pipeline of the centre reuses the same stages, not this package.
"""
