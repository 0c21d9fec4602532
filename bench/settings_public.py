"""Settings for ``bench.public_availability``: the test settings with the
public API's per-address limits lifted, since every simulated client calls
from 127.0.0.1 (a real salon's visitors each have their own address)."""

from tests.settings import *  # noqa: F403

REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
        "online_read": None,
        "online_hold": None,
        "online_confirm": None,
    },
}
