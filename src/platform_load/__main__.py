import sys

from platform_load.cli import main

sys.exit(main())
