# The harness itself: a sync and an async test pass on every runtime.
from check import raises


def test_plain_function_passes():
    assert 1 + 1 == 2


async def test_async_function_is_awaited():
    import asyncio
    await asyncio.sleep(0)
    with raises(ZeroDivisionError):
        1 / 0
