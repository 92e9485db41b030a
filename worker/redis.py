"""kombu's Redis transport, with a channel that still knows its broker's address after its
connection has let go of the transport.

When a worker loses Redis, kombu closes the connection and the transport forgets the
connection (`Connection._do_close_transport` sets `transport.client` to None). A channel
closed after that, with messages still unacknowledged in hand (a finaliser, a consumer closed
late), restores them through a new Redis client whose address it reads from
`transport.client`: kombu's redis transport then raises `AttributeError: 'NoneType' object has
no attribute 'hostname'`, which no connection-error handler catches, and the worker stops for
good ("Unrecoverable error"; kombu issues #582 and #970). Here each channel keeps the address
it was opened with, so that late restore reaches Redis (or fails as a connection error, which
the worker retries); the messages stay in Redis's unacknowledged set either way and come back
after the visibility timeout.
"""

from kombu.transport import redis


class Channel(redis.Channel):
    def __init__(self, connection, *args, **kwargs):
        # The kombu Connection this channel was opened for (its address, options, fallbacks).
        self._opened_for = connection.client
        super().__init__(connection, *args, **kwargs)

    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            # The transport is being discarded; this last use needs the address it had.
            self.connection.client = self._opened_for
        return super()._connparams(asynchronous=asynchronous)


class Transport(redis.Transport):
    Channel = Channel
