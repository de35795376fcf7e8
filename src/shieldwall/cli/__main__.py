"""`python -m shieldwall.cli` runs the `shieldwall` command."""

from shieldwall.cli.main import main

main()
