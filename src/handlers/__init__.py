"""Lambda handlers of the serverless real-time event platform.

One package, one zip: each Lambda function points its handler string at
``handlers.<service>.handler.lambda_handler``. Handler modules are thin entry points;
the logic lives in plain functions over typed models, AWS calls behind a small
data-access layer.

Observability, the same in every function: Powertools ``Logger`` (JSON, correlation id, the
X-Ray trace id on every line) and ``Metrics`` (EMF) are built at import; traces come from
Lambda active tracing (``tracing_mode = "Active"`` in ``modules/lambda-function``), which
records every invocation, its initialisation included, and links it to the upstream trace.
The Powertools ``Tracer`` is not used: building it loads the X-Ray SDK and a botocore
session, which `make bench` measures at about half of a seed-style handler's whole cold
start. What it would add are subsegments per AWS call; CloudWatch's own per-call metrics
cover those. boto3, its clients and Powertools utilities that need them are created on
first use, so a cold start pays only for what its first event needs; Powertools' two
re-exporting packages, ``event_handler`` and ``utilities.data_classes``, load only the modules
a handler imports from them, and ``asyncio``, which the Events resolver imports for async
resolvers only, loads when first used (``handlers.common.lazy_packages``). In a function's
process, Python's garbage collector is paused while the handler module imports
(``handlers.common.cold_start``), and pydantic does not look for plugins: the zip has none, and
looking would read every installed distribution's metadata on the first model built.
"""

import os

from handlers.common import cold_start
from handlers.common.lazy_packages import defer_init, defer_module

cold_start.begin()

defer_init("aws_lambda_powertools.event_handler")
defer_init("aws_lambda_powertools.utilities.data_classes")
# Powertools' Events resolver imports asyncio at its top for async resolvers alone
# (asyncio.run, asyncio.gather), about 20 ms of a cold start here; the handlers' resolvers
# are synchronous. Its __init__ (star imports of every submodule) runs on first use.
defer_init("asyncio")

if cold_start.IN_A_FUNCTION:
    # pydantic reads this on each model it builds (pydantic.plugin._loader.get_plugins); set
    # it to "" in a function's environment to use a pydantic plugin added to the zip.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # ... and imports importlib.metadata (with zipfile, shutil, bz2, lzma, tempfile) at its
    # plugin loader's top for that one call, now never made, and in pydantic.networks (which
    # Powertools' parser imports) for `version`, called when an email address is validated:
    # the module runs on first use.
    defer_module("importlib.metadata", functions=("entry_points", "version"))
