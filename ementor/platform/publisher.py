"""The one publisher of events: persistent messages on one confirm-mode channel, confirms pipelined.

A publisher that waits for each confirm before the next publish tops out at a few hundred
messages a second against a quorum queue (it confirms once its log is synced). This one
publishes a whole batch, then waits once until every message of it is confirmed; a nack, a
timeout or a broken connection fails the batch, and the caller publishes it again (delivery is
at least once; consumers dedupe by event id). `GroupPublisher` gathers such batches from many
green threads that each publish one message and wait for its confirm.
"""

from __future__ import annotations

import logging
import time

import eventlet
from amqp import Message as AmqpMessage
from ementor_contracts import CONTENT_TYPE
from kombu import Connection

from ementor.platform.group_call import GroupCall

log = logging.getLogger(__name__)


class NotConfirmed(Exception):
    """The broker nacked a message, or did not confirm it in time."""


class PipelinedPublisher:
    """Publishes persistent messages on one confirm-mode channel and waits once for a whole batch."""

    def __init__(self, amqp_uri: str, exchange: str, confirm_timeout: float = 10.0):
        self.amqp_uri, self.exchange, self.confirm_timeout = amqp_uri, exchange, confirm_timeout
        self._connection = None
        self._channel = None

    def _connect(self) -> None:
        self._connection = Connection(self.amqp_uri)
        self._connection.connect()
        channel = self._connection.channel()
        channel.exchange_declare(self.exchange, "topic", durable=True, auto_delete=False)
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self._channel, self._next_tag, self._outstanding, self._nacked = channel, 1, set(), set()

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked.update(self._settle(delivery_tag, multiple))

    def _settle(self, delivery_tag: int, multiple: bool) -> set[int]:
        settled = {t for t in self._outstanding if t <= delivery_tag} if multiple else {delivery_tag}
        self._outstanding -= settled
        return settled

    def publish_many(self, messages: list[tuple[bytes, str, str, dict]]) -> None:
        """Publish (body, routing key, message id, headers) each; return once all are confirmed."""
        try:
            if self._channel is None:
                self._connect()
            for body, routing_key, message_id, headers in messages:
                message = AmqpMessage(body, content_type=CONTENT_TYPE, content_encoding="utf-8",
                                      delivery_mode=2, message_id=message_id, application_headers=headers)
                self._channel.basic_publish(message, exchange=self.exchange, routing_key=routing_key)
                self._outstanding.add(self._next_tag)
                self._next_tag += 1
            deadline = time.monotonic() + self.confirm_timeout
            while self._outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise NotConfirmed(f"{len(self._outstanding)} message(s) not confirmed "
                                       f"within {self.confirm_timeout}s")
                self._connection.drain_events(timeout=remaining)
            if self._nacked:
                raise NotConfirmed(f"the broker refused {len(self._nacked)} message(s)")
        except Exception:
            self.close()  # start clean: outstanding tags belong to a channel we no longer trust
            raise

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                connection.release()
            except Exception as exc:  # noqa: BLE001 - closing a broken connection; nothing to recover
                log.debug("closing the publisher's connection: %r", exc)


def publish_retrying_once(publisher: PipelinedPublisher, messages: list) -> None:
    """`publisher.publish_many`, once more on a fresh connection if the first attempt failed (an idle
    connection the broker closed, say; a failed attempt closes the connection); raises the second
    failure."""
    try:
        publisher.publish_many(messages)
    except Exception as exc:  # noqa: BLE001 - any failure: one more attempt decides
        log.info("publishing %d message(s) failed; trying again on a fresh connection: %s", len(messages), exc)
        publisher.publish_many(messages)


class GroupPublisher:
    """Publishes for many green threads at once: each `publish` joins the batch being gathered and
    returns once the broker confirmed it, so concurrent workers share one confirm wait (a group call)."""

    def __init__(self, publisher: PipelinedPublisher, spawn=eventlet.spawn_n):
        self.publisher = publisher
        self._group = GroupCall(self._publish, spawn=spawn,
                                stopped=lambda: NotConfirmed("the publisher stopped before the broker confirmed"))

    def publish(self, body: bytes, routing_key: str, message_id: str, headers: dict) -> None:
        """Return once confirmed; raise what the batch's publish raised (nothing was confirmed then)."""
        self._group(None, (body, routing_key, message_id, headers))

    def _publish(self, _key, messages: list) -> list[None]:
        publish_retrying_once(self.publisher, messages)
        return [None] * len(messages)

    def close(self) -> None:
        self.publisher.close()
