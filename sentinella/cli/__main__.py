"""`python -m sentinella.cli` = the `sentinella` command."""

from sentinella.cli import main

main()
