"""kombu's filesystem transport (the embedded default's broker: messages are files), made safe
against a message read while it is still being written.

kombu's publisher writes a message file in place, under a lock its consumer never takes: a
worker polling at that moment could read half a file and die on the JSON (kombu's known
filesystem-transport issue). Here a message is written to a hidden temporary file and renamed
into place, which is atomic on one filesystem, so a consumer only ever sees whole files; and a
file that still does not decode (written by another publisher) is given back for a later try,
then set aside with an error in the log once it is a minute old, instead of stopping the worker.
"""

import logging
import os
import time
import uuid

from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

# A file that still does not decode after this long is not being written any more: set aside.
PARTIAL_GRACE_SECONDS = 60


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(time.monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        temporary = os.path.join(self.data_folder_out, f".{name}.tmp")  # never read as a message
        try:
            with open(temporary, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, final)
        except OSError as error:
            raise filesystem.ChannelError(f"Cannot add file {name!r} to directory") from error

    def _get(self, queue):
        wanted = f"{queue}.msg"
        claims = os.path.join(self.data_folder_in, ".claimed")
        os.makedirs(claims, exist_ok=True)
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            source = os.path.join(self.data_folder_in, name)
            claimed = os.path.join(claims, name)
            try:
                os.rename(source, claimed)  # one consumer only: the others find it gone
            except OSError:
                continue
            try:
                with open(claimed, "rb") as file:
                    message = loads(bytes_to_str(file.read()))
            except (OSError, ValueError):
                self._unreadable(claimed, source, name)
                continue
            self._processed(claimed, name)
            return message
        raise filesystem.Empty()

    def _unreadable(self, claimed, source, name):
        try:
            age = time.time() - os.stat(claimed).st_mtime
        except OSError:
            return
        if age < PARTIAL_GRACE_SECONDS:
            os.rename(claimed, source)  # still being written: read again at the next poll
            return
        damaged = os.path.join(self.data_folder_in, "unreadable")
        os.makedirs(damaged, exist_ok=True)
        os.rename(claimed, os.path.join(damaged, name))
        logger.error("Broker message file %s unreadable: set aside in %s", name, damaged)

    def _processed(self, claimed, name):
        if self.store_processed:
            os.replace(claimed, os.path.join(self.processed_folder, name))
        else:
            os.remove(claimed)


class Transport(filesystem.Transport):
    Channel = Channel
