"""The Redis transport's late restore (worker.redis): a channel closed after its connection let
go of the transport gives its unacknowledged messages back instead of stopping the worker."""

import pytest
import redis
from kombu import Connection, Exchange, Queue

from tests.processes import RedisServer

pytestmark = pytest.mark.redis_server


@pytest.fixture
def redis_url(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server.url
    server.stop()


def hold_three_messages(url, transport):
    """A connection whose second channel holds three messages, unacknowledged."""
    connection = Connection(url, transport=transport)
    queue = Queue("held", Exchange("held"), "held")
    producer = connection.Producer()
    for index in range(3):
        producer.publish({"index": index}, exchange=queue.exchange, routing_key="held",
                         declare=[queue])  # fmt: skip
    held = []
    consumer = connection.Consumer(
        [queue],
        callbacks=[lambda body, message: held.append(message)],
        channel=connection.channel(),
    )
    consumer.qos(prefetch_count=3)
    consumer.consume()
    while len(held) < 3:
        connection.drain_events(timeout=5)
    return connection, consumer.channel


def waiting(url):
    return redis.Redis.from_url(url).llen("held")


def test_a_channel_closed_after_the_connection_let_go_gives_its_messages_back(redis_url):
    connection, channel = hold_three_messages(redis_url, "redis")
    assert type(channel).__module__ == "worker.redis"  # the alias of worker/celery.py
    assert waiting(redis_url) == 0
    connection._do_close_transport()  # what kombu does when the worker loses its broker
    channel.close()  # late: a consumer or a finaliser closing after that
    assert waiting(redis_url) == 3
    connection.release()


def test_kombus_own_channel_fails_there_which_is_why_the_project_has_its_own(redis_url):
    # The day this passes no more, kombu handles it and worker/redis.py can go.
    connection, channel = hold_three_messages(redis_url, "kombu.transport.redis:Transport")
    connection._do_close_transport()
    with pytest.raises(AttributeError, match="hostname"):
        channel.close()
    assert waiting(redis_url) == 0  # the three messages were not given back
    connection.release()
