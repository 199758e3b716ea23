"""Celery beat's scheduler, recording each tick for /healthz (docs/faults.md)."""

from celery.beat import PersistentScheduler

from performile import heartbeats


class Scheduler(PersistentScheduler):
    def tick(self, *args, **kwargs):
        heartbeats.record(heartbeats.BEAT)
        return super().tick(*args, **kwargs)
