"""`python -m bot` is the `oneonone` command."""

from bot.cli import main

raise SystemExit(main())
