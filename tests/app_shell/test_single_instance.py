"""Single instance in-process: the listener gets the activation request a second launch sends."""
import uuid

from app.single_instance import SingleInstance, notify_running_instance


def test_nobody_listening_means_first_instance(qtbot):
    assert notify_running_instance(f"t-{uuid.uuid4().hex}") is False


def test_second_launch_activates_the_first(qtbot):
    name = f"t-{uuid.uuid4().hex[:10]}"
    first = SingleInstance(name)
    assert first.listen()
    try:
        with qtbot.waitSignal(first.activation_requested, timeout=5000):
            assert notify_running_instance(name) is True
    finally:
        first.close()
        first.deleteLater()
        qtbot.wait(50)  # let Qt delete the server and its connections while the application exists
