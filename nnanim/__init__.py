"""nnanim's application layer: the command line, and later the deck runner and the slides writer."""
