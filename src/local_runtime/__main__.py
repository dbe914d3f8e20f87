"""``python -m local_runtime``: start the platform on this machine (see ``cli``)."""

from local_runtime.cli import main

raise SystemExit(main())
