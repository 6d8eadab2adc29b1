"""A history's realised chat handle time converts to the model's one-chat time."""
import pytest

from core import QueueModel, Targets
from simulation import one_chat_handle_time, required_agents


def test_conversion_by_mix_and_by_mean_concurrency():
    curve = [300.0, 360.0, 450.0]
    # all chats at 3 held: realised 450 s -> 300 s alone
    assert one_chat_handle_time(450, curve, [0, 0, 1]) == pytest.approx(300)
    assert one_chat_handle_time(450, curve, 3) == pytest.approx(300)
    # a mix: 20% alone, 50% at two, 30% at three
    realised = 300 * (0.2 * 1 + 0.5 * 1.2 + 0.3 * 1.5)
    assert one_chat_handle_time(realised, curve, [0.2, 0.5, 0.3]) == pytest.approx(300)
    assert one_chat_handle_time(330, curve, 1.5) == pytest.approx(300)  # halfway between 1 and 1.2
    with pytest.raises(ValueError, match="concurrency_mix"):
        one_chat_handle_time(330, curve, [0.5, 0.5])
    with pytest.raises(ValueError, match="concurrency_mix"):
        one_chat_handle_time(330, curve, 4)


def test_reading_the_realised_time_as_one_chat_time_overstaffs():
    curve = [360.0, 450.0, 560.0]
    realised = 520.0  # what a history reports when agents mostly ran near 3 chats
    one = one_chat_handle_time(realised, curve, 2.8)
    queue = QueueModel(aht_by_concurrency_s=curve)
    right = required_agents([200], 1800, queue, Targets(p_wait=0.05), aht_s=one)
    wrong = required_agents([200], 1800, queue, Targets(p_wait=0.05), aht_s=realised)
    assert int(right.agents[0]) < int(wrong.agents[0])
