"""`python -m nnanim` is the `nnanim` command."""

from nnanim.cli import main

main(prog_name="nnanim")
