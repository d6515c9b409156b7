"""A ``sotong send`` worker's start-up (issue 15): what it does before its
first email costs less, with the same outcome."""

from __future__ import annotations

import gc

import pytest

from delivery.commands import _collector_paused


@pytest.mark.parametrize("enabled", [True, False])
def test_the_outbox_is_recorded_with_the_garbage_collector_paused_and_left_as_it_was(enabled):
    (gc.enable if enabled else gc.disable)()
    try:
        with _collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError), _collector_paused():
            raise ValueError("a problem in the outbox")
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
