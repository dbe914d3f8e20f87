import sys

from platform_ops.cli import main

sys.exit(main())
