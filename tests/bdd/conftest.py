"""Step definitions for features/: each step calls the HTTP driver, never a service's code.

The steps live in tests/bdd/steps/, one module per part of the guide; importing them here is what
makes pytest-bdd find them.
"""

from tests.bdd.steps.alert_sources import *  # noqa: F403
from tests.bdd.steps.alerts import *  # noqa: F403
from tests.bdd.steps.authorize import *  # noqa: F403
from tests.bdd.steps.channels import *  # noqa: F403
from tests.bdd.steps.common import *  # noqa: F403
from tests.bdd.steps.create_alert import *  # noqa: F403
from tests.bdd.steps.security import *  # noqa: F403
