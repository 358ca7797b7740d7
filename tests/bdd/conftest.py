"""Step definitions for features/: each step calls the HTTP driver, never a service's code.

The steps live in tests/bdd/steps/, one module per part of the guide; importing them here is what
makes pytest-bdd find them. The hooks of tests/bdd/evidence.py record, beside the Cucumber
JSON, what the living documentation shows and the Cucumber JSON cannot hold.
"""

import pytest

# The steps' plain asserts explain themselves (in pytest's output and in the living documentation)
# only when pytest rewrites them, as it does for test modules.
pytest.register_assert_rewrite("tests.bdd.steps")

from tests.bdd.evidence import (  # noqa: E402, F401  (hooks: pytest finds them by name)
    pytest_bdd_after_step,
    pytest_bdd_before_scenario,
    pytest_bdd_before_step,
    pytest_bdd_step_error,
    pytest_bdd_step_func_lookup_error,
    pytest_configure,
    pytest_sessionfinish,
)
from tests.bdd.steps.alert_channels import *  # noqa: E402, F403
from tests.bdd.steps.alert_sources import *  # noqa: E402, F403
from tests.bdd.steps.alerting import *  # noqa: E402, F403
from tests.bdd.steps.alerts import *  # noqa: E402, F403
from tests.bdd.steps.answering import *  # noqa: E402, F403
from tests.bdd.steps.authorize import *  # noqa: E402, F403
from tests.bdd.steps.channels import *  # noqa: E402, F403
from tests.bdd.steps.common import *  # noqa: E402, F403
from tests.bdd.steps.create_alert import *  # noqa: E402, F403
from tests.bdd.steps.events import *  # noqa: E402, F403
from tests.bdd.steps.oncall import *  # noqa: E402, F403
from tests.bdd.steps.security import *  # noqa: E402, F403
